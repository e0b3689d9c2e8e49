"""The health check tells the truth, every public address answers HEAD as it answers GET, and
load balancers can probe over plain HTTP.

On SQLite the health check reads the real file: it answers 503 while another process holds
the file locked or the file is missing, and a missing file is never replaced by a new, empty one.
"""

import pytest
from django.urls import get_resolver

from partnerships.models import Agreement, Organisation

from .helpers import body
from .processes import manage, run_django, sqlite_url


@pytest.fixture
def agreement(registry):
    return Agreement.objects.create(
        title="Working arrangement with IOM",
        organisation=Organisation.objects.get(slug="iom"),
        kind="working-arrangement",
        status="in-force",
        is_published=True,
    )


def public_addresses(agreement):
    """One address of every public URL pattern, by name."""
    return {
        "home": "/",
        "organisation-list": "/organisations/",
        "organisation-detail": "/organisations/iom/",
        "agreement-list": "/agreements/",
        "agreement-detail": f"/agreements/{agreement.pk}/",
        "activity-list": "/cooperation/",
        "activity-detail": "/cooperation/fields-deployment/",
        "area-list": "/areas/",
        "area-detail": "/areas/return/",
        "source-detail": "/sources/international-organisations/",
        "sitemap": "/sitemap.xml",
        "sitemap-section": "/sitemap-organisations.xml",
        "robots": "/robots.txt",
        "healthz": "/healthz",
        "favicon": "/favicon.ico",
    }


def test_every_public_address_answers_head_as_it_answers_get(client, agreement):
    """Monitors and link checkers send HEAD. Every public URL pattern is listed here."""
    addresses = public_addresses(agreement)
    names = {pattern.name for pattern in get_resolver("partnerships.urls").url_patterns}
    assert names == set(addresses), "give each public URL pattern an address in public_addresses()"
    for url in [*addresses.values(), "/organisations/?format=csv", "/cooperation/?format=json&status=planned"]:
        get, head = client.get(url), client.head(url)
        assert get.status_code in (200, 301), url
        assert (head.status_code, head["Content-Type"]) == (get.status_code, get["Content-Type"]), url
        assert body(head) == "", url


def test_other_methods_are_still_refused(client, registry):
    assert client.post("/organisations/iom/").status_code == 405
    assert client.post("/healthz").status_code == 405


def test_the_health_check_is_not_redirected_to_https(client, db, settings):
    """A load balancer probes the application itself, over plain HTTP, behind the TLS proxy."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db(transaction=True)
def test_the_health_check_reads_the_registry(client):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE partnerships_registryversion RENAME TO moved_away")
    try:
        assert client.get("/healthz").status_code == 503
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE moved_away RENAME TO partnerships_registryversion")
    assert client.get("/healthz").status_code == 200


# Each request in a process of its own against a SQLite file, the connection closed after each
# as a server closes it. As in production: debug off (Django's debug page would stand in for
# the 503), static files without a collectstatic manifest; and a short wait for a locked file.
AS_IN_PRODUCTION = """
settings.DEBUG = False
plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": plain}}
settings.DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 0.2
"""


def run_on_sqlite(path, steps):
    code = f"""
import os, sqlite3
from django.db import connections
from django.test import Client

path = {str(path)!r}
visitor = Client(raise_request_exception=False)


def answers():
    statuses = {{}}
    pages = [("health", "/healthz"), ("cached page", "/organisations/who/"), ("page not cached", "/agreements/")]
    for name, url in pages:
        statuses[name] = visitor.get(url).status_code
        connections.close_all()
    statuses["file exists"] = os.path.exists(path)
    return statuses


visitor.get("/organisations/who/")
connections.close_all()
seen = {{}}
{steps}
print(json.dumps(seen))
"""
    return run_django(sqlite_url(path), code, AS_IN_PRODUCTION)


UP = {"health": 200, "cached page": 200, "page not cached": 200, "file exists": True}
DOWN = {"health": 503, "cached page": 200, "page not cached": 503}


def test_sqlite_a_missing_file_is_a_503_and_never_a_new_empty_database(sqlite_registry):
    seen = run_on_sqlite(
        sqlite_registry,
        """
os.rename(path, path + ".moved")
seen["missing"] = answers()
os.rename(path + ".moved", path)
seen["back"] = answers()
""",
    )
    assert seen == {"missing": {**DOWN, "file exists": False}, "back": UP}


def test_sqlite_a_file_another_process_holds_locked_is_a_503(sqlite_registry):
    seen = run_on_sqlite(
        sqlite_registry,
        """
holder = sqlite3.connect(path, isolation_level=None)
holder.execute("PRAGMA locking_mode=EXCLUSIVE")
holder.execute("BEGIN EXCLUSIVE")
holder.execute("UPDATE partnerships_registryversion SET number = number")
seen["locked"] = answers()
holder.execute("ROLLBACK")
holder.close()
seen["released"] = answers()
""",
    )
    assert seen == {"locked": {**DOWN, "file exists": True}, "released": UP}


def test_sqlite_only_migrate_creates_the_database_file(tmp_path):
    url = sqlite_url(tmp_path / "new.sqlite3")
    refused = manage(url, "load_shipped_data", check=False)
    assert refused.returncode != 0 and "unable to open database file" in refused.stderr
    assert not (tmp_path / "new.sqlite3").exists()
    assert f"Created the SQLite database {tmp_path / 'new.sqlite3'}." in manage(url, "migrate", "--noinput").stdout
    assert "Loaded the shipped data" in manage(url, "load_shipped_data").stdout
