"""The read-only API under /api/v1/: the registers' records, filters and errors, as JSON.

Proves the fixture facts through every collection, that each list selects exactly what the
register's own download selects for the same filters, that a bad parameter gets the same 400
answer as the register's download, and that drafts never appear, not even inside related lists.
"""

import json
from urllib.parse import urlencode

import pytest

from partnerships.models import (
    Agreement,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
)
from partnerships.provenance import Citation

from .design import AREA_SLUGS, ORGANISATION_SLUGS
from .helpers import body, export_json
from .test_bad_input import BAD_FILTERS

pytestmark = pytest.mark.usefixtures("registry")

BASE = "http://testserver"
MARKER = "Zanzibarquux"  # a word no published record contains


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"] == "application/json", body(response)
    return response.status_code, json.loads(body(response))


def every_page(client, url, params=None):
    """Every record of a list, following ``next`` from the first page to the last."""
    status, page = get(client, url, **(params or {}), page_size=2)
    assert status == 200, page
    records = list(page["results"])
    while page["next"]:
        assert page["next"].startswith(BASE)
        status, page = get(client, page["next"][len(BASE) :])
        assert status == 200
        records += page["results"]
    assert len(records) == page["count"]
    return records


@pytest.fixture
def drafts(registry):
    """Unpublished records beside the published ones, each carrying the marker word.

    A draft organisation is a partner of a published activity and the parent of a published
    one; a published agreement is made with a draft organisation (so it is not public either).
    A draft area, a draft region and a draft source are attached to published records.
    """
    draft = Organisation.objects.create(
        name=f"{MARKER} Organisation", acronym="ZQX", slug="zqx", kind="un-system", relationship="active",
        summary=MARKER, is_published=False,
    )  # fmt: skip
    draft.areas.set(CooperationArea.objects.filter(slug="return"))
    Organisation.objects.filter(slug="who").update(parent=draft)
    CooperationActivity.objects.get(slug="fields-deployment").partners.add(draft)
    activity = CooperationActivity.objects.create(
        title=f"{MARKER} activity", slug="zqx-activity", summary=MARKER, status="ongoing", is_published=False
    )
    activity.partners.add(Organisation.objects.get(slug="iom"))
    Agreement.objects.create(
        title=f"{MARKER} agreement", organisation=draft, kind="other", status="in-force", is_published=True
    )
    Agreement.objects.create(
        title=f"{MARKER} draft agreement", organisation=Organisation.objects.get(slug="iom"), kind="other",
        status="in-force", is_published=False,
    )  # fmt: skip
    fields = CooperationActivity.objects.get(slug="fields-deployment")
    area = CooperationArea.objects.create(name=f"{MARKER} area", slug="zqx-area", is_published=False)
    region = Region.objects.create(name=f"{MARKER} region", slug="zqx-region", is_published=False)
    fields.areas.add(area)
    fields.regions.add(region)
    Organisation.objects.get(slug="iom").areas.add(area)
    source = SourceDocument.objects.create(title=f"{MARKER} source", slug="zqx-source", is_published=False)
    Citation.objects.create(activity=fields, source=source, passage=MARKER, position=9)
    return draft


@pytest.fixture
def agreement(registry):
    """A published agreement with IOM (the shipped data records none)."""
    iom = Organisation.objects.get(slug="iom")
    made = Agreement.objects.create(
        title="Working arrangement with IOM", organisation=iom, kind="working-arrangement", status="in-force",
        signed_on="2024-05-02", is_published=True,
    )  # fmt: skip
    made.areas.set(iom.areas.filter(slug="return"))
    return made


def test_the_root_links_every_collection_the_schema_and_the_docs(client):
    status, links = get(client, "/api/v1/")
    assert status == 200
    assert links == {
        "organisations": f"{BASE}/api/v1/organisations/",
        "agreements": f"{BASE}/api/v1/agreements/",
        "cooperation": f"{BASE}/api/v1/cooperation/",
        "areas": f"{BASE}/api/v1/areas/",
        "regions": f"{BASE}/api/v1/regions/",
        "sources": f"{BASE}/api/v1/sources/",
        "schema": f"{BASE}/api/v1/schema/",
        "docs": f"{BASE}/api/v1/docs/",
        "catalogue": f"{BASE}/catalog.jsonld",
    }


