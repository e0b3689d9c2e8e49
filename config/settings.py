"""Settings for the partnerships registry.

Everything that differs between a laptop and production comes from the environment,
read through the small helpers below. A missing or malformed value stops start-up with
an ImproperlyConfigured error that names the variable.
"""

import importlib.util
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None):
    """The variable's value, or ``default``; an absent variable with no default is an error."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name, default=False):
    """A yes/no variable: 1/true/yes/on or 0/false/no/off (any case)."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no or on/off, not {value!r}.")


def env_int(name, default):
    """A whole-number variable."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name, default=()):
    """A comma-separated list; blanks around items are ignored."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_cache(name, default):
    """A cache given as a URL, turned into a CACHES entry:

    - ``locmem://`` this process's memory (each server process has its own);
    - ``redis://host:6379/0`` or ``rediss://…`` a Redis server (needs ``pip install redis``);
    - ``db://table_name`` a table of the database (create it with ``manage.py createcachetable``);
    - ``dummy://`` no caching at all.

    Errors name the scheme, never the whole URL: a Redis URL may hold a password.
    """
    url = env_str(name, default).strip()
    scheme, separator, location = url.partition("://")
    scheme = scheme.lower()
    if not separator:
        raise ImproperlyConfigured(f"{name} must be a cache URL such as locmem:// or redis://host:6379/0.")
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "db":
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", location):
            raise ImproperlyConfigured(f"{name} must name the cache table as db://table_name, not {url!r}.")
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": location}
    if scheme in ("redis", "rediss"):
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if not host:
            raise ImproperlyConfigured(f"{name} must name the Redis server as {scheme}://host:6379/0.")
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured(f"{name} names a Redis server: install its client with `pip install redis`.")
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"{scheme}://{location}"}
    raise ImproperlyConfigured(
        f"{name} must start with locmem://, redis://, rediss://, db:// or dummy://, not {scheme}://."
    )


DEBUG = env_bool("DJANGO_DEBUG", default=False)

if DEBUG:
    # A fixed key is acceptable only on a developer's machine with debug on.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-do-not-use-in-production")
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Set the DJANGO_SECRET_KEY environment variable (required when DJANGO_DEBUG is off)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "partnerships",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerships.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

_database_url = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url,
            conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 0),
            # A kept connection is checked before each request reuses it, so a database restart
            # or failover costs one reconnection instead of a failed request.
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None

# Nothing that another application server would need lives in one server's memory: sessions
# are in the database, and the cache is shared once DJANGO_CACHE_URL names a shared one.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {"default": env_cache("DJANGO_CACHE_URL", "locmem://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
