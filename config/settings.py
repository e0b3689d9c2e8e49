"""Settings for the partnerships registry.

Everything that differs between a laptop and production comes from the environment,
read through the small helpers below. A missing or malformed value stops start-up with
an ImproperlyConfigured error that names the variable.
"""

import datetime
import os
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# Seconds a SQLite write waits for another to finish before giving up (README, "SQLite").
SQLITE_BUSY_TIMEOUT = 5

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


def sqlite_database(name):
    """The DATABASES entry's NAME and OPTIONS for a SQLite file, for several processes at once.

    - Write-ahead logging: visitors read while an editor writes.
    - Every transaction takes the write lock at its start (``BEGIN IMMEDIATE``), waiting up to
      the busy timeout for another writer to finish. A transaction that read first and asked
      for the lock later could not wait (the other writer may be waiting for it), so SQLite
      would refuse it at once with "database is locked".
    - The file is opened read-write only (``mode=rw``): a missing file is an error, never a new,
      empty database. ``manage.py migrate`` creates it (partnerships/management/commands/migrate.py).
    """
    if name == ":memory:" or str(name).startswith("file:"):
        return {"NAME": name}
    return {
        "NAME": f"file:{quote(str(name))}?mode=rw",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }


def env_cache(name, default):
    """A cache given as a URL, turned into a CACHES entry:

    - ``locmem://`` this process's memory (each server process has its own);
    - ``redis://host:6379/0`` or ``rediss://…`` a Redis server (its client is in requirements.txt);
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
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "partnerships",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # While the database is unreachable: cached pages for visitors, a 503 for everything else.
    "partnerships.outage.DatabaseOutageMiddleware",
    "csp.middleware.CSPMiddleware",
    # TRACE answered 405 everywhere, NUL characters kept away from the admin's queries.
    "partnerships.middleware.RequestScreening",
    # Any site may read the open data (API, catalogue, downloads), 304s and cached copies included.
    "partnerships.cors.OpenDataCorsMiddleware",
    # Before the session: anonymous answers from the page cache, and 304s, cost no session,
    # user, CSRF or message work (partnerships/caching.py).
    "partnerships.caching.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the logged-in user on history entries written outside the admin's save_model.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# The search index is derived data: never dumped or loaded (partnerships/search/entries.py).
DATABASE_ROUTERS = ["partnerships.search.entries.SearchIndexRouter"]

WSGI_APPLICATION = "config.wsgi.application"

_database_url = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(_database_url)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# Connections are kept across requests on a database server (opening one costs a server
# process and an authentication); SQLite opens a file, which costs nothing worth keeping.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_DB_CONN_MAX_AGE", 0 if _sqlite else 60)
# A kept connection is checked before each request reuses it, so a database restart or
# failover costs one reconnection instead of a failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if _sqlite:
    DATABASES["default"] |= sqlite_database(DATABASES["default"]["NAME"])

# Nothing that another application server would need lives in one server's memory: sessions
# are in the database, and the cache is shared once DJANGO_CACHE_URL names a shared one.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {"default": env_cache("DJANGO_CACHE_URL", "locmem://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

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
# Dates in the admin as on the public pages: "2 December 2026", times "17:05" (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Where the full downloads of the registers are written, once per registry version
# (partnerships/downloads.py): a directory the application may write to, on each host.
DOWNLOADS_DIR = Path(env_str("DJANGO_DOWNLOADS_DIR", str(BASE_DIR / "downloads")))

# The staff admin's path, e.g. "staff/"; a less obvious one draws fewer password-guessing bots.
ADMIN_URL = env_str("DJANGO_ADMIN_URL", "admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured(f"DJANGO_ADMIN_URL must be a path such as 'staff/', ending in '/', not {ADMIN_URL!r}.")

# --- Production security -----------------------------------------------------------------
# With debug off the site is served over HTTPS only. Each switch can be set from the
# environment, e.g. where the proxy in front already redirects plain HTTP.

# Behind a proxy that terminates TLS, Django sees plain HTTP and must learn the scheme from the
# proxy's X-Forwarded-Proto header. Trust it only when told to: without such a proxy stripping
# the header, any client could send it.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the health check over plain HTTP, behind the proxy that terminates TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# A form refused for its missing or expired token gets a page in the site's layout.
CSRF_FAILURE_VIEW = "partnerships.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts, styles and images come from the site itself, never inline: the public pages use
# one self-hosted stylesheet, and the Django admin needs no inline code (tests/test_security.py
# audits its pages).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The read-only API (partnerships/api/): anonymous, JSON only, its errors as JSON objects.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partnerships.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnerships registry API",
    "DESCRIPTION": (
        "Read-only access to the published records of the partnerships registry: organisations, "
        "agreements, cooperation activities, cooperation areas, regions and source documents. "
        "Lists take the same filters as the registers on the site. No key is needed."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": [],
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKind": "partnerships.models.Organisation.Kind",
        "Relationship": "partnerships.models.Organisation.Relationship",
        "AgreementKind": "partnerships.models.Agreement.Kind",
        "AgreementStatus": "partnerships.models.Agreement.Status",
        "ActivityStatus": "partnerships.models.CooperationActivity.Status",
        "Priority": "partnerships.models.CooperationActivity.Priority",
        "RegionKind": "partnerships.models.Region.Kind",
    },
}

# What the open-data catalogue (/catalog.jsonld, /catalog.ttl) and /data/ say about reuse.
REGISTRY_DATA_LICENCE = env_str("REGISTRY_DATA_LICENCE", "https://creativecommons.org/licenses/by/4.0/")
if not re.fullmatch(r"https?://\S+", REGISTRY_DATA_LICENCE):
    raise ImproperlyConfigured(f"REGISTRY_DATA_LICENCE must be the licence's URL, not {REGISTRY_DATA_LICENCE!r}.")
# Who publishes the data, as the catalogue names them.
REGISTRY_PUBLISHER_NAME = env_str("REGISTRY_PUBLISHER_NAME", "Partnerships registry")
# Where reusers write with questions about the data; without it, the catalogue points to /data/.
REGISTRY_CONTACT_EMAIL = env_str("REGISTRY_CONTACT_EMAIL", "")
if REGISTRY_CONTACT_EMAIL and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", REGISTRY_CONTACT_EMAIL):
    raise ImproperlyConfigured(f"REGISTRY_CONTACT_EMAIL must be an e-mail address, not {REGISTRY_CONTACT_EMAIL!r}.")

# Login throttling (django-axes): after five failed attempts for one user name from one
# address, logging in is refused for DJANGO_LOGIN_LOCKOUT_MINUTES.
# Login throttling (django-axes, partnerships/lockout.py): after five failed attempts for one
# user name from one client address, or twenty from one address whatever the user names, that
# login is refused for DJANGO_LOGIN_LOCKOUT_MINUTES.
_lockout_minutes = env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 15)
if _lockout_minutes < 1:
    # axes would read no cool-off time as "locked until an administrator lifts it".
    raise ImproperlyConfigured(f"DJANGO_LOGIN_LOCKOUT_MINUTES must be 1 or more, not {_lockout_minutes}.")
AXES_FAILURE_LIMIT = 5
LOGIN_FAILURES_PER_ADDRESS = 20
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_lockout_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "partnerships.lockout.LoginAttempts"
AXES_CLIENT_IP_CALLABLE = "partnerships.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every start-up and management command
AXES_LOCKOUT_CALLABLE = "partnerships.lockout.locked_out"

# How many proxies in front of the application servers append to X-Forwarded-For: the client's
# address is read that many places from the header's end (0: the connection's own address).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}.")

# Staff sessions end after a working day (DJANGO_SESSION_COOKIE_AGE seconds), not Django's two weeks.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 8 * 60 * 60)
if SESSION_COOKIE_AGE < 60:
    raise ImproperlyConfigured(f"DJANGO_SESSION_COOKIE_AGE must be 60 seconds or more, not {SESSION_COOKIE_AGE}.")
# After logging in without a usable "next" address (a missing one, or one refused as off-site),
# staff land on the admin's front page.
LOGIN_REDIRECT_URL = "admin:index"

# The edit history is a record, not an undo button: reverting to an old version would also
# put back its publication state, whether or not the user may publish.
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