def test_the_organisations_in_the_return_area_are_exactly_unhcr_iom_odihr_and_the_council_of_europe(client):
    status, page = get(client, "/api/v1/organisations/", area="return")
    assert status == 200
    assert page["count"] == 4
    assert (page["next"], page["previous"]) == (None, None)
    assert sorted(record["slug"] for record in page["results"]) == ["coe", "iom", "odihr", "unhcr"]


def test_every_collection_lists_the_shipped_records(client):
    assert sorted(r["slug"] for r in every_page(client, "/api/v1/organisations/")) == sorted(ORGANISATION_SLUGS)
    assert [r["slug"] for r in every_page(client, "/api/v1/areas/")] == AREA_SLUGS
    assert [r["slug"] for r in every_page(client, "/api/v1/regions/")] == [
        "eastern-partnership",
        "turkiye",
        "western-balkans",
    ]
    sources = [r["slug"] for r in every_page(client, "/api/v1/sources/")]
    assert sources == list(SourceDocument.objects.values_list("slug", flat=True))  # all four are cited
    assert "international-organisations" in sources and len(sources) == 4
    assert len(every_page(client, "/api/v1/cooperation/")) == 9
    assert every_page(client, "/api/v1/agreements/") == []


def test_an_organisation_in_full(client):
    status, odihr = get(client, "/api/v1/organisations/odihr/")
    assert status == 200
    assert odihr["slug"] == "odihr"
    assert (odihr["kind"], odihr["kind_label"]) == ("institution", "Institution of another organisation")
    assert (odihr["relationship"], odihr["relationship_label"]) == ("active", "Cooperation in specific fields")
    assert odihr["parent"] == {
        "slug": "osce",
        "name": "Organization for Security and Co-operation in Europe",
        "api_url": f"{BASE}/api/v1/organisations/osce/",
    }
    assert [area["slug"] for area in odihr["areas"]] == ["return", "international-protection", "fundamental-rights"]
    assert odihr["areas"][0] == {"slug": "return", "name": "Return", "api_url": f"{BASE}/api/v1/areas/return/"}
    assert odihr["url"] == f"{BASE}/organisations/odihr/"
    assert odihr["api_url"] == f"{BASE}/api/v1/organisations/odihr/"
    assert odihr["activities_api_url"] == f"{BASE}/api/v1/cooperation/?organisation=odihr"
    citations = Organisation.objects.get(slug="odihr").citations.select_related("source")
    assert odihr["citations"] == [
        {
            "source": {
                "slug": citation.source.slug,
                "title": citation.source.title,
                "api_url": f"{BASE}/api/v1/sources/{citation.source.slug}/",
            },
            "passage": citation.passage,
            "locator": citation.locator,
            "note": citation.note,
        }
        for citation in citations
    ]
    assert odihr["citations"]
    assert odihr["dated_facts"] == []  # none are recorded for ODIHR
    _, osce = get(client, "/api/v1/organisations/osce/")
    assert [sub["slug"] for sub in osce["sub_organisations"]] == ["odihr"]


def test_an_activity_in_full(client):
    status, fields = get(client, "/api/v1/cooperation/fields-deployment/")
    assert status == 200
    assert (fields["status"], fields["status_label"]) == ("ongoing", "Ongoing")
    assert (fields["priority"], fields["priority_label"]) == ("major", "Major priority")
    assert fields["partners"] == [
        {
            "slug": "interpol",
            "name": "International Criminal Police Organization",
            "api_url": f"{BASE}/api/v1/organisations/interpol/",
        }
    ]
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    assert [c["passage"] for c in fields["citations"]] == [c.passage for c in activity.citations.all()]
    (went_live,) = fields["dated_facts"]
    assert (went_live["slug"], went_live["date"], went_live["precision"]) == ("fields-went-live", "2022-04-01", "day")
    assert went_live["citations"][0]["source"]["api_url"].startswith(f"{BASE}/api/v1/sources/")
    assert fields["url"] == f"{BASE}/cooperation/fields-deployment/"
    _, assistance = get(client, "/api/v1/cooperation/", region="turkiye")
    (record,) = assistance["results"]
    assert [region["slug"] for region in record["regions"]] == ["eastern-partnership", "turkiye", "western-balkans"]


