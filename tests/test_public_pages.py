"""The public pages: what each shows, and that only published records are ever public."""

import pytest
from django.utils.html import escape

from partnerships.models import Agreement, CooperationActivity, Organisation

from .design import AREA_SLUGS, ORGANISATION_SLUGS
from .helpers import body, export_json

pytestmark = pytest.mark.usefixtures("registry")


@pytest.fixture
def agreement():
    return Agreement.objects.create(
        title="Working arrangement on return",
        organisation=Organisation.objects.get(slug="iom"),
        kind="working-arrangement",
        status="in-force",
        is_published=True,
    )


@pytest.mark.parametrize(
    "url",
    ["/", "/organisations/", "/agreements/", "/cooperation/", "/areas/"]
    + [f"/organisations/{slug}/" for slug in ORGANISATION_SLUGS]
    + [f"/areas/{slug}/" for slug in AREA_SLUGS],
)
def test_every_public_page_answers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_every_activity_page_shows_its_quoted_source_passage(client):
    for activity in CooperationActivity.objects.all():
        response = client.get(activity.get_absolute_url())
        assert response.status_code == 200
        [citation] = activity.citations.all()
        page = response.content.decode()
        assert f"<blockquote><p>{escape(citation.passage)}</p></blockquote>" in page
        assert (
            'Source: <a href="/sources/international-organisations/"><cite>International organisations</cite></a>'
            f", Frontex, {escape(citation.locator)}"
        ) in page


def test_an_agreement_page_shows_the_agreement(client, agreement):
    response = client.get(f"/agreements/{agreement.pk}/")
    assert response.status_code == 200
    assert "Working arrangement on return" in response.content.decode()


def test_the_organisation_page_shows_parent_areas_activities_and_sources(client):
    page = client.get("/organisations/odihr/").content.decode()
    assert '<a href="/organisations/osce/">Organization for Security and Co-operation in Europe (OSCE)</a>' in page
    assert "Cooperation in specific fields" in page
    assert "Warsaw, Poland" in page
    assert "/cooperation/return-international-protection-and-fundamental-rights/" in page
    assert "OSCE Office for Democratic Institutions and Human Rights (ODIHR)" in page  # the quoted passage


def test_the_parent_organisation_page_lists_its_bodies(client):
    page = client.get("/organisations/osce/").content.decode()
    assert (
        '<a href="/organisations/odihr/">OSCE Office for Democratic Institutions and Human Rights (ODIHR)</a>' in page
    )


def test_an_unpublished_record_answers_404_on_its_own_url(client, agreement):
    Organisation.objects.filter(slug="who").update(is_published=False)
    CooperationActivity.objects.filter(slug="fields-deployment").update(is_published=False)
    Agreement.objects.filter(pk=agreement.pk).update(is_published=False)
    assert client.get("/organisations/who/").status_code == 404
    assert client.get("/cooperation/fields-deployment/").status_code == 404
    assert client.get(f"/agreements/{agreement.pk}/").status_code == 404


def test_an_agreement_with_an_unpublished_organisation_is_not_public(client, agreement):
    Organisation.objects.filter(slug="iom").update(is_published=False)
    assert client.get(f"/agreements/{agreement.pk}/").status_code == 404
    assert export_json(client, "/agreements/") == []


def test_drafts_appear_nowhere_public(client, agreement):
    """A draft organisation is missing from lists, related lists, counts, the matrix, exports and the sitemap."""
    Organisation.objects.filter(slug="odihr").update(is_published=False)
    CooperationActivity.objects.filter(slug="fields-deployment").update(is_published=False)
    for url in ["/", "/organisations/", "/areas/", "/areas/return/", "/organisations/osce/", "/cooperation/"]:
        page = client.get(url).content.decode()
        assert "/organisations/odihr/" not in page, url
        assert "/cooperation/fields-deployment/" not in page, url
    partner_lists = [row["partners"] for row in export_json(client, "/cooperation/")]
    assert all("odihr" not in partners for partners in partner_lists)
    assert len(partner_lists) == 8
    assert "odihr" not in body(client.get("/organisations/", {"format": "csv"}))
    assert client.get("/", {}).context["organisation_count"] == 9
    assert client.get("/", {}).context["activity_count"] == 8
    sitemap = client.get("/sitemap-organisations.xml").content.decode()
    assert "/organisations/odihr/" not in sitemap
    assert "/organisations/osce/" in sitemap
    assert "/cooperation/fields-deployment/" not in client.get("/sitemap-cooperation.xml").content.decode()


def test_the_home_page_counts_published_records_per_area(client):
    response = client.get("/")
    areas = {area.slug: (area.organisation_count, area.activity_count) for area in response.context["areas"]}
    assert areas["return"] == (4, 1)
    assert areas["cross-border-crime"] == (4, 2)
    assert areas["document-fraud"] == (1, 1)
    assert response.context["organisation_count"] == 10
    assert response.context["activity_count"] == 9
    assert response.context["agreement_count"] == 0


def test_the_matrix_links_each_filled_cell_to_the_filtered_cooperation_list(client):
    response = client.get("/areas/")
    page = response.content.decode()
    assert '<th scope="col"><a href="/areas/return/">Return</a></th>' in page
    assert '<th scope="row"><a href="/organisations/iom/">IOM</a></th>' in page
    assert 'href="/cooperation/?organisation=iom&amp;area=risk-analysis"' in page
    assert 'href="/cooperation/?organisation=who&amp;area=return"' not in page
    iom = next(row for row in response.context["rows"] if row["organisation"].slug == "iom")
    filled = {cell["area"].slug: cell["activities"] for cell in iom["cells"] if cell["declared"]}
    assert filled == {
        "return": 1,
        "international-protection": 1,
        "fundamental-rights": 1,
        "capacity-building": 1,
        "risk-analysis": 1,
        "trafficking-in-human-beings": 1,
    }


def test_the_area_page_lists_its_organisations_and_activities(client):
    response = client.get("/areas/health-at-borders/")
    assert [o.slug for o in response.context["organisations"]] == ["who"]
    assert [a.slug for a in response.context["activities"]] == ["health-and-safety-measures-at-the-borders"]


@pytest.mark.parametrize(
    "url", ["/organisations/nobody/", "/cooperation/nothing/", "/areas/nowhere/", "/agreements/1/"]
)
def test_unknown_records_answer_404_with_the_site_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    assert response.content.decode() == "User-agent: *\nDisallow: /admin/\nSitemap: http://testserver/sitemap.xml\n"


def test_the_sitemap_index_lists_its_sections(client):
    body = client.get("/sitemap.xml").content.decode()
    for section in ["pages", "organisations", "agreements", "cooperation", "areas"]:
        assert f"http://testserver/sitemap-{section}.xml" in body


def test_healthz_answers_200_while_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_the_favicon_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")
