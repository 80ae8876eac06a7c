#!/usr/bin/env bash
# Creates .venv with Python 3.13 and installs the pinned dependencies (idempotent).
# uv cannot download an interpreter on an offline machine: fall back to pyenv's 3.13.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet uv || pip install --quiet uv
fi
UV="$(command -v uv || echo "python3 -m uv")"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
  rm -rf .venv
  if ! $UV venv --quiet --python 3.13 .venv 2>/dev/null; then
    PY313=""
    if command -v pyenv >/dev/null 2>&1; then
      for v in $(pyenv versions --bare | grep -E '^3\.13' | sort -V -r); do
        PY313="$(pyenv prefix "$v")/bin/python3"; break
      done
    fi
    [ -n "$PY313" ] || PY313="$(command -v python3.13 || true)"
    [ -n "$PY313" ] || { echo "Python 3.13 introuvable (ni uv, ni pyenv, ni python3.13)." >&2; exit 1; }
    $UV venv --quiet --python "$PY313" .venv
  fi
fi
REQS=(-r requirements.txt)
[ "${1:-}" = "--dev" ] && REQS+=(-r requirements-dev.txt)
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)${1:-}"
if [ ! -f "$stamp" ]; then
  VIRTUAL_ENV="$PWD/.venv" $UV pip install --quiet --python .venv/bin/python "${REQS[@]}"
  touch "$stamp"
fi
