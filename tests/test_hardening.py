"""Findings of an adversarial review, each with the answer it must now get.

Staff-only addresses that failed with a 500 answer 404 or 400; TRACE is refused everywhere;
each agreement has one address; a refused form token gets the site's own page; logging in
without a usable "next" address lands on the admin's front page; staff sessions last a working
day; no spreadsheet formula can start inside a downloaded cell.
"""

import csv
import io

import pytest
from django.urls import reverse

from partnerships.exports import csv_cell, csv_list
from partnerships.models import Agreement, CooperationActivity, Organisation

from .conftest import PASSWORD
from .helpers import body

pytestmark = pytest.mark.usefixtures("registry")

MODELS = ["cooperationarea", "region", "sourcedocument", "organisation", "agreement", "cooperationactivity"]


@pytest.fixture
def agreement():
    return Agreement.objects.create(
        title="Working arrangement", organisation=Organisation.objects.get(slug="iom"), kind="other",
        status="in-force", signed_on="2024-05-01", is_published=True,
    )  # fmt: skip


@pytest.mark.parametrize("model_name", MODELS)
def test_the_history_of_a_malformed_id_is_404(admin_client, model_name):
    assert admin_client.get(f"/admin/partnerships/{model_name}/abc/history/").status_code == 404


def test_a_malformed_version_of_a_record_is_404(admin_client):
    organisation = Organisation.objects.get(slug="iom")
    url = reverse("admin:partnerships_organisation_history", args=[organisation.pk])
    assert admin_client.get(f"{url}abc/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/partnerships/agreement/?signed_on__year=99999999999999999999",
        "/admin/partnerships/agreement/?signed_on__year=9999",
        "/admin/partnerships/agreement/?signed_on__year=2024&signed_on__month=99999999999999999999",
        "/admin/partnerships/sourcedocument/?published_on__year=99999999999999999999",
        "/admin/partnerships/agreement/?signed_on__year=abc",
        "/admin/partnerships/cooperationactivity/?starts_on__gte=abc",
    ],
)
def test_a_filter_value_the_list_cannot_use_is_400_naming_it(admin_client, agreement, url):
    response = admin_client.get(url)

    assert response.status_code == 400
    page = body(response)
    assert "cannot be used to filter" in page
    assert f"<code>{url.split('?')[1].split('=')[0]}</code>" in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/partnerships/agreement/?status__exact=%00",
        "/admin/partnerships/organisation/?q=%00",
        "/admin/autocomplete/?term=%00&app_label=partnerships&model_name=agreement&field_name=supersedes",
    ],
)
def test_a_null_character_in_an_admin_address_is_400(admin_client, agreement, url):
    """PostgreSQL cannot compare text holding a NUL: the request must not reach it."""
    response = admin_client.get(url)

    assert response.status_code == 400
    assert b"null character" in response.content


@pytest.mark.parametrize("field, value", [("parent", "abc"), ("areas", "abc"), ("parent", "99999999999999999999")])
def test_a_malformed_choice_on_the_organisation_form_is_a_form_error(admin_client, field, value):
    data = {
        "name": "Example body", "acronym": "EXB", "slug": "exb", "kind": "institution", "relationship": "active",
        "agreements-TOTAL_FORMS": 0, "agreements-INITIAL_FORMS": 0, field: value,
    }  # fmt: skip

    response = admin_client.post(reverse("admin:partnerships_organisation_add"), data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(slug="exb").exists()


@pytest.mark.parametrize(
    "url",
    ["/", "/sitemap.xml", "/sitemap-areas.xml", "/organisations/", "/organisations/iom/", "/robots.txt",
     "/healthz", "/admin/", "/admin/login/", "/no-such-page/"],
)  # fmt: skip
def test_trace_is_refused_on_every_address(client, url):
    response = client.generic("TRACE", url)

    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]


def test_an_agreement_has_one_address(client, agreement):
    assert client.get(f"/agreements/{agreement.pk}/").status_code == 200
    assert client.get(f"/agreements/000{agreement.pk}/").status_code == 404
    assert client.get(f"/agreements/0{agreement.pk}/").status_code == 404


def test_a_refused_form_token_gets_the_sites_own_page(client):
    client.handler.enforce_csrf_checks = True

    response = client.post("/admin/login/", {"username": "erin", "password": "x"})

    assert response.status_code == 403
    page = body(response)
    assert "<h1>The form could not be accepted</h1>" in page
    assert 'class="site-header"' in page and 'class="site-footer"' in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_logging_in_without_a_usable_next_address_leads_to_the_admin(client, superuser, next_url):
    response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_staff_session_lasts_a_working_day(client, superuser):
    response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD, "next": "/admin/"})

    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60
    assert client.session.get_expiry_age() == 8 * 60 * 60


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("ok;=1+1", "ok;'=1+1"),
        ("ok; +1", "ok; '+1"),
        ("a,-1", "a,'-1"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("a|=1", "a|'=1"),
        ("line\n=1", "line\n'=1"),
        ("UN + EU - border work", "UN + EU - border work"),
        (None, ""),
        (3, 3),
    ],
)
def test_no_formula_can_start_inside_a_cell(value, cell):
    assert csv_cell(value) == cell


def test_each_part_of_a_list_cell_is_defused():
    assert csv_list(["return", "=cmd"]) == "return;'=cmd"


def test_a_summary_with_a_formula_after_a_separator_is_downloaded_defused(client):
    CooperationActivity.objects.filter(slug="fields-deployment").update(summary="ok;=HYPERLINK(1)")

    response = client.get("/cooperation/", {"format": "csv", "priority": "major"})

    (row,) = list(csv.DictReader(io.StringIO(body(response)[1:])))
    assert row["summary"] == "ok;'=HYPERLINK(1)"
