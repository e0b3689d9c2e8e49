# The project's commands. A fresh machine needs Python 3.11+ and make; the browser tests also
# need npm, Chromium and Java 17+ (README, "Browser tests"); without the last two they are skipped.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Local runs use debug mode on SQLite; production sets its own environment (README, "Deploying").
RUN_ENV := DJANGO_DEBUG=1

.PHONY: help install run test test-postgres test-browser cluster-test outage-rehearsal lint format check bench clean

help:
	@echo "make run    set up, migrate, load the shipped data into an empty database and serve http://127.0.0.1:8000"
	@echo "make test   set up, lint, check and run the whole test suite"
	@echo "make test-postgres   the same checks and suite on the PostgreSQL server in DATABASE_URL"
	@echo "make test-browser   only the browser tests (Chromium, axe-core, Nu HTML Checker)"
	@echo "make cluster-test   nginx, two application servers, PostgreSQL and Redis rehearsing production"
	@echo "make outage-rehearsal   as root: stop and start a PostgreSQL cluster of its own under the running site"
	@echo "make bench  measure the public pages, the export and the admin at 100,000 activities (docs/performance.md)"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# axe-core and the Nu HTML Checker (vnu-jar) for the browser tests, as package-lock.json pins them.
# --ignore-scripts: vnu-jar's install script would download a Java runtime; the machine's java runs it.
# Without npm, make goes on: the browser tests then skip with the reason (and fail in CI).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
	  echo "npm not found: axe-core and the Nu HTML Checker are not installed, so the browser tests will be skipped."; \
	fi

run: install
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) load_shipped_data
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(RUN_ENV) $(MANAGE) check
	@# On an in-memory database: the check needs no data, and the SQLite file may not exist yet
	@# (only migrate creates it).
	$(RUN_ENV) DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

# -n auto: the suite runs on every core (pytest-xdist), each process with its own test database.
test: lint check node_modules/.installed
	$(VENV)/bin/pytest -n auto

# The same checks and suite against a real PostgreSQL server, where search uses full-text
# indexes. The role in DATABASE_URL needs CREATEDB: the suite runs in a test_<name> database.
# As root, .ci/start-postgres starts the local server and prints a DATABASE_URL for it.
test-postgres: install node_modules/.installed
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*|pgsql://*) ;; \
	  *) echo "make test-postgres: set DATABASE_URL to a PostgreSQL server, e.g." >&2; \
	     echo "  DATABASE_URL=postgres://registry:registry@127.0.0.1:5432/registry make test-postgres" >&2; \
	     exit 2;; \
	esac
	$(RUN_ENV) $(MANAGE) check --database default
	$(RUN_ENV) $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest -n auto

# The production rehearsal: nginx (TLS, load balancing, shared cache) in front of two gunicorn
# servers, with PostgreSQL (DATABASE_URL) and Redis, all on loopback (tests/cluster/).
cluster-test: install
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*) ;; \
	  *) echo "make cluster-test: set DATABASE_URL to a PostgreSQL server (e.g. from .ci/start-postgres)" >&2; exit 2;; \
	esac
	@missing=""; for tool in nginx redis-server wrk openssl; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing for the rehearsal"; \
	  $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
	$(VENV)/bin/pytest -m cluster -p no:xdist tests/cluster

test-browser: install node_modules/.installed
	$(VENV)/bin/pytest -m browser

# Stops and starts a PostgreSQL cluster of its own (port 5410) under gunicorn and checks what the
# site answers meanwhile; CI runs it after the suites. Needs root and PostgreSQL's server packages.
outage-rehearsal: install
	$(PY) .ci/outage-rehearsal

# wrk (the load generator) comes from the Debian archive; installed on first use.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

bench: install
	@command -v wrk >/dev/null || $(SUDO) apt-get install -y wrk || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules test-artifacts staticfiles .pytest_cache .ruff_cache
