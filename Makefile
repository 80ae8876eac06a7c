# Pactes — two commands: `make demo` runs the platform with demo data, `make test` runs the tests.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: demo demo-reset demo-data serve venv venv-dev test test-engine test-browser quality fmt bench rush docs bench-pages

venv:
	@./scripts/bootstrap.sh

venv-dev:
	@./scripts/bootstrap.sh --dev

## make demo: install, migrate SQLite, load reference data and the demo (kept between runs), serve on $(PORT)
demo: venv demo-data serve

## the demo's people are fictional: setup_demo runs with a mailer that sends nothing (it refuses one that delivers)
demo-data:
	$(PY) manage.py migrate --noinput -v0
	PACTES_MAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend $(PY) manage.py setup_demo
	$(PY) manage.py collectstatic --noinput -v0

## make serve: the production command. granian serves config.asgi (the arrival of each request is stamped before it
## waits for a thread, ADR 0012), WORKERS processes of THREADS requests at once each; the task worker (receipts,
## reminders) runs beside it at a lower priority and stops with it.
WORKERS ?= 1
THREADS ?= 4
serve:
	@echo "Pactes sur http://$(HOST):$(PORT)/  (Ctrl-C pour arrêter)"
	@mkdir -p "$${PACTES_VAR_DIR:-var}/static"
	@$(PY) manage.py apply_retention --schedule -v0 >/dev/null || true
	@nice -n 10 $(PY) manage.py db_worker --interval 1 --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	PACTES_ASGI_CONCURRENCY=$(THREADS) .venv/bin/granian --interface asgi config.asgi:application \
		--host $(HOST) --port $(PORT) --workers $(WORKERS) --blocking-threads 1 --no-ws \
		--static-path-route /static --static-path-mount "$${PACTES_VAR_DIR:-var}/static"

## make demo-reset: start over from an empty demo database
demo-reset: venv
	rm -f var/pactes.sqlite3 var/pactes.sqlite3-wal var/pactes.sqlite3-shm
	$(MAKE) demo

## make test: the whole suite (SQLite by default; PostgreSQL when DATABASE_URL is set) with its coverage (pytest-cov,
## lines missed per file); the rules (pactes/rules) must stay covered at 95 % at least. Then the browser journeys.
test: venv-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n auto --dist loadfile --ignore=tests/browser \
		--cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)
	@echo "== coverage of pactes/rules (at least 95 %)"
	$(PY) -m coverage report --include='pactes/rules/*' --fail-under=95
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest tests/browser $(PYTEST_ARGS)

## make test-engine: only the tests marked `engine` (row locks, concurrent writers, constraints, case-insensitive
## lookups): CI runs the whole suite on PostgreSQL, then these on SQLite, the default of `make demo`.
test-engine: venv-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n auto --dist loadfile -m engine --ignore=tests/browser \
		$(PYTEST_ARGS)

test-browser: venv-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest tests/browser $(PYTEST_ARGS)

quality: venv-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/djlint pactes/templates --lint
	.venv/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

fmt: venv-dev
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

## make docs: docs/lifecycles.md, the Mermaid diagram of every lifecycle, generated from the tables of pactes/rules
docs: venv
	$(PY) scripts/lifecycles_doc.py

bench: venv-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest benchmarks --benchmark-only

## make rush: the deadline rush (benchmarks/rush.py): RUSH_N applicants (50) autosave then file in the last seconds
## before a call closes, on the production command with 2 workers; SQLite in a temporary directory, or a database
## of its own on the PostgreSQL server of DATABASE_URL. At most two minutes; not part of `make test`.
rush: venv
	$(PY) benchmarks/rush.py

## make bench-pages: each key page's throughput against a bare page of the same production server, alternated
## (benchmarks/pages/run.py, ADR 0041), at BENCH_DOSSIERS dossiers (20 000; the database is cached under var/bench/,
## or on the PostgreSQL server of DATABASE_URL); writes its table into docs/benchmarks.md. BENCH_ROUNDS (5),
## BENCH_PAGES (keys, comma-separated) for a quicker run.
bench-pages: venv
	$(PY) benchmarks/pages/run.py