def test_an_agreement_is_found_by_its_id(client, agreement):
    status, record = get(client, f"/api/v1/agreements/{agreement.pk}/")
    assert status == 200
    assert record["id"] == agreement.pk
    assert record["organisation"] == {
        "slug": "iom",
        "name": "International Organization for Migration",
        "api_url": f"{BASE}/api/v1/organisations/iom/",
    }
    assert (record["status"], record["status_label"]) == ("in-force", "In force")
    assert record["signed_on"] == "2024-05-02"
    assert record["url"] == f"{BASE}/agreements/{agreement.pk}/"
    assert record["api_url"] == f"{BASE}/api/v1/agreements/{agreement.pk}/"
    _, signed = get(client, "/api/v1/agreements/", signed_after="2024-01-01", organisation="iom")
    assert [r["id"] for r in signed["results"]] == [agreement.pk]


FILTERS = [
    ("/organisations/", {}),
    ("/organisations/", {"area": "return"}),
    ("/organisations/", {"kind": "un-system", "relationship": "structured"}),
    ("/organisations/", {"q": "europe"}),
    ("/organisations/", {"area": ["coast-guard", "health-at-borders"]}),
    ("/cooperation/", {}),
    ("/cooperation/", {"organisation": "interpol"}),
    ("/cooperation/", {"status": "ongoing", "area": "return"}),
    ("/cooperation/", {"region": "western-balkans"}),
    ("/cooperation/", {"priority": "major"}),
    ("/cooperation/", {"q": "risk", "area": ""}),
    ("/agreements/", {"organisation": "iom"}),
    ("/agreements/", {"status": "expired"}),
]


@pytest.mark.parametrize("register, params", FILTERS)
def test_a_list_gives_the_same_records_as_the_registers_json_download(client, agreement, register, params):
    key = "id" if register == "/agreements/" else "slug"
    downloaded = [row[key] for row in export_json(client, register, params)]
    listed = [record[key] for record in every_page(client, f"/api/v1{register}", params)]
    assert listed == downloaded


@pytest.fixture
def agreements(registry):
    """Published agreements of several kinds, areas and signing dates, one undated, one a draft."""
    made = []
    for title, organisation, kind, signed_on, areas, published in [
        ("Working arrangement with IOM", "iom", "working-arrangement", "2019-03-01", "return", True),
        ("MoU with UNHCR", "unhcr", "memorandum-of-understanding", "2021-06-15", "return border-management", True),
        ("Letter of intent with INTERPOL", "interpol", "letter-of-intent", "2023-01-10", "cross-border-crime", True),
        ("Arrangement with UNODC", "unodc", "working-arrangement", "2024-09-30", "cross-border-crime terrorism", True),
        ("Arrangement not yet dated", "who", "other", None, "health-at-borders", True),
        ("Draft arrangement with IOM", "iom", "working-arrangement", "2022-02-02", "return", False),
    ]:  # fmt: skip
        agreement = Agreement.objects.create(
            title=title, organisation=Organisation.objects.get(slug=organisation), kind=kind, status="in-force",
            signed_on=signed_on, is_published=published,
        )  # fmt: skip
        agreement.areas.set(CooperationArea.objects.filter(slug__in=areas.split()))
        made.append(agreement)
    return made


def register_page_keys(client, register, params, key):
    """The records the HTML register lists for these filters, in its order, every page of it."""
    keys, number = [], 1
    while True:
        response = client.get(register, {**params, "page": number})
        assert response.status_code == 200, body(response)
        page = response.context["page"]
        keys += [getattr(record, key) for record in page.object_list]
        if not page.has_next():
            assert len(keys) == page.paginator.count
            return keys
        number += 1


REGISTER_FILTERS = [
    ("/agreements/", {}),
    ("/agreements/", {"kind": "working-arrangement"}),
    ("/agreements/", {"kind": ["letter-of-intent", "other"]}),
    ("/agreements/", {"area": "return"}),
    ("/agreements/", {"area": ["cross-border-crime", "return"], "kind": "working-arrangement"}),
    ("/agreements/", {"signed_after": "2021-06-15"}),
    ("/agreements/", {"signed_before": "2021-06-15"}),
    ("/agreements/", {"signed_after": "2020-01-01", "signed_before": "2023-12-31"}),
    ("/agreements/", {"sort": "-signed_on"}),
    ("/agreements/", {"sort": "signed_on", "area": "cross-border-crime"}),
    ("/agreements/", {"sort": "expires_on", "kind": "working-arrangement", "signed_after": "2019-01-01"}),
    ("/agreements/", {"sort": "title", "organisation": ["iom", "who"]}),
    ("/agreements/", {"q": "arrangement", "sort": "-signed_on"}),
    ("/cooperation/", {}),
    ("/cooperation/", {"area": "return", "status": "ongoing"}),
    ("/cooperation/", {"organisation": ["iom", "interpol"], "sort": "-starts_on"}),
    ("/cooperation/", {"region": "western-balkans", "priority": "normal"}),
    ("/cooperation/", {"sort": "starts_on"}),
    ("/cooperation/", {"q": "border", "sort": "title"}),
    ("/organisations/", {}),
    ("/organisations/", {"area": "return", "kind": "un-system"}),
    ("/organisations/", {"relationship": ["structured", "active"], "sort": "-updated"}),
    ("/organisations/", {"q": "europe", "sort": "name"}),
]


