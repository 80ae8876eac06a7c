"""The sign-up and password-reset limits hold across servers when the cache is Redis (ADR 0046).

Two servers are two processes: this test process and a ``manage.py shell`` started with the production settings,
both pointed at the same Redis by ``REDIS_URL``. A budget used up on one is refused on the other. Each run works in
its own key prefix (and, unless ``REDIS_URL`` says otherwise, Redis database 15), removed afterwards.

The tests need a Redis: ``REDIS_URL`` (``.ci/run`` exports it) or one answering on 127.0.0.1:6379. They are skipped,
with that reason, only when neither exists; a ``REDIS_URL`` that does not answer fails them.
"""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.core.cache import cache

from pactes.accounts.rate_limits import request_allowed
from pactes.core.deployment import REDIS_CACHE, cache_settings

ROOT = Path(__file__).resolve().parents[2]
LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def _local_redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


REDIS_URL = os.environ.get("REDIS_URL") or (LOCAL_REDIS if _local_redis_answers() else "")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="aucun Redis : REDIS_URL n'est pas défini et rien ne répond sur 127.0.0.1:6379"
)

OTHER_SERVER = """
import os
from django.conf import settings
from pactes.accounts.rate_limits import request_allowed
assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache", settings.CACHES
address, email = os.environ["TEST_ADDRESS"], os.environ["TEST_EMAIL"]
allowed = [request_allowed(scope="signup", client_address=address, email=email) for _ in range(int(os.environ["TEST_N"]))]
print(" ".join("oui" if a else "non" for a in allowed))
"""


@pytest.fixture
def shared_cache(settings):
    prefix = f"pactes-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = cache_settings(REDIS_URL, key_prefix=prefix)
    assert settings.CACHES["default"]["BACKEND"] == REDIS_CACHE
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


def other_server(prefix: str, tmp_path: Path, *, address: str, email: str, requests: int) -> list[str]:
    """``requests`` sign-up requests made by another process, on the production settings and the same Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "autre-serveur-de-test",
        "REDIS_URL": REDIS_URL,
        "PACTES_CACHE_KEY_PREFIX": prefix,
        "PACTES_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'autre.sqlite3'}",
        "PACTES_EMAIL_REQUEST_LIMIT": "3",
        "TEST_ADDRESS": address,
        "TEST_EMAIL": email,
        "TEST_N": str(requests),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", OTHER_SERVER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1].split()


def test_a_budget_used_up_on_one_server_is_refused_on_the_other(shared_cache, tmp_path, settings):
    settings.PACTES_EMAIL_REQUEST_LIMIT = 3
    email = "cible@pactes.test"
    assert [request_allowed(scope="signup", client_address="203.0.113.1", email=email) for _ in range(3)] == [True] * 3
    # Another address, the same e-mail: the other server refuses, the e-mail's budget is used up everywhere.
    assert other_server(shared_cache, tmp_path, address="198.51.100.7", email=email, requests=1) == ["non"]


def test_requests_counted_by_the_other_server_count_here(shared_cache, tmp_path, settings):
    settings.PACTES_EMAIL_REQUEST_LIMIT = 3
    address = "203.0.113.50"
    assert other_server(shared_cache, tmp_path, address=address, email="a@pactes.test", requests=2) == ["oui", "oui"]
    assert request_allowed(scope="signup", client_address=address, email="b@pactes.test") is True
    assert request_allowed(scope="signup", client_address=address, email="c@pactes.test") is False


def test_the_counters_live_in_redis_under_the_runs_prefix(shared_cache):
    request_allowed(scope="password-reset", client_address="203.0.113.9", email="d@pactes.test")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        names = [key.decode() for key in client.scan_iter(match=f"{shared_cache}:*")]
    finally:
        client.close()
    assert len(names) == 2 and all(":pactes:rate:password-reset:" in name for name in names)
    assert cache.get(names[0].split(":", 2)[2]) == 1  # the key as Django names it, without prefix and version
