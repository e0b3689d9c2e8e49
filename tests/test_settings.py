"""Settings come from the environment and fail loudly, naming the variable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from config.settings import env_cache

ROOT = Path(__file__).resolve().parent.parent


def run_with_env(args, **env):
    """Run Python with these arguments in the checkout, with exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True)


def load_settings(expression="s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE']", **env):
    """Import the settings in a fresh interpreter with exactly this environment and print the expression."""
    return run_with_env(["-c", f"import config.settings as s; print({expression})"], **env)


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
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("DJANGO_DB_CONN_MAX_AGE", "forever"),
        ("DJANGO_SECURE_SSL_REDIRECT", "sometimes"),
        ("DJANGO_SECURE_HSTS_SECONDS", "a year"),
        ("DJANGO_LOGIN_LOCKOUT_MINUTES", "0"),
        ("DJANGO_TRUSTED_PROXY_COUNT", "-1"),
        ("DJANGO_TRUSTED_PROXY_COUNT", "one"),
        ("DJANGO_SESSION_COOKIE_AGE", "0"),
        ("DJANGO_SESSION_COOKIE_AGE", "a day"),
        ("DJANGO_ADMIN_URL", "staff"),
        ("DJANGO_ADMIN_URL", "/staff/"),
        ("DJANGO_ADMIN_URL", ""),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(variable, value):
    result = load_settings(DJANGO_SECRET_KEY="x" * 50, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def load_cache_setting(tmp_path=None, **env):
    """The CACHES and SESSION_ENGINE settings in a fresh interpreter with this environment."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(DJANGO_SECRET_KEY="x" * 50, **env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, config.settings as s; print(json.dumps([s.CACHES['default'], s.SESSION_ENGINE]))",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_the_cache_is_this_process_memory_unless_configured_and_sessions_live_in_the_database():
    result = load_cache_setting()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": ""},
        "django.contrib.sessions.backends.db",
    ]


@pytest.mark.parametrize(
    "url, cache",
    [
        ("locmem://registry", {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "registry"}),
        ("dummy://", {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}),
        (
            "db://registry_cache",
            {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "registry_cache"},
        ),
        (
            " REDIS://cache.internal:6379/0",
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache.internal:6379/0"},
        ),
        (
            "rediss://:secret@cache.internal:6380/1",
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "rediss://:secret@cache.internal:6380/1",
            },
        ),
    ],
)
def test_the_cache_comes_from_a_url_in_django_cache_url(url, cache):
    result = load_cache_setting(DJANGO_CACHE_URL=url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0] == cache


@pytest.mark.parametrize(
    "url",
    ["locmem", "memcached://cache.internal:11211", "db://", "db://cache; DROP TABLE x", "redis://", "file:///tmp/c"],
)
def test_a_malformed_cache_url_stops_start_up_naming_the_variable(url):
    result = load_cache_setting(DJANGO_CACHE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_CACHE_URL" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("url", ["redis://:s3cret@/0", "memcached://admin:s3cret@cache.internal"])
def test_a_malformed_cache_url_is_not_repeated_in_the_error_as_it_may_hold_a_password(url):
    result = load_cache_setting(DJANGO_CACHE_URL=url)
    assert result.returncode != 0
    assert "DJANGO_CACHE_URL" in result.stderr
    assert "s3cret" not in result.stderr


@pytest.mark.django_db
def test_a_database_cache_is_shared_through_a_table_of_the_database(settings, monkeypatch):
    """What several application servers without Redis use: createcachetable makes the table."""
    monkeypatch.setenv("DJANGO_CACHE_URL", "db://registry_cache")
    settings.CACHES = {"default": env_cache("DJANGO_CACHE_URL", "locmem://")}
    call_command("createcachetable", verbosity=0)
    caches["default"].set("organisation-count", 10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_cache")
        assert cursor.fetchone() == (1,)
    assert caches["default"].get("organisation-count") == 10


PRODUCTION = {"DJANGO_SECRET_KEY": "k3y-" + "x9Fq" * 13, "DJANGO_ALLOWED_HOSTS": "registry.example.org"}
SECURITY = (
    "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
    " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None)"
)


def test_with_debug_off_the_site_is_https_only():
    result = load_settings(SECURITY, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True 31536000 True True True True None"


def test_in_development_nothing_insists_on_https():
    result = load_settings(SECURITY, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False 0 False False False False None"


def test_the_https_settings_are_switched_from_the_environment():
    result = load_settings(
        SECURITY + ", s.CSRF_TRUSTED_ORIGINS",
        **PRODUCTION,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="no",
        DJANGO_SECURE_HSTS_PRELOAD="off",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://registry.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False 3600 False False True True ('HTTP_X_FORWARDED_PROTO', 'https') ['https://registry.example.org']"
    )


def test_the_login_lockout_time_comes_from_the_environment():
    result = load_settings(
        "s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME", **PRODUCTION, DJANGO_LOGIN_LOCKOUT_MINUTES="30"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5 0:30:00"


def test_staff_sessions_last_a_working_day_unless_configured():
    assert load_settings("s.SESSION_COOKIE_AGE", **PRODUCTION).stdout.strip() == "28800"
    result = load_settings("s.SESSION_COOKIE_AGE", **PRODUCTION, DJANGO_SESSION_COOKIE_AGE="3600")
    assert result.stdout.strip() == "3600"


def test_the_number_of_trusted_proxies_comes_from_the_environment():
    assert load_settings("s.TRUSTED_PROXY_COUNT", **PRODUCTION).stdout.strip() == "0"
    assert load_settings("s.TRUSTED_PROXY_COUNT", **PRODUCTION, DJANGO_TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"


def test_a_production_configuration_passes_the_deployment_checks(tmp_path):
    result = run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_deployment_checks_notice_a_production_site_without_hsts(tmp_path):
    """The check above has teeth: switching HSTS off is reported."""
    result = run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        DJANGO_SECURE_HSTS_SECONDS="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_the_admin_path_comes_from_the_environment():
    result = run_with_env(
        ["-c", "import django; django.setup(); from django.urls import reverse; print(reverse('admin:index'))"],
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ADMIN_URL="staff-only/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/staff-only/"


DATABASE_KEYS = ("NAME", "OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")


def database_setting(**env):
    """The parts of the database setting that say how it is used, from a fresh interpreter."""
    result = load_settings(
        f"__import__('json').dumps({{k: s.DATABASES['default'].get(k) for k in {DATABASE_KEYS!r}}})",
        DJANGO_SECRET_KEY="x" * 50,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_connections_are_kept_for_a_minute_and_checked_before_reuse():
    database = database_setting(DATABASE_URL="postgres://registry:secret@db.example.org:5432/registry")
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    database = database_setting(
        DATABASE_URL="postgres://registry:secret@db.example.org:5432/registry", DJANGO_DB_CONN_MAX_AGE="0"
    )
    assert database["CONN_MAX_AGE"] == 0


def test_sqlite_logs_ahead_waits_for_the_write_lock_and_never_creates_a_missing_file():
    database = database_setting(DATABASE_URL="sqlite:////srv/registry/db.sqlite3")
    assert database == {
        "NAME": "file:/srv/registry/db.sqlite3?mode=rw",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 5,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
    }