@pytest.mark.parametrize("register, params", REGISTER_FILTERS)
def test_a_list_gives_the_records_of_the_html_register_in_its_order(client, agreements, register, params):
    """The API's filters and sorting are the register page's, not only its download's."""
    key = "pk" if register == "/agreements/" else "slug"
    shown = register_page_keys(client, register, params, key)
    listed = [record["id" if key == "pk" else key] for record in every_page(client, f"/api/v1{register}", params)]
    assert listed == shown
    assert shown  # every combination selects something


# Downloads take every page, so they ignore ``page``; the API's page errors are checked below.
BAD_REGISTER_FILTERS = [case for case in BAD_FILTERS if case[1] != "page"]


@pytest.mark.parametrize("url, parameter, message", BAD_REGISTER_FILTERS)
def test_a_bad_parameter_gets_the_same_400_answer_as_the_download(client, url, parameter, message):
    path, _, query = url.partition("?")
    download = client.get(f"{url}&format=json")
    answer = client.get(f"/api/v1{path}?{query}")
    assert (answer.status_code, download.status_code) == (400, 400)
    error = json.loads(answer.content)
    assert error == json.loads(download.content)
    assert list(error["parameters"]) == [parameter]
    assert message in error["parameters"][parameter][0]
    assert answer["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "query, parameter, message",
    [
        ("page_size=0", "page_size", "The page size must be a whole number from 1 to 100."),
        ("page_size=101", "page_size", "The page size must be a whole number from 1 to 100."),
        ("page_size=ten", "page_size", "The page size must be a whole number from 1 to 100."),
        ("page_size=5&page_size=6", "page_size", "Give the page_size parameter once, not 2 times."),
        ("page=0", "page", "The page number must be a whole number, 1 or more."),
        ("format=csv", "format", "The format must be json."),
    ],
)
def test_a_bad_page_size_page_or_format_is_400_naming_it(client, query, parameter, message):
    status, error = get(client, f"/api/v1/cooperation/?{query}")
    assert status == 400
    assert error == {"error": "Some query parameters cannot be used.", "parameters": {parameter: [message]}}


def test_pages_link_to_each_other_keeping_the_filters(client):
    _, first = get(client, "/api/v1/organisations/", kind="un-system", page_size=2)
    assert first["count"] == 5
    assert first["previous"] is None
    assert first["next"] == f"{BASE}/api/v1/organisations/?kind=un-system&page=2&page_size=2"
    _, last = get(client, "/api/v1/organisations/", kind="un-system", page_size=2, page=3)
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert last["previous"] == f"{BASE}/api/v1/organisations/?kind=un-system&page=2&page_size=2"
    _, default = get(client, "/api/v1/areas/")
    assert len(default["results"]) == 14  # 25 a page unless asked


@pytest.mark.parametrize(
    "url, message",
    [
        ("/api/v1/organisations/nobody/", "There is no published organisation nobody."),
        ("/api/v1/cooperation/nothing/", "There is no published cooperation activity nothing."),
        ("/api/v1/agreements/99999/", "There is no published agreement 99999."),
        ("/api/v1/areas/atlantis/", "There is no published cooperation area atlantis."),
        ("/api/v1/agreements/abc/", "There is nothing at this address of the API."),
        ("/api/v1/nothing/", "There is nothing at this address of the API."),
        ("/api/v2/organisations/", "There is nothing at this address of the API."),
    ],
)
def test_what_does_not_exist_is_a_json_404(client, url, message):
    status, error = get(client, url)
    assert (status, error) == (404, {"error": message, "parameters": {}})


