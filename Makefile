# Pactes — two commands: `make demo` runs the platform with demo data, `make test` runs the tests.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: demo demo-reset demo-data serve venv venv-dev test test-fast test-browser quality fmt migrations-check bench

venv:
	@./scripts/bootstrap.sh

venv-dev:
	@./scripts/bootstrap.sh --dev

## make demo: install, migrate SQLite, load reference data and the demo (kept between runs), serve on $(PORT)
demo: venv demo-data serve

demo-data:
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py setup_demo
	$(PY) manage.py collectstatic --noinput -v0

serve:
	@echo "Pactes sur http://$(HOST):$(PORT)/  (Ctrl-C pour arrêter)"
	.venv/bin/granian --interface wsgi config.wsgi:application --host $(HOST) --port $(PORT) --workers 1 --blocking-threads 4 --static-path-route /static --static-path-mount var/static

## make demo-reset: start over from an empty demo database
demo-reset: venv
	rm -f var/pactes.sqlite3 var/pactes.sqlite3-wal var/pactes.sqlite3-shm
	$(MAKE) demo

## make test: the whole suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
test: venv-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n auto --dist loadfile --ignore=tests/browser $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest tests/browser $(PYTEST_ARGS)

test-browser: venv-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest tests/browser $(PYTEST_ARGS)

quality: venv-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

fmt: venv-dev
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: venv-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest benchmarks --benchmark-only
