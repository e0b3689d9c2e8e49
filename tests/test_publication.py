"""Cooperation areas, regions and source documents reach the public only once published.

A draft area, a draft region, and a source document that is a draft or that only drafts cite,
must appear on no public surface: pages, error pages, the footer of every page, filter forms,
the sitemap, counts and downloads.
"""

import pytest

from partnerships.models import Citation, CooperationActivity, CooperationArea, Organisation, Region, SourceDocument

from .helpers import body, export_json

# How the footer lists the shipped source document.
FOOTER_SOURCE = '<a href="/sources/international-organisations/">International organisations</a>'

pytestmark = pytest.mark.usefixtures("registry")

TA_SLUG = "technical-assistance-eastern-partnership-western-balkans-turkiye"

PUBLIC_PAGES = [
    "/",
    "/organisations/",
    "/organisations/iom/",
    "/agreements/",
    "/cooperation/",
    "/cooperation/fields-deployment/",
    f"/cooperation/{TA_SLUG}/",
    "/areas/",
    "/areas/return/",
]
# Error pages carry the footer too.
ERROR_PAGES = [("/organisations/nobody/", 404), ("/cooperation/?status=bogus", 400), ("/areas/?page=x", 400)]
REGISTERS = ["/organisations/", "/agreements/", "/cooperation/"]


@pytest.fixture
def draft_area():
    area = CooperationArea.objects.create(name="Arctic corridors", slug="arctic-corridors", display_order=1)
    Organisation.objects.get(slug="iom").areas.add(area)
    CooperationActivity.objects.get(slug="fields-deployment").areas.add(area)
    return area


@pytest.fixture
def draft_region():
    region = Region.objects.create(name="Atlantis", slug="atlantis")
    CooperationActivity.objects.get(slug=TA_SLUG).regions.add(region)
    return region


def pages(client, urls):
    for url, status in urls:
        response = client.get(url)
        assert response.status_code == status, url
        yield url, body(response)


def every_page(client):
    return pages(client, [(url, 200) for url in PUBLIC_PAGES] + ERROR_PAGES)


def test_a_draft_area_is_on_no_public_page(client, draft_area):
    for url, page in every_page(client):
        assert "arctic-corridors" not in page, url
        assert "Arctic corridors" not in page, url
    assert client.get("/areas/arctic-corridors/").status_code == 404
    assert "arctic-corridors" not in body(client.get("/sitemap-areas.xml"))


def test_a_draft_area_is_in_no_count_filter_or_download(client, draft_area):
    assert [area.slug for area in client.get("/").context["areas"]] == list(
        CooperationArea.objects.exclude(pk=draft_area.pk).values_list("slug", flat=True)
    )
    assert "arctic-corridors" not in [area.slug for area in client.get("/areas/").context["areas"]]
    for url in REGISTERS:
        choices = [value for value, _ in client.get(url).context["filter"].form.fields["area"].choices]
        assert "arctic-corridors" not in choices, url
        response = client.get(url, {"area": "arctic-corridors"})
        assert response.status_code == 400, url
        assert "<code>area</code>" in body(response)
    iom = next(row for row in export_json(client, "/organisations/") if row["slug"] == "iom")
    assert "arctic-corridors" not in iom["areas"]
    fields = next(row for row in export_json(client, "/cooperation/") if row["slug"] == "fields-deployment")
    assert fields["areas"] == ["document-fraud"]
    assert "arctic-corridors" not in body(client.get("/cooperation/", {"format": "csv"}))


def test_a_published_area_is_public(client, draft_area):
    CooperationArea.objects.filter(pk=draft_area.pk).update(is_published=True)
    assert client.get("/areas/arctic-corridors/").status_code == 200
    assert "arctic-corridors" in body(client.get("/organisations/iom/"))
    assert client.get("/cooperation/", {"area": "arctic-corridors"}).context["page"].paginator.count == 1
    assert "/areas/arctic-corridors/" in body(client.get("/sitemap-areas.xml"))


def test_a_draft_region_is_on_no_public_page_filter_or_download(client, draft_region):
    for url, page in every_page(client):
        assert "Atlantis" not in page, url
        assert "atlantis" not in page, url
    choices = [value for value, _ in client.get("/cooperation/").context["filter"].form.fields["region"].choices]
    assert "atlantis" not in choices
    assert client.get("/cooperation/", {"region": "atlantis"}).status_code == 400
    (row,) = export_json(client, "/cooperation/", {"region": "turkiye"})
    assert row["regions"] == ["eastern-partnership", "turkiye", "western-balkans"]


@pytest.fixture
def cited_by_a_draft():
    """A published source whose only citing record is a draft activity."""
    source = SourceDocument.objects.create(
        title="Internal planning note",
        slug="internal-planning-note",
        publisher="Planning unit",
        url="https://intranet.example.org/note",
        is_published=True,
    )
    activity = CooperationActivity.objects.create(title="Planned exchange", slug="planned-exchange")
    Citation.objects.create(activity=activity, source=source, passage="An exchange is planned.")
    return source


def test_a_source_that_only_drafts_cite_is_on_no_page_and_in_no_footer(client, cited_by_a_draft):
    for url, page in every_page(client):
        assert "Internal planning note" not in page, url
        assert "intranet.example.org" not in page, url
        assert FOOTER_SOURCE in page, url  # the footer lists the public source
    assert set(SourceDocument.objects.public()) == set(SourceDocument.objects.exclude(slug="internal-planning-note"))


def test_a_source_is_public_once_a_published_record_cites_it(client, cited_by_a_draft):
    CooperationActivity.objects.filter(slug="planned-exchange").update(is_published=True)

    assert "Internal planning note" in body(client.get("/"))
    assert "Internal planning note" in body(client.get("/cooperation/planned-exchange/"))


def test_a_draft_source_is_not_shown_even_where_a_published_record_cites_it(client):
    SourceDocument.objects.update(is_published=False)

    for url, page in every_page(client):
        assert FOOTER_SOURCE not in page, url  # the footer's list
        assert "/sources/international-organisations/" not in page, url  # a citation's source link
    # A citation of a draft source is not shown at all: neither the document nor its passage.
    page = body(client.get("/cooperation/fields-deployment/"))
    passage = Citation.objects.filter(activity__slug="fields-deployment").first().passage
    assert passage and passage not in page
    assert all(row["citations"] == [] for row in export_json(client, "/cooperation/"))
    assert "international-organisations" not in body(client.get("/cooperation/", {"format": "csv"}))
    assert SourceDocument.objects.public().count() == 0


def test_the_csrf_failure_page_footer_lists_only_public_sources(client, cited_by_a_draft):
    client.handler.enforce_csrf_checks = True
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = body(response)
    assert FOOTER_SOURCE in page
    assert "Internal planning note" not in page
