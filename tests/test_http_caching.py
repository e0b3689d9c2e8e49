"""Validators that browsers and proxies can use, and the early page-cache path.

Every public answer carries a strong ETag (registry version and representation), Last-Modified
(the registry's last change) and Cache-Control that allows keeping a copy but asks for
revalidation before each use; a conditional request whose validators match is answered 304
without rendering. For anonymous visitors without a session cookie, cached answers and 304s are
given before the session middleware runs; staff answers are never cacheable.
"""

import datetime

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from partnerships.models import Organisation, RegistryVersion

from .helpers import body

pytestmark = pytest.mark.usefixtures("registry", "page_cache")

# One address of each kind of public answer.
PUBLIC_ANSWERS = [
    "/",
    "/organisations/",
    "/organisations/?area=return",
    "/agreements/",
    "/cooperation/?status=ongoing",
    "/areas/",
    "/areas/return/",
    "/organisations/iom/",
    "/cooperation/fields-deployment/",
    "/organisations/?format=csv",
    "/cooperation/?format=json",
    "/sitemap.xml",
    "/sitemap-cooperation.xml",
    "/robots.txt",
    "/api/v1/",
    "/api/v1/organisations/?area=return",
    "/api/v1/agreements/",
    "/api/v1/cooperation/fields-deployment/",
    "/api/v1/areas/return/",
    "/api/v1/schema/?format=json",
    "/api/v1/docs/",
    "/catalog.jsonld",
    "/catalog.ttl",
    "/data/",
    "/data/areas.csv",
    "/cooperation/feed/?status=ongoing",
    "/organisations/iom/feed/",
    "/areas/return/feed/",
    "/changes/",
    "/changes/?record=organisations/iom",
    "/changes/feed/",
]


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    body(response)
    return response


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = get(client, url, **headers)
    return response, [query["sql"] for query in captured]


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("url", PUBLIC_ANSWERS)
def test_every_public_answer_carries_validators(client, url):
    response = get(client, url)
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2, "a strong ETag"
    assert parse_http_date(response["Last-Modified"]) == int(RegistryVersion.state()[1].timestamp())
    assert cache_control(response) == {"public", "no-cache"}
    assert response["X-Accel-Expires"] == "@1", "nginx keeps a copy and revalidates it before each use"
    assert {"cookie", "accept-encoding"} <= vary(response)


@pytest.mark.parametrize("url", PUBLIC_ANSWERS)
def test_a_matching_if_none_match_is_answered_304_without_rendering(client, url):
    etag = get(client, url)["ETag"]
    cache.clear()  # not even the page cache is needed: the version and the address decide
    response, sql = queries(client, url, if_none_match=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert cache_control(response) == {"public", "no-cache"}
    assert len(sql) == 1 and "partnerships_registryversion" in sql[0]


@pytest.mark.parametrize("url", ["/organisations/", "/organisations/?format=csv", "/sitemap.xml"])
def test_if_modified_since_the_last_change_is_answered_304(client, url):
    last_modified = get(client, url)["Last-Modified"]
    assert get(client, url, if_modified_since=last_modified).status_code == 304
    earlier = http_date(parse_http_date(last_modified) - 1)
    assert get(client, url, if_modified_since=earlier).status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/organisations/", "/api/v1/organisations/iom/", "/api/v1/cooperation/?area=return"]
)
def test_the_api_answers_if_modified_since_with_304_until_an_edit(client, url):
    """An API client that keeps only the date (``curl -z``) revalidates as a browser does."""
    # The last change a minute ago, so that the edit below falls in a later second.
    RegistryVersion.objects.filter(pk=1).update(changed_at=timezone.now() - datetime.timedelta(minutes=1))
    first = get(client, url)
    assert first.status_code == 200
    not_modified = get(client, url, if_modified_since=first["Last-Modified"])
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert not_modified["Access-Control-Allow-Origin"] == "*"

    iom = Organisation.objects.get(slug="iom")
    iom.summary = "A summary changed after the first request."
    iom.save()

    changed = get(client, url, if_modified_since=first["Last-Modified"])
    assert changed.status_code == 200
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(first["Last-Modified"])
    if url.endswith("/iom/"):
        assert "A summary changed after the first request." in body(changed)


