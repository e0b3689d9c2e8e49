"""/data/ and the downloads it lists: every download, the licence, the field tables, JSON-LD.

The field tables are checked against the files themselves (each table's columns are exactly the
download's CSV header and JSON keys, in order), so the page cannot drift from the downloads.
"""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from rdflib import Graph

from partnerships import exports
from partnerships.download_fields import describe
from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
)

from .design import AREA_SLUGS
from .helpers import body, export_json

pytestmark = pytest.mark.usefixtures("registry")


class Tables(HTMLParser):
    """The rows' first cells of each table with an id, and every link of the page."""

    def __init__(self):
        super().__init__()
        self.tables, self.links, self.current, self.in_row_header = {}, set(), None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = self.tables.setdefault(attrs["id"], [])
        elif tag == "th" and attrs.get("scope") == "row" and self.current is not None:
            self.in_row_header = True
            self.current.append("")
        elif tag == "a":
            self.links.add(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "th":
            self.in_row_header = False
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.in_row_header:
            self.current[-1] += data.strip()


@pytest.fixture
def data_page(client, agreement):
    response = client.get("/data/")
    assert response.status_code == 200
    parsed = Tables()
    parsed.feed(body(response))
    parsed.text = body(response)
    return parsed


@pytest.fixture
def agreement(registry):
    """A published agreement (the shipped data records none), so that its download has a row."""
    return Agreement.objects.create(
        title="Working arrangement", organisation=Organisation.objects.get(slug="iom"), kind="working-arrangement",
        status="in-force", is_published=True,
    )  # fmt: skip


DOWNLOADS = {
    "organisations": "/organisations/",
    "agreements": "/agreements/",
    "cooperation": "/cooperation/",
    "areas": "/data/areas.{fmt}",
    "regions": "/data/regions.{fmt}",
    "sources": "/data/sources.{fmt}",
}


def download_url(key, fmt):
    url = DOWNLOADS[key]
    return url.format(fmt=fmt) if "{fmt}" in url else f"{url}?format={fmt}"


def test_the_page_links_every_download_the_api_the_catalogue_and_the_licence(data_page):
    expected = {download_url(key, fmt) for key in DOWNLOADS for fmt in ("csv", "json")}
    expected |= {"/api/v1/", "/api/v1/docs/", "/api/v1/schema/", "/catalog.jsonld", "/catalog.ttl"}
    expected |= {"https://creativecommons.org/licenses/by/4.0/"}
    assert expected <= data_page.links, expected - data_page.links
    assert 'rel="license"' in data_page.text


@pytest.mark.parametrize("key", list(DOWNLOADS))
def test_each_field_table_lists_exactly_the_columns_of_its_download(client, data_page, key):
    columns = data_page.tables[f"fields-{key}"]
    export = {**exports.REGISTERS, **exports.VOCABULARIES}[key]
    described = describe(export)
    assert columns == [column.name for column in described]
    response = client.get(download_url(key, "csv"))
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert header == [column.name for column in described if "csv" in column.formats]
    rows = json.loads(body(client.get(download_url(key, "json"))))
    assert rows, key
    assert list(rows[0]) == [column.name for column in described if "json" in column.formats]


def test_the_field_tables_give_the_allowed_values_from_the_models(data_page):
    text = data_page.text
    for status in CooperationActivity.Status.values:
        assert f"`{status}`" in text
    assert "“Long-standing structured cooperation”" in text  # a relationship's label
    assert "slugs of cooperation areas" in text


def test_the_page_says_which_csv_cells_are_changed_and_that_json_keeps_them(data_page):
    text = data_page.text
    assert "apostrophe" in text
    for prefix in ("=", "+", "-", "@", "a tab", "a carriage return"):
        assert f"<kbd>{prefix}</kbd>" in text
    assert "The JSON files and the API keep every value exactly as it is." in text


def test_the_examples_are_requests_that_work(client, data_page):
    examples = re.findall(r"curl (?:-OJ )?'http://testserver([^']+)'", data_page.text)
    assert len(examples) == 5
    for example in examples:
        response = client.get(example)
        assert response.status_code == 200, example


def jsonld_blocks(text):
    return [
        json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    ]


def parses_as_jsonld(data):
    """Read as linked data, with schema.org's context given inline (the suite has no network)."""
    data = {**data, "@context": {"@vocab": "https://schema.org/"}}
    graph = Graph().parse(data=json.dumps(data), format="json-ld")
    return len(graph) > 0


def test_the_data_page_describes_a_schema_org_dataset(data_page):
    (dataset,) = jsonld_blocks(data_page.text)
    assert dataset["@type"] == "Dataset"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {d["contentUrl"] for d in dataset["distribution"]} == {
        f"http://testserver{download_url(key, fmt)}"
        for key in ("organisations", "agreements", "cooperation")
        for fmt in ("csv", "json")
    }
    assert parses_as_jsonld(dataset)


def test_a_partner_page_describes_a_schema_org_organization(client):
    (organisation,) = jsonld_blocks(body(client.get("/organisations/odihr/")))
    assert organisation["@type"] == "Organization"
    assert organisation["alternateName"] == "ODIHR"
    assert organisation["url"] == "http://testserver/organisations/odihr/"
    assert organisation["parentOrganization"]["url"] == "http://testserver/organisations/osce/"
    assert organisation["address"]["addressLocality"] == "Warsaw"
    assert parses_as_jsonld(organisation)


def test_no_value_can_close_the_json_ld_script(client):
    Organisation.objects.filter(slug="iom").update(summary="</script><script>alert(1)</script> & more")
    text = body(client.get("/organisations/iom/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in block and ">" not in block
    (organisation,) = jsonld_blocks(text)
    assert organisation["description"] == "</script><script>alert(1)</script> & more"


def test_the_vocabularies_download_in_both_formats(client):
    areas = json.loads(body(client.get("/data/areas.json")))
    assert [area["slug"] for area in areas] == AREA_SLUGS
    assert areas[0]["url"] == "http://testserver/areas/return/"
    response = client.get("/data/regions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="regions-{today}.csv"'
    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert [(row["slug"], row["kind_label"]) for row in rows] == [
        ("eastern-partnership", "Region"),
        ("turkiye", "Country"),
        ("western-balkans", "Region"),
    ]


@pytest.fixture
def draft_vocabulary(registry):
    """A draft area, a draft region and a draft source, each listed or cited by a published
    activity, beside a published area, region and source that a published record names."""
    fields = CooperationActivity.objects.get(slug="fields-deployment")
    drafts = {
        "areas": CooperationArea.objects.create(name="Draft area", slug="draft-area", is_published=False),
        "regions": Region.objects.create(name="Draft region", slug="draft-region", is_published=False),
        "sources": SourceDocument.objects.create(title="Draft source", slug="draft-source", is_published=False),
    }
    published = {
        "areas": CooperationArea.objects.create(name="New area", slug="new-area", is_published=True),
        "regions": Region.objects.create(name="New region", slug="new-region", is_published=True),
        "sources": SourceDocument.objects.create(title="New source", slug="new-source", is_published=True),
    }
    for which in (drafts, published):
        fields.areas.add(which["areas"])
        fields.regions.add(which["regions"])
        Citation.objects.create(activity=fields, source=which["sources"], passage=f"Quoted from {which['sources']}.")
    return drafts, published


@pytest.mark.parametrize("vocabulary", ["areas", "regions", "sources"])
def test_the_vocabulary_downloads_never_show_a_draft(client, draft_vocabulary, vocabulary):
    drafts, published = draft_vocabulary
    csv_response = client.get(f"/data/{vocabulary}.csv")
    json_response = client.get(f"/data/{vocabulary}.json")
    assert (csv_response.status_code, json_response.status_code) == (200, 200)
    csv_slugs = [row["slug"] for row in csv.DictReader(io.StringIO(body(csv_response).lstrip("\ufeff")))]
    json_slugs = [row["slug"] for row in json.loads(body(json_response))]
    manager = type(drafts[vocabulary]).objects
    public = manager.public() if vocabulary == "sources" else manager.published()
    public = list(public.values_list("slug", flat=True))
    assert csv_slugs == json_slugs == public
    assert published[vocabulary].slug in csv_slugs
    assert drafts[vocabulary].slug not in csv_slugs
    for text in (body(client.get(f"/data/{vocabulary}.csv")), body(client.get(f"/data/{vocabulary}.json"))):
        assert "draft-" not in text and "Draft " not in text


@pytest.mark.parametrize("url", ["/data/areas.xml", "/data/organisations.csv", "/data/nothing.json"])
def test_an_unknown_download_is_404(client, url):
    assert client.get(url).status_code == 404


def test_the_file_name_says_what_was_filtered_and_when(client):
    today = timezone.localdate().isoformat()
    response = client.get("/cooperation/?area=return&status=ongoing&status=planned&q=&format=json")
    expected = f"cooperation-area-return-status-ongoing-planned-{today}.json"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    response = client.get('/organisations/?q=Europe "quoted" /../&format=csv')
    assert response["Content-Disposition"] == f'attachment; filename="organisations-q-europe-quoted-{today}.csv"'


def test_downloads_carry_labels_names_and_absolute_urls(client):
    (odihr,) = export_json(client, "/organisations/", {"kind": "institution"})
    assert (odihr["kind_label"], odihr["relationship_label"]) == (
        "Institution of another organisation",
        "Cooperation in specific fields",
    )
    assert odihr["parent_name"] == "Organization for Security and Co-operation in Europe"
    assert odihr["url"] == "http://testserver/organisations/odihr/"
    Organisation.objects.filter(slug="osce").update(is_published=False)
    (odihr,) = export_json(client, "/organisations/", {"kind": "institution"})
    assert (odihr["parent"], odihr["parent_name"]) == (None, None)


def test_every_column_of_every_download_is_described(data_page):
    for key, export in {**exports.REGISTERS, **exports.VOCABULARIES}.items():
        for column in describe(export):
            assert column.meaning and column.values, (key, column)
