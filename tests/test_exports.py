"""CSV and JSON downloads: exactly the filtered rows, all pages, streamed, with a file name."""

import csv
import io

import pytest
from django.utils import timezone

from partnerships.models import CooperationActivity, Organisation

from .helpers import body, export_json

pytestmark = pytest.mark.usefixtures("registry")

TA_SLUG = "technical-assistance-eastern-partnership-western-balkans-turkiye"


def read_csv(response):
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_json_download_names_related_records_by_slug(client):
    rows = export_json(client, "/cooperation/", {"organisation": "iom", "region": "turkiye"})
    activity = CooperationActivity.objects.get(slug=TA_SLUG)
    assert rows == [
        {
            "slug": TA_SLUG,
            "title": activity.title,
            "status": "ongoing",
            "priority": "normal",
            "partners": ["iom"],
            "areas": ["capacity-building"],
            "regions": ["eastern-partnership", "turkiye", "western-balkans"],
            "starts_on": None,
            "ends_on": None,
            "agreement": None,
            "summary": activity.summary,
            "source": "international-organisations",
            "source_passage": activity.source_passage,
            "url": f"/cooperation/{TA_SLUG}/",
        }
    ]


def test_the_organisation_download_carries_parent_and_areas(client):
    (odihr,) = export_json(client, "/organisations/", {"kind": "institution"})
    assert odihr["slug"] == "odihr"
    assert odihr["parent"] == "osce"
    assert odihr["areas"] == ["return", "international-protection", "fundamental-rights"]
    assert odihr["relationship"] == "active"


@pytest.mark.parametrize(
    "url, params",
    [
        ("/organisations/", {"area": "return"}),
        ("/organisations/", {}),
        ("/cooperation/", {"organisation": "interpol"}),
        ("/cooperation/", {"status": ["planned", "exploring"]}),
        ("/agreements/", {}),
    ],
)
def test_csv_and_json_carry_the_same_rows_as_the_page(client, url, params):
    page = client.get(url, params).context["page"]
    key = "id" if url == "/agreements/" else "slug"
    expected = [str(getattr(record, "pk" if key == "id" else key)) for record in page.object_list]
    assert [str(row[key]) for row in export_json(client, url, params)] == expected
    assert [row[key] for row in read_csv(client.get(url, {**params, "format": "csv"}))] == expected


def test_the_csv_download_is_an_attachment_with_a_dated_file_name(client):
    response = client.get("/cooperation/", {"format": "csv", "status": "planned"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="cooperation-{today}.csv"'
    rows = read_csv(response)
    assert [(row["slug"], row["partners"], row["areas"]) for row in rows] == [
        ("preventing-fraudulent-ship-registration-and-seafarer-certification", "imo", "coast-guard")
    ]


def test_the_json_download_is_a_streamed_array(client):
    response = client.get("/organisations/", {"format": "json"})
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="organisations-')
    assert body(response).startswith("[\n{")


def test_lists_in_csv_cells_are_joined_by_semicolons(client):
    (row,) = read_csv(client.get("/cooperation/", {"format": "csv", "priority": "major"}))
    assert row["partners"] == "interpol"
    (row,) = read_csv(client.get("/organisations/", {"format": "csv", "kind": "institution"}))
    assert row["areas"] == "return;international-protection;fundamental-rights"


def test_a_cell_that_looks_like_a_formula_is_defused(client):
    CooperationActivity.objects.filter(slug="fields-deployment").update(title="=HYPERLINK(1)")
    (row,) = read_csv(client.get("/cooperation/", {"format": "csv", "priority": "major"}))
    assert row["title"] == "'=HYPERLINK(1)"
    (row,) = export_json(client, "/cooperation/", {"priority": "major"})
    assert row["title"] == "=HYPERLINK(1)"


def test_the_download_leaves_out_unpublished_partners(client):
    Organisation.objects.filter(slug="odihr").update(is_published=False)
    (row,) = export_json(client, "/cooperation/", {"area": "return"})
    assert row["partners"] == ["coe", "iom", "unhcr"]  # by name: Council of Europe, IOM, UN Refugee Agency
