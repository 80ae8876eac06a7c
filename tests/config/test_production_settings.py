"""The production settings for several machines (docs/deployment.md): what each environment variable turns on.

The functions of ``pactes.core.deployment`` are checked directly; ``config.settings.prod`` itself is imported in a
subprocess with the environment an operator would give it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from pactes.core.deployment import (
    MEMORY_CACHE,
    PRIVATE_S3_STORAGE,
    REDIS_CACHE,
    cache_settings,
    database_settings,
    default_storage_settings,
    session_engine,
)

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "pactes", "OPTIONS": {}}
SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "pactes.sqlite3", "OPTIONS": {"timeout": 20}}


# -- database connections ----------------------------------------------------------------------------------------------
def test_postgresql_keeps_a_pool_per_process_sized_by_the_threads_and_checked_before_use():
    database = database_settings(POSTGRES, {}, threads=4)
    assert database["CONN_MAX_AGE"] == 0  # Django refuses persistent connections beside its pool
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 6, "timeout": 10.0, "max_idle": 600}
    assert POSTGRES["OPTIONS"] == {}  # the settings given are not changed in place


def test_without_the_pool_connections_live_db_conn_max_age_seconds():
    database = database_settings(POSTGRES, {"PACTES_DB_POOL": "0", "DB_CONN_MAX_AGE": "300"}, threads=4)
    assert database["CONN_MAX_AGE"] == 300 and database["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in database["OPTIONS"]
    assert database_settings(POSTGRES, {"PACTES_DB_POOL": "0"}, threads=4)["CONN_MAX_AGE"] == 600


def test_sqlite_has_no_pool_and_keeps_its_options():
    database = database_settings(SQLITE, {}, threads=4)
    assert database["OPTIONS"] == {"timeout": 20} and database["CONN_MAX_AGE"] == 600


# -- shared cache and sessions -----------------------------------------------------------------------------------------
def test_redis_url_makes_the_shared_cache_redis_and_sessions_read_through_it():
    caches = cache_settings("redis://cache.interne:6379/2", key_prefix="pactes-prod")
    assert caches["default"]["BACKEND"] == REDIS_CACHE
    assert caches["default"]["LOCATION"] == "redis://cache.interne:6379/2"
    assert caches["default"]["KEY_PREFIX"] == "pactes-prod"
    assert session_engine(caches) == "django.contrib.sessions.backends.cached_db"


def test_without_redis_the_cache_is_the_processs_and_sessions_stay_in_the_database_only():
    caches = cache_settings("")
    assert caches["default"]["BACKEND"] == MEMORY_CACHE
    # a per-process cache in front of the sessions would keep a session another process logged out
    assert session_engine(caches) == "django.contrib.sessions.backends.db"


# -- object storage ----------------------------------------------------------------------------------------------------
def test_a_bucket_makes_the_default_storage_private_s3_without_public_urls():
    storage = default_storage_settings(
        {
            "PACTES_S3_BUCKET": "pactes-pieces",
            "PACTES_S3_ENDPOINT_URL": "https://s3.gra.io.cloud.ovh.net",
            "PACTES_S3_REGION": "gra",
            "PACTES_S3_ACCESS_KEY_ID": "cle",
            "PACTES_S3_SECRET_ACCESS_KEY": "secret",
        }
    )
    assert storage["BACKEND"] == PRIVATE_S3_STORAGE
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "pactes-pieces" and options["region_name"] == "gra"
    assert options["endpoint_url"] == "https://s3.gra.io.cloud.ovh.net"
    assert options["default_acl"] is None and options["file_overwrite"] is False
    assert options["access_key"] == "cle" and options["secret_key"] == "secret"


def test_without_a_bucket_files_stay_on_the_file_system():
    assert default_storage_settings({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


# -- config.settings.prod as an operator starts it ---------------------------------------------------------------------
PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "pool": db["OPTIONS"].get("pool"), "conn_max_age": db["CONN_MAX_AGE"], "checks": db["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"]["BACKEND"], "sessions": settings.SESSION_ENGINE,
    "default": settings.STORAGES["default"]["BACKEND"], "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "proxy_ssl": settings.SECURE_PROXY_SSL_HEADER, "csrf": settings.CSRF_TRUSTED_ORIGINS,
    "forwarded_host": settings.USE_X_FORWARDED_HOST, "proxies": settings.PACTES_TRUSTED_PROXIES,
}))
"""


def prod_settings(tmp_path: Path, **env: str) -> dict:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "cle-de-production-de-test",
        "PACTES_VAR_DIR": str(tmp_path),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{PRINT_SETTINGS}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_production_module_reads_the_deployments_environment(tmp_path):
    found = prod_settings(
        tmp_path,
        DATABASE_URL="postgres://pactes@db.interne:5432/pactes",
        PACTES_ASGI_CONCURRENCY="8",
        REDIS_URL="redis://cache.interne:6379/0",
        PACTES_S3_BUCKET="pactes-pieces",
        CSRF_TRUSTED_ORIGINS="https://pactes.example.gouv.fr",
        PACTES_TRUSTED_PROXIES="10.0.0.10,10.0.0.11",
    )
    assert found["pool"]["max_size"] == 10 and found["conn_max_age"] == 0 and found["checks"] is True
    assert found["cache"] == REDIS_CACHE
    assert found["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert found["default"] == PRIVATE_S3_STORAGE
    assert found["static"] == "pactes.core.static_storage.HashedStaticFilesStorage"
    assert found["proxy_ssl"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["csrf"] == ["https://pactes.example.gouv.fr"]
    assert found["forwarded_host"] is False
    assert found["proxies"] == ["10.0.0.10", "10.0.0.11"]


def test_the_production_module_on_one_machine_needs_no_redis_nor_bucket(tmp_path):
    found = prod_settings(tmp_path)
    assert found["cache"] == MEMORY_CACHE
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["default"] == "django.core.files.storage.FileSystemStorage"
