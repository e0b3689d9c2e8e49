"""The API's OpenAPI document and its documentation page.

The document is valid OpenAPI 3 (openapi-spec-validator), describes every path, filter
(choices and vocabulary slugs as enums), answer and error, and the docs page loads every file
it needs from the site itself.
"""

import json

import pytest
import yaml
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

from partnerships.models import Agreement, CooperationActivity, Organisation, Region

from .design import AREA_SLUGS
from .helpers import body

pytestmark = pytest.mark.usefixtures("registry")

PATHS = [
    "/api/v1/",
    "/api/v1/organisations/",
    "/api/v1/organisations/{slug}/",
    "/api/v1/agreements/",
    "/api/v1/agreements/{id}/",
    "/api/v1/cooperation/",
    "/api/v1/cooperation/{slug}/",
    "/api/v1/areas/",
    "/api/v1/areas/{slug}/",
    "/api/v1/regions/",
    "/api/v1/regions/{slug}/",
    "/api/v1/sources/",
    "/api/v1/sources/{slug}/",
]


@pytest.fixture
def document(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(body(response))


def parameters(document, path):
    return {parameter["name"]: parameter for parameter in document["paths"][path]["get"]["parameters"]}


def test_the_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_the_yaml_document_is_the_same(client, document):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(body(response)) == document


def test_an_unknown_format_of_the_document_is_400(client):
    response = client.get("/api/v1/schema/?format=xml")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["parameters"] == {"format": ["The format must be yaml or json."]}


def test_every_path_is_described_and_only_reading(document):
    assert sorted(document["paths"]) == sorted(PATHS)
    for path, operations in document["paths"].items():
        assert list(operations) == ["get"], path
        responses = operations["get"]["responses"]
        assert "200" in responses and "400" in responses, path
        assert responses["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        if path != "/api/v1/":
            assert responses["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize(
    "path, filters",
    [
        ("/api/v1/organisations/", {"q", "area", "kind", "relationship", "sort"}),
        (
            "/api/v1/agreements/",
            {"q", "organisation", "area", "kind", "status", "signed_after", "signed_before", "sort"},
        ),
        ("/api/v1/cooperation/", {"q", "area", "organisation", "region", "status", "priority", "sort"}),
    ],
)
def test_each_list_documents_its_registers_filters_and_the_pages(document, path, filters):
    assert set(parameters(document, path)) == filters | {"page", "page_size", "format"}
    orders = {"name", "title", "signed_on", "-signed_on", "expires_on", "starts_on", "-starts_on", "-updated"}
    assert "-updated" in set(parameters(document, path)["sort"]["schema"]["enum"]) <= orders
    page_size = parameters(document, path)["page_size"]["schema"]
    assert (page_size["minimum"], page_size["maximum"], page_size["default"]) == (1, 100, 25)


def enum(document, path, name):
    """The values a parameter takes, in their order for vocabularies, sorted for choices."""
    schema = parameters(document, path)[name]["schema"]
    return schema["items"]["enum"] if schema["type"] == "array" else schema["enum"]


def choices(values):
    return sorted(values)


def test_choices_and_vocabularies_are_enums(document):
    assert enum(document, "/api/v1/organisations/", "area") == AREA_SLUGS
    assert enum(document, "/api/v1/organisations/", "kind") == choices(Organisation.Kind.values)
    assert enum(document, "/api/v1/organisations/", "relationship") == choices(Organisation.Relationship.values)
    assert enum(document, "/api/v1/agreements/", "status") == choices(Agreement.Status.values)
    assert enum(document, "/api/v1/agreements/", "kind") == choices(Agreement.Kind.values)
    assert enum(document, "/api/v1/cooperation/", "status") == choices(CooperationActivity.Status.values)
    assert enum(document, "/api/v1/cooperation/", "priority") == choices(CooperationActivity.Priority.values)
    assert enum(document, "/api/v1/cooperation/", "region") == list(Region.objects.values_list("slug", flat=True))
    assert parameters(document, "/api/v1/cooperation/")["area"]["explode"] is True  # area=a&area=b
    assert parameters(document, "/api/v1/cooperation/")["q"]["schema"]["maxLength"] == 200


def test_the_records_fields_are_described(document):
    schemas = document["components"]["schemas"]
    organisation = schemas["Organisation"]["properties"]
    assert {"slug", "url", "api_url", "citations", "dated_facts", "areas", "parent"} <= set(organisation)
    assert schemas["OrganisationKind"]["enum"] == Organisation.Kind.values
    assert schemas["Error"]["required"] == ["error", "parameters"]


def test_the_docs_page_serves_every_file_from_the_site(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = body(response)
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "js/api-docs.js",
    ):
        assert f'"/static/{asset}"' in page
        assert finders.find(asset), asset
    assert 'data-schema-url="/api/v1/schema/?format=json"' in page
    assert "https://" not in page.split("<main", 1)[0]  # nothing from another site in the head
    assert "<script>" not in page  # no inline script: the site's CSP forbids it


def test_the_docs_page_allows_data_images_and_nothing_more_even_from_the_cache(client, page_cache):
    """Swagger UI's icons are data: images; scripts and styles stay the site's own."""
    for _ in range(2):
        policy = client.get("/api/v1/docs/")["Content-Security-Policy"]
        assert "img-src 'self' data:" in policy
        assert "default-src 'self'" in policy
        assert "script-src" not in policy and "style-src" not in policy
    assert "data:" not in client.get("/data/")["Content-Security-Policy"]
