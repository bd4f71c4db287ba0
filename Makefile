# The two commands of the README: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run with DEBUG off, as production does; they need a key and hosts of their own.
TEST_ENV := SECRET_KEY=test-only-not-secret ALLOWED_HOSTS=testserver,127.0.0.1,localhost DEBUG=0

# `make serve`: gunicorn on BIND (default HOST:PORT) with WEB_CONCURRENCY workers (default
# 2 x cores + 1, at most 12). Configuration comes from the environment (docs/deploy.md).
BIND ?= $(HOST):$(PORT)
WEB_CONCURRENCY ?= $(shell n=$$(nproc 2>/dev/null || echo 1); w=$$((2 * n + 1)); [ $$w -gt 12 ] && w=12; echo $$w)
# backup/restore run against whatever DATABASE_URL says; without a SECRET_KEY in the environment
# they run as development does (DEBUG=1), as `make run` does.
MANAGE_ENV = $(if $(SECRET_KEY),,DEBUG=1)

.PHONY: run test lint install install-test migrate seed serve backup restore restore-file clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 or newer is needed and none was found on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

# Loads the curated fixtures only into an empty library, so curators' changes survive.
seed: migrate
	DEBUG=1 $(BIN)/python manage.py load_seed

run: seed
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	exec $(BIN)/gunicorn kb.wsgi:application --bind $(BIND) --workers $(WEB_CONCURRENCY) \
		--timeout 30 --graceful-timeout 20 --max-requests 2000 --max-requests-jitter 200 \
		--access-logfile - --error-logfile -

# Writes backups/<database>-<UTC timestamp>.{dump,sqlite3}; BACKUP_DIR=... writes elsewhere.
backup: install
	$(MANAGE_ENV) $(BIN)/python manage.py backup_library $(if $(BACKUP_DIR),--output-dir "$(BACKUP_DIR)")

# Replaces the whole database with the backup FILE (asks first). Without FILE it stops at once,
# before installing anything.
restore-file:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/<name>.dump|.sqlite3"; exit 2; }

restore: restore-file install
	$(MANAGE_ENV) $(BIN)/python manage.py restore_library "$(FILE)"

# A worker per core (pytest-xdist), each with its own test database; a test file stays on one
# worker, so module-scoped fixtures (the seed, Chromium) are set up once. TEST_WORKERS=0: serially.
TEST_WORKERS ?= auto
test: install-test
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# ruff (rules in pyproject.toml); `make lint` is what CI runs before the tests.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
