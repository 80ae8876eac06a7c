"""Static files in production: ``collectstatic`` with the production settings writes hashed names, the pages name
them, and granian — started with the static options of ``deploy/systemd/pactes-web.service`` — serves them with a
year of cache. One collectstatic for the module (about twenty seconds)."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "pactes-web.service"
GRANIAN = Path(sys.executable).parent / "granian"


def static_options_of_the_unit() -> list[str]:
    """The ``--static-path-*`` options of the web unit's ExecStart, with ${PACTES_VAR_DIR} left to fill in."""
    text = UNIT.read_text(encoding="utf-8").replace("\\\n", " ")
    command = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    words = shlex.split(command.removeprefix("ExecStart="))
    options = []
    for index, word in enumerate(words):
        if word.startswith("--static-path-"):
            options += [word, words[index + 1]]
    return options


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "statiques-de-test",
        "PACTES_VAR_DIR": str(var),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return var, env


def test_collectstatic_in_production_writes_hashed_names_and_their_manifest(collected):
    var, _ = collected
    paths = json.loads((var / "static" / "staticfiles.json").read_text(encoding="utf-8"))["paths"]
    hashed = paths["pactes/pactes.css"]
    assert re.fullmatch(r"pactes/pactes\.[0-9a-f]{12}\.css", hashed)
    assert (var / "static" / hashed).is_file()
    # CSS references are rewritten to hashed names (fonts and icons of the DSFR)
    dsfr = next(name for source, name in paths.items() if source.endswith("dsfr.min.css"))
    assert re.search(r"url\([\"']?[^)\"']*\.[0-9a-f]{12}\.woff2", (var / "static" / dsfr).read_text(encoding="utf-8"))


def test_the_web_unit_serves_static_files_for_a_year():
    options = static_options_of_the_unit()
    assert options[options.index("--static-path-route") + 1] == "/static"
    assert options[options.index("--static-path-expires") + 1] == "365d"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_granian_serves_a_hashed_file_with_a_year_of_cache(collected):
    var, env = collected
    hashed = json.loads((var / "static" / "staticfiles.json").read_text(encoding="utf-8"))["paths"]["pactes/pactes.css"]
    options = [o.replace("${PACTES_VAR_DIR}", str(var)) for o in static_options_of_the_unit()]
    port = _free_port()
    server = subprocess.Popen(
        [
            str(GRANIAN),
            "--interface",
            "asgi",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-ws",
            "--log-level",
            "warning",
            *options,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/{hashed}", timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert response.status == 200
        assert response.headers["Cache-Control"] == "max-age=31536000"
        assert response.read() == (var / "static" / hashed).read_bytes()
    finally:
        server.terminate()
        server.wait(30)
