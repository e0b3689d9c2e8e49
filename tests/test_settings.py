"""Settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_debug_is_off_and_the_secret_key_required_unless_set():
    result = load_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def test_a_production_configuration_loads_from_the_environment():
    result = load_settings(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="registry.example.org, www.registry.example.org",
        DATABASE_URL="postgres://registry:secret@db.example.org:5432/registry",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == (
        "False ['registry.example.org', 'www.registry.example.org'] django.db.backends.postgresql"
    )


def test_sqlite_is_the_default_database_in_development():
    result = load_settings(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['localhost', '127.0.0.1', '[::1]'] django.db.backends.sqlite3"


@pytest.mark.parametrize(
    "variable, value",
    [("DJANGO_DEBUG", "maybe"), ("DATABASE_URL", "nosuchdb://x"), ("DJANGO_DB_CONN_MAX_AGE", "forever")],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(variable, value):
    result = load_settings(DJANGO_SECRET_KEY="x" * 50, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]
