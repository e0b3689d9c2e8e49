"""CSV and JSON downloads: exactly the filtered rows, all pages, streamed, with a file name."""

import csv
import io

import pytest
from django.utils import timezone

from partnerships import exports
from partnerships.models import Agreement, CooperationActivity, Organisation

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
            "citations": [
                {
                    "source": "international-organisations",
                    "passage": activity.citations.get().passage,
                    "locator": "“International Organisation for Migration (IOM)”, paragraph 1",
                }
            ],
            "dated_facts": [],
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


ACTIVITY_COLUMNS = [
    "slug",
    "title",
    "status",
    "priority",
    "partners",
    "areas",
    "regions",
    "starts_on",
    "ends_on",
    "agreement",
    "summary",
    "source",
    "source_passage",
    "url",
]
# JSON carries every citation and dated fact where CSV keeps the first citation's two columns.
ACTIVITY_JSON_FIELDS = [*ACTIVITY_COLUMNS[:11], "citations", "dated_facts", "url"]


@pytest.fixture
def agreement():
    agreement = Agreement.objects.create(
        title="Working arrangement with INTERPOL",
        organisation=Organisation.objects.get(slug="interpol"),
        kind="working-arrangement",
        status="in-force",
        is_published=True,
    )
    CooperationActivity.objects.filter(slug="fields-deployment").update(agreement=agreement)
    return agreement


def test_an_activity_row_names_its_relations_by_slug(client, agreement):
    rows = {row["slug"]: row for row in export_json(client, "/cooperation/")}
    fields = rows["fields-deployment"]
    assert list(fields) == ACTIVITY_JSON_FIELDS
    assert fields["partners"] == ["interpol"]
    assert fields["areas"] == ["document-fraud"]
    assert fields["priority"] == "major"
    assert fields["agreement"] == agreement.pk
    assert [citation["source"] for citation in fields["citations"]] == ["international-organisations"]
    assert [fact["slug"] for fact in fields["dated_facts"]] == ["fields-went-live"]
    assert fields["url"] == "/cooperation/fields-deployment/"
    technical = rows["technical-assistance-eastern-partnership-western-balkans-turkiye"]
    assert technical["regions"] == ["eastern-partnership", "turkiye", "western-balkans"]  # in name order


def test_the_csv_has_the_same_columns_and_joins_lists_with_semicolons(client):
    text = body(client.get("/cooperation/", {"format": "csv", "organisation": "iom"}))
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert list(rows[0]) == ACTIVITY_COLUMNS
    first = next(row for row in rows if row["slug"] == "return-international-protection-and-fundamental-rights")
    assert first["partners"] == "coe;iom;odihr;unhcr"
    assert first["starts_on"] == ""


def test_an_agreement_is_named_only_while_it_is_public(client, agreement):
    def named():
        return {row["slug"]: row["agreement"] for row in export_json(client, "/cooperation/")}["fields-deployment"]

    assert named() == agreement.pk
    Organisation.objects.filter(slug="interpol").update(is_published=False)
    assert named() is None, "the agreement's organisation is withdrawn, so the agreement is not public"
    Organisation.objects.filter(slug="interpol").update(is_published=True)
    Agreement.objects.filter(pk=agreement.pk).update(is_published=False)
    assert named() is None


@pytest.mark.parametrize("url", ["/organisations/", "/agreements/", "/cooperation/"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_reading_in_small_chunks_gives_the_same_download(client, monkeypatch, agreement, url, fmt):
    """Rows and their many-to-many lists stay together across chunk boundaries."""
    whole = body(client.get(url, {"format": fmt}))
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    assert body(client.get(url, {"format": fmt})) == whole
