"""The page cache: anonymous visitors get cached pages, and never a page older than the last edit.

Each server process may have a cache of its own (Django's local-memory cache is the default),
so a change made through one process must reach the visitors of every other process at once.
The cache keys include the registry version, read from the database on every request; these
tests change the registry in each way the staff and the code do, and check the next request.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import CooperationActivity, Organisation

from .admin_forms import empty_inlines
from .helpers import body

pytestmark = pytest.mark.usefixtures("registry", "page_cache")

SHIP_REGISTRATION = "/cooperation/preventing-fraudulent-ship-registration-and-seafarer-certification/"
HEALTH_AT_BORDERS = "/cooperation/health-and-safety-measures-at-the-borders/"


@pytest.fixture
def staff(superuser):
    """A logged-in staff member's browser, beside the anonymous visitor's ``client``."""
    browser = Client()
    browser.force_login(superuser)
    return browser


PAGES = [
    "/",
    "/organisations/",
    "/organisations/?area=return&kind=un-system",
    "/agreements/",
    "/cooperation/?status=ongoing&organisation=iom",
    "/areas/",
    "/areas/return/",
    "/organisations/iom/",
    "/cooperation/fields-deployment/",
]


def query_count(client, url):
    with CaptureQueriesContext(connection) as captured:
        body(client.get(url))
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_a_repeated_anonymous_request_is_answered_from_the_cache_with_one_query(client, url):
    """The one query reads the registry version."""
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
    assert (again.status_code, again.content) == (200, first.content)
    assert again["Content-Type"] == first["Content-Type"]
    assert [query["sql"] for query in captured] == [
        query["sql"] for query in captured if "partnerships_registryversion" in query["sql"]
    ]
    assert len(captured) == 1


def test_security_headers_are_added_to_cached_answers_too(client):
    client.get("/")
    cached = client.get("/")
    assert cached["X-Frame-Options"] == "DENY"
    assert cached["X-Content-Type-Options"] == "nosniff"


def test_each_query_string_is_a_page_of_its_own(client):
    planned = client.get("/cooperation/", {"status": "planned"}).content.decode()
    exploring = client.get("/cooperation/", {"status": "exploring"}).content.decode()
    assert SHIP_REGISTRATION in planned and HEALTH_AT_BORDERS not in planned
    assert HEALTH_AT_BORDERS in exploring and SHIP_REGISTRATION not in exploring
    assert client.get("/cooperation/?status=planned").content.decode() == planned
    # Several values of one parameter, in another order, are another page (its links keep that order).
    both = client.get("/cooperation/?status=planned&status=exploring").content
    assert client.get("/cooperation/?status=exploring&status=planned").content != both


def test_an_edit_in_the_admin_shows_on_the_very_next_anonymous_request(client, staff):
    assert "World Health Organization" in client.get("/organisations/who/").content.decode()
    assert "World Health Organization" in client.get("/").content.decode()
    who = Organisation.objects.get(slug="who")
    change = reverse("admin:partnerships_organisation_change", args=[who.pk])
    form = staff.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        name="World Health Organisation (renamed)",
        areas=[area.pk for area in who.areas.all()],
        is_published="on",
        **empty_inlines("organisation"),
    )
    data.pop("parent", None)
    response = staff.post(change, data)
    assert response.status_code == 302, response.content.decode()
    assert "World Health Organisation (renamed)" in client.get("/organisations/who/").content.decode()
    assert "World Health Organisation (renamed)" in client.get("/").content.decode()


def test_the_admin_unpublish_action_reaches_the_next_anonymous_request(client, staff):
    """The action changes rows with one UPDATE, which sends no signals."""
    assert client.get("/organisations/who/").status_code == 200
    assert "/organisations/who/" in client.get("/organisations/").content.decode()
    who = Organisation.objects.get(slug="who")
    staff.post(
        reverse("admin:partnerships_organisation_changelist"), {"action": "unpublish", "_selected_action": [who.pk]}
    )
    assert client.get("/organisations/who/").status_code == 404
    assert "/organisations/who/" not in client.get("/organisations/").content.decode()


def test_a_change_through_another_server_process_reaches_this_one(client, settings):
    """Two processes, two local-memory caches: a change made through one is seen by the other."""
    process_a = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "a"}}
    process_b = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "b"}}
    settings.CACHES = process_a
    before_a = client.get("/areas/document-fraud/").content.decode()
    settings.CACHES = process_b
    before_b = client.get("/areas/document-fraud/").content.decode()
    assert "Cooperation activities (1)" in before_a and before_a == before_b
    settings.CACHES = process_a
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    activity.areas.remove(activity.areas.get(slug="document-fraud"))
    settings.CACHES = process_b
    assert "Cooperation activities (0)" in client.get("/areas/document-fraud/").content.decode()


def test_logged_in_staff_get_fresh_pages_and_leave_nothing_in_the_cache(client, staff):
    anonymous_page = client.get("/organisations/who/").content.decode()
    # A change no signal announces (raw SQL): only an uncached page can show it.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE partnerships_organisation SET name = 'Renamed in SQL' WHERE slug = 'who'")
    assert client.get("/organisations/who/").content.decode() == anonymous_page
    assert "Renamed in SQL" in staff.get("/organisations/who/").content.decode()
    cache.clear()
    staff.get("/organisations/iom/")
    assert query_count(client, "/organisations/iom/") > 1, "a staff member's page was stored"


@pytest.mark.parametrize(
    "url", ["/cooperation/?status=bogus", "/organisations/?page=0", "/organisations/nobody/", "/cooperation/?page=99"]
)
def test_error_answers_are_not_cached(client, url):
    first = client.get(url)
    assert first.status_code in (400, 404)
    assert query_count(client, url) > 1


def test_filtered_downloads_are_streamed_afresh_and_not_kept(client):
    """Full downloads are files of their own (tests/test_full_downloads.py)."""
    assert client.get("/cooperation/", {"format": "csv", "status": "ongoing"}).streaming
    assert query_count(client, "/cooperation/?format=csv&status=ongoing") > 1
    assert query_count(client, "/cooperation/?format=json&status=ongoing") > 1


def test_the_sitemap_is_cached_and_follows_edits(client):
    """A sitemap section lists up to 50,000 records: worth keeping, never after a change."""
    assert "/cooperation/fields-deployment/" in client.get("/sitemap-cooperation.xml").content.decode()
    assert query_count(client, "/sitemap-cooperation.xml") == 1
    CooperationActivity.objects.filter(slug="fields-deployment").update(is_published=False)
    assert "/cooperation/fields-deployment/" not in client.get("/sitemap-cooperation.xml").content.decode()


def test_the_scheme_is_part_of_the_key(client):
    """The sitemap writes absolute URLs, so an https page must not answer an http request."""
    http = client.get("/sitemap.xml").content.decode()
    https = client.get("/sitemap.xml", secure=True).content.decode()
    assert "http://testserver/sitemap-pages.xml" in http
    assert "https://testserver/sitemap-pages.xml" in https
