"""The CSV and JSON downloads: their columns, chunked reading, and only public records named."""

import csv
import io

import pytest

from partnerships import exports
from partnerships.models import Agreement, CooperationActivity, Organisation

from .helpers import body, export_json

pytestmark = pytest.mark.usefixtures("registry")

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
    assert list(fields) == ACTIVITY_COLUMNS
    assert fields["partners"] == ["interpol"]
    assert fields["areas"] == ["document-fraud"]
    assert fields["priority"] == "major"
    assert fields["agreement"] == agreement.pk
    assert fields["source"] == "international-organisations"
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