def test_an_edit_gives_a_new_etag_and_the_old_one_no_longer_matches(client):
    first = get(client, "/organisations/who/")
    who = Organisation.objects.get(slug="who")
    who.summary = "A summary changed after the first visit."
    who.save()
    again = get(client, "/organisations/who/", if_none_match=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "A summary changed after the first visit." in again.content.decode()


def test_each_representation_has_its_own_etag(client):
    etags = {get(client, url)["ETag"] for url in ["/organisations/", "/organisations/?format=csv", "/agreements/"]}
    assert len(etags) == 3
    assert client.get("/sitemap.xml")["ETag"] != client.get("/sitemap.xml", secure=True)["ETag"]


def test_a_weak_or_other_etag_gets_the_whole_answer(client):
    assert get(client, "/areas/", if_none_match='"something-else"').status_code == 200


def test_logged_in_staff_answers_are_private_and_carry_no_validators(client, superuser):
    staff = Client()
    staff.force_login(superuser)
    for url in ["/", "/organisations/iom/", "/organisations/?format=csv", "/admin/"]:
        response = get(staff, url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= cache_control(response), url
        assert "public" not in cache_control(response), url
        assert "ETag" not in response, url
        assert "cookie" in vary(response), url


def test_a_staff_member_is_not_answered_304_from_a_public_etag(client, superuser):
    etag = get(client, "/organisations/iom/")["ETag"]
    staff = Client()
    staff.force_login(superuser)
    assert get(staff, "/organisations/iom/", if_none_match=etag).status_code == 200


def test_cached_answers_and_304s_skip_the_session_middleware(client, monkeypatch):
    """A request without a session cookie is anonymous: no session is loaded for it."""
    first = get(client, "/cooperation/?status=ongoing")
    download_etag = get(client, "/cooperation/?format=csv")["ETag"]

    def no_session(self, request):
        raise AssertionError("the session middleware ran")

    monkeypatch.setattr(SessionMiddleware, "process_request", no_session)
    cached = get(client, "/cooperation/?status=ongoing")
    assert (cached.status_code, cached.content) == (200, first.content)
    assert get(client, "/cooperation/?status=ongoing", if_none_match=first["ETag"]).status_code == 304
    assert get(client, "/cooperation/?format=csv", if_none_match=download_etag).status_code == 304


def test_a_visitor_with_a_session_cookie_is_not_served_before_the_session_is_read(client, superuser, monkeypatch):
    staff = Client()
    staff.force_login(superuser)
    get(client, "/organisations/iom/")  # now cached for anonymous visitors
    calls = []
    original = SessionMiddleware.process_request
    monkeypatch.setattr(
        SessionMiddleware, "process_request", lambda self, request: calls.append(1) or original(self, request)
    )
    get(staff, "/organisations/iom/")
    assert calls == [1]


def test_a_head_request_is_answered_from_the_cache_without_a_body(client):
    full = get(client, "/areas/")
    response, sql = queries(client, "/areas/", **{})
    head = client.head("/areas/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == full["ETag"]
    assert len(sql) == 1


def test_unknown_parameters_neither_bypass_the_cache_nor_make_entries(client):
    first = get(client, "/sitemap-cooperation.xml")
    entries = len(cache._cache)
    for junk in ["junk=1", "junk=2&other=x", "utm_source=feed"]:
        response, sql = queries(client, f"/sitemap-cooperation.xml?{junk}")
        assert (response.status_code, response.content) == (200, first.content)
        assert len(sql) == 1, junk
    assert len(cache._cache) == entries


def test_a_register_ignores_unknown_parameters_and_keeps_them_out_of_its_links(client):
    clean = get(client, "/cooperation/?status=ongoing")
    cache.clear()
    junk = get(client, "/cooperation/?status=ongoing&junk=zzz-marker")
    assert junk.content == clean.content
    assert b"zzz-marker" not in junk.content
    assert get(client, "/cooperation/?status=ongoing")["ETag"] == junk["ETag"]


def test_the_order_of_parameters_does_not_make_another_entry(client):
    first = get(client, "/organisations/?area=return&kind=un-system")
    response, sql = queries(client, "/organisations/?kind=un-system&area=return")
    assert (response.status_code, response.content) == (200, first.content)
    assert len(sql) == 1


def test_error_answers_carry_no_validators(client):
    for url in ["/cooperation/?status=bogus", "/organisations/nobody/"]:
        response = get(client, url)
        assert response.status_code in (400, 404)
        assert "ETag" not in response
        assert "public" not in cache_control(response)