def test_a_page_past_the_last_is_a_json_404_naming_the_page(client):
    status, error = get(client, "/api/v1/organisations/", page=2)
    assert status == 404
    assert error == {
        "error": "There is no page 2 of these results.",
        "parameters": {"page": ["There is no page 2 of these results."]},
    }


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/organisations/", "/api/v1/organisations/iom/", "/api/v1/"])
def test_writing_is_refused_with_a_json_405(client, method, url):
    response = getattr(client, method)(url, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert json.loads(response.content) == {"error": f'Method "{method.upper()}" not allowed.', "parameters": {}}
    assert Organisation.objects.filter(slug="iom", is_published=True).exists()


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/api/v1/organisations/?area=return")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""


def test_any_site_may_read_the_api_without_credentials(client):
    response = client.get("/api/v1/organisations/", HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        "/api/v1/organisations/",
        HTTP_ORIGIN="https://newsroom.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]


def test_the_api_answers_json_whatever_the_client_accepts(client):
    response = client.get("/api/v1/areas/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_drafts_never_appear_not_even_inside_related_lists(client, drafts):
    texts = []
    for collection in ("organisations", "agreements", "cooperation", "areas", "regions", "sources"):
        records = every_page(client, f"/api/v1/{collection}/")
        texts.append(json.dumps(records))
        for record in records:
            texts.append(body(client.get(record["api_url"][len(BASE) :])))
    assert not [text for text in texts if MARKER in text or "zqx" in text]
    assert get(client, "/api/v1/organisations/zqx/")[0] == 404
    assert get(client, "/api/v1/cooperation/zqx-activity/")[0] == 404
    _, who = get(client, "/api/v1/organisations/who/")
    assert who["parent"] is None
    status, error = get(client, "/api/v1/cooperation/", organisation="zqx")
    assert status == 400
    assert list(error["parameters"]) == ["organisation"]


def test_answers_come_from_the_page_cache_and_follow_edits(client, page_cache):
    """tests/test_page_cache.py checks that a repeated request is answered from the cache."""
    first = client.get("/api/v1/organisations/iom/")
    organisation = Organisation.objects.get(slug="iom")
    organisation.summary = "Changed just now."
    organisation.save()
    again = client.get("/api/v1/organisations/iom/")
    assert json.loads(first.content)["summary"] != "Changed just now."
    assert json.loads(again.content)["summary"] == "Changed just now."


def test_a_filter_form_left_blank_means_no_filter(client):
    _, blank = get(client, "/api/v1/organisations/?" + urlencode({"area": "", "q": " "}))
    assert blank["count"] == 10


def test_a_revalidation_is_answered_304_and_readable_from_another_site(client, page_cache):
    first = client.get("/api/v1/organisations/?area=return", HTTP_ORIGIN="https://newsroom.example")
    assert first["ETag"] and first["Last-Modified"]
    assert "ETag" in first["Access-Control-Expose-Headers"]
    again = client.get(
        "/api/v1/organisations/?area=return",
        HTTP_ORIGIN="https://newsroom.example",
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"
    Organisation.objects.filter(slug="iom").update(summary="Changed.")
    changed = client.get("/api/v1/organisations/?area=return", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_downloads_and_the_catalogue_are_readable_from_another_site_but_pages_are_not_opened(client):
    assert client.get("/cooperation/?format=csv")["Access-Control-Allow-Origin"] == "*"
    assert client.get("/catalog.ttl")["Access-Control-Allow-Origin"] == "*"
    assert client.get("/data/areas.json")["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/cooperation/")
    assert "Access-Control-Allow-Origin" not in client.get("/data/")


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "/api/v1/areas/coast-guard/",
            {"slug": "coast-guard", "name": "Coast guard cooperation", "url": f"{BASE}/areas/coast-guard/"},
        ),
        (
            "/api/v1/regions/turkiye/",
            {"slug": "turkiye", "name": "Türkiye", "kind": "country", "kind_label": "Country"},
        ),
        (
            "/api/v1/sources/international-organisations/",
            {"slug": "international-organisations", "title": "International organisations", "document_url": None},
        ),
    ],
)
def test_the_vocabularies_and_sources_one_by_one(client, url, expected):
    status, record = get(client, url)
    assert status == 200
    assert record["api_url"] == f"{BASE}{url}"
    assert {name: record[name] for name in expected} == expected


def test_an_area_links_to_its_organisations_and_activities_in_the_api(client):
    _, area = get(client, "/api/v1/areas/return/")
    status, organisations = get(client, area["organisations_api_url"][len(BASE) :])
    assert status == 200
    assert sorted(record["slug"] for record in organisations["results"]) == ["coe", "iom", "odihr", "unhcr"]
