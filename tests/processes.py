"""Other processes against a real database file: what several server processes, a backup job or
another SQLite client do beside the one under test.

The suite's own SQLite database lives in memory, shared by its threads; locking, write-ahead
logging and a missing file can only be seen on a file that separate processes open.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url, **extra):
    """This process's environment (pytest-env's test settings), with this database and debug on
    (static files are then served without a collectstatic manifest)."""
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1", **extra}


def manage(database_url, *args, check=True):
    """`python manage.py ARGS` in a fresh process against this database."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment(database_url), capture_output=True, text=True
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def run_django(database_url, code, settings_code=""):
    """Run ``code`` in a fresh process with Django set up against this database and return what
    it prints as JSON. ``settings_code`` runs on the settings before set-up (``settings`` is bound)."""
    script = "\n".join(
        [
            "import json, django",
            "from django.conf import settings",
            settings_code,
            "django.setup()",
            code,
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment(database_url), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def sqlite_url(path):
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def shipped_sqlite_template(tmp_path_factory):
    """A SQLite file migrated and loaded with the shipped data, made once per test process."""
    path = tmp_path_factory.mktemp("template") / "registry.sqlite3"
    manage(sqlite_url(path), "migrate", "--noinput", "-v0")
    manage(sqlite_url(path), "load_shipped_data")
    return path


@pytest.fixture
def sqlite_registry(shipped_sqlite_template, tmp_path):
    """A fresh copy of the shipped registry in a SQLite file of its own; returns its path."""
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(shipped_sqlite_template, path)
    return path
