"""While the database is unreachable: cached pages for visitors, a friendly 503 for everything else,
one log line per outage, what an editor typed kept, and recovery without a restart.

In this process the outage is every query failing as a stopped server makes it fail; the tests
at the end take a real SQLite file away and lock it, in a process of their own. CI also stops
and starts a real PostgreSQL server under the application (.ci/outage-rehearsal).
"""

import contextlib
import logging
import re

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from partnerships.models import Organisation
from partnerships.outage import outage

from .admin_forms import organisation_form

pytestmark = pytest.mark.usefixtures("registry", "page_cache")


@contextlib.contextmanager
def database_down():
    """Every query fails as it does once the server has gone away."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture(autouse=True)
def _fresh_process():
    """Each test starts, as a fresh server process does, with the database taken to be up."""
    outage.down = False
    yield
    outage.down = False


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def test_a_page_the_cache_holds_is_still_served_to_visitors(visitor):
    page = visitor.get("/organisations/who/")
    with database_down():
        again = visitor.get("/organisations/who/")
        head = visitor.head("/organisations/who/")
    assert (again.status_code, again.content) == (200, page.content)
    assert head.status_code == 200


def test_a_page_the_cache_does_not_hold_is_a_friendly_503_with_retry_after(visitor):
    with database_down():
        response = visitor.get("/organisations/iom/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "The registry is unavailable for a moment" in response.content.decode()


def test_a_page_cached_before_the_last_change_is_not_served(visitor):
    """It may show a record since withdrawn: only pages of the last version seen are current."""
    assert visitor.get("/organisations/who/").status_code == 200
    Organisation.objects.filter(slug="who").update(is_published=False)
    assert visitor.get("/organisations/iom/").status_code == 200  # this process sees the new version
    with database_down():
        assert visitor.get("/organisations/who/").status_code == 503
        assert visitor.get("/organisations/iom/").status_code == 200


@pytest.mark.parametrize("url", ["/organisations/?format=csv", "/cooperation/?format=json", "/api/v1/organisations/"])
def test_downloads_and_the_api_get_the_503_as_json(visitor, url):
    with database_down():
        response = visitor.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": "The registry's database is unavailable for a moment. Please try again shortly.",
        "retry_after": 30,
    }


def test_the_health_check_answers_503(visitor):
    with database_down():
        response = visitor.get("/healthz")
    assert (response.status_code, response.content) == (503, b"database unavailable\n")


def test_an_address_that_matches_no_page_gets_the_503_too(visitor):
    """The 404 page lists the source documents, from the database."""
    with database_down():
        response = visitor.get("/no-such-page/")
    assert response.status_code == 503
    assert "The registry is unavailable for a moment" in response.content.decode()


def test_staff_get_the_503_in_the_admin_not_cached_public_pages(admin_client, visitor):
    visitor.get("/organisations/who/")
    admin_client.raise_request_exception = False
    with database_down():
        assert admin_client.get("/organisations/who/").status_code == 503  # staff never see cached pages
        response = admin_client.get(reverse("admin:partnerships_organisation_changelist"))
    assert response.status_code == 503
    assert "The registry is unavailable for a moment" in response.content.decode()


def test_a_staff_save_that_fails_keeps_what_was_typed_and_can_be_sent_again(admin_client):
    who = Organisation.objects.get(slug="who")
    url = reverse("admin:partnerships_organisation_change", args=[who.pk])
    data = organisation_form(who, summary="A summary typed at length,\nover two lines.")
    admin_client.raise_request_exception = False
    with database_down():
        response = admin_client.post(url, data)
    content = response.content.decode()
    assert response.status_code == 503
    assert "What you sent has not been saved" in content
    assert f'<form method="post" action="{url}"' in content
    assert re.search(
        r'<textarea id="sent-\d+" name="summary" rows="6">A summary typed at length,\nover two lines.</textarea>',
        content,
    )
    assert f'name="acronym" value="{who.acronym}"' in content

    # The database is back: sending the page's form again saves the change.
    resent = {}
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', content):
        resent.setdefault(name, []).append(value)
    for name, value in re.findall(r'name="([^"]+)" rows="6">([^<]*)</textarea>', content):
        resent.setdefault(name, []).append(value)
    assert admin_client.post(url, resent).status_code == 302
    who.refresh_from_db()
    assert (who.summary, who.version) == ("A summary typed at length,\nover two lines.", 2)


def test_passwords_are_not_sent_back(client):
    client.raise_request_exception = False
    with database_down():
        response = client.post(reverse("admin:login"), {"username": "alice", "password": "s3cret-passw0rd"})
    content = response.content.decode()
    assert response.status_code == 503
    assert 'name="username" value="alice"' in content
    assert "s3cret-passw0rd" not in content and 'name="password"' not in content
    assert "Passwords are not repeated here" in content


def test_each_process_logs_the_outage_once_and_its_end(visitor, caplog):
    caplog.set_level(logging.INFO)
    with database_down():
        for url in ["/", "/organisations/iom/", "/healthz", "/cooperation/?format=csv", "/areas/"]:
            assert visitor.get(url).status_code == 503
        assert [(r.name, r.levelname) for r in caplog.records] == [("partnerships.outage", "ERROR")]
        assert "The database is unreachable (OperationalError: connection to server" in caplog.text
    caplog.clear()
    assert visitor.get("/organisations/iom/").status_code == 200
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("partnerships.outage", "WARNING", "The database answers again.")
    ]


def test_everything_answers_again_when_the_database_returns(visitor):
    with database_down():
        assert visitor.get("/organisations/iom/").status_code == 503
    assert visitor.get("/organisations/iom/").status_code == 200
    assert visitor.get("/healthz").status_code == 200
