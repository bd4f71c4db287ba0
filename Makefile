# The two commands of the README: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run with DEBUG off, as production does; they need a key and hosts of their own.
TEST_ENV := SECRET_KEY=test-only-not-secret ALLOWED_HOSTS=testserver,127.0.0.1,localhost DEBUG=0

.PHONY: run test install install-test migrate seed serve clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
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

test: install-test
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
