# The project's commands. A fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Local runs use debug mode on SQLite; production sets its own environment (README, "Deploying").
RUN_ENV := DJANGO_DEBUG=1

.PHONY: help install run test lint format check bench clean

help:
	@echo "make run    set up, migrate, load the fixtures and serve http://127.0.0.1:8000"
	@echo "make test   set up, lint, check and run the whole test suite"
	@echo "make bench  measure the public pages, the export and the admin at 100,000 activities (docs/performance.md)"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) loaddata fixtures/*.json
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(RUN_ENV) $(MANAGE) check
	$(RUN_ENV) $(MANAGE) makemigrations --check --dry-run

test: lint check
	$(VENV)/bin/pytest

# wrk (the load generator) comes from the Debian archive; installed on first use.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

bench: install
	@command -v wrk >/dev/null || $(SUDO) apt-get install -y wrk || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
