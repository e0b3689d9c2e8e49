"""The DCAT-AP catalogue (/catalog.jsonld, /catalog.ttl) that data portals harvest.

Validated with pyshacl against the DCAT-AP 3.0.1 SHACL shapes kept in tests/standards/ (its
mandatory properties and cardinalities, and the classes of the values), and checked for what
the registry says about itself: datasets, distributions per format, the API as a data service,
the licence and contact from the settings, and the date of the last public change.
"""

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef

from partnerships.models import CooperationActivity, CooperationArea, Organisation, Region, SourceDocument

from .helpers import body

pytestmark = pytest.mark.usefixtures("registry")

SHAPES = Path(__file__).parent / "standards" / "dcat-ap-3.0.1"
VCARD = "http://www.w3.org/2006/vcard/ns#"
# Plain namespaces: pytest looks into module attributes, and rdflib's closed ones warn when it does.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
BASE = "http://testserver"


def catalogue_response(client, fmt="ttl"):
    response = client.get(f"/catalog.{fmt}")
    assert response.status_code == 200
    return response


def catalogue(client, fmt="ttl"):
    response = catalogue_response(client, fmt)
    graph = Graph()
    graph.parse(data=body(response), format="json-ld" if fmt == "jsonld" else "turtle", publicID=BASE)
    return graph


def violations(graph, shapes_file):
    shapes = Graph().parse(SHAPES / shapes_file, format="turtle")
    conforms, _, report = validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    return conforms, report


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
@pytest.mark.parametrize("shapes_file", ["shapes.ttl", "range.ttl"])
def test_the_catalogue_conforms_to_dcat_ap_3(client, fmt, shapes_file):
    conforms, report = violations(catalogue(client, fmt), shapes_file)
    assert conforms, report


def test_the_recommended_properties_are_there_too(client):
    conforms, report = violations(catalogue(client), "shapes_recommended.ttl")
    assert conforms, report


def test_the_catalogue_is_served_with_its_media_types(client):
    assert client.get("/catalog.ttl")["Content-Type"] == "text/turtle; charset=utf-8"
    assert client.get("/catalog.jsonld")["Content-Type"] == "application/ld+json; charset=utf-8"
    assert client.get("/catalog.jsonld")["Access-Control-Allow-Origin"] == "*"


def test_both_serialisations_say_the_same(client):
    turtle, jsonld = catalogue(client, "ttl"), catalogue(client, "jsonld")
    assert len(turtle) == len(jsonld)
    assert set(turtle.subjects(RDF.type, DCAT.Distribution)) == set(jsonld.subjects(RDF.type, DCAT.Distribution))


@pytest.mark.parametrize("path", ["/catalog.ttl", "/catalog.jsonld"])
def test_the_catalogue_is_the_same_bytes_each_time_it_is_rendered(client, path, settings):
    """Its ETag is strong: one version of the registry, one body, in every server process."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert body(client.get(path)) == body(client.get(path))


def test_three_datasets_each_with_a_csv_and_a_json_download(client):
    graph = catalogue(client)
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert datasets == {URIRef(f"{BASE}/data/#{key}") for key in ("organisations", "agreements", "cooperation")}
    downloads = {
        (
            str(graph.value(distribution, DCAT.downloadURL)),
            str(graph.value(distribution, DCAT.mediaType)),
        )
        for dataset in datasets
        for distribution in graph.objects(dataset, DCAT.distribution)
    }
    assert downloads == {
        (f"{BASE}/{register}/?format={fmt}", f"https://www.iana.org/assignments/media-types/{media_type}")
        for register in ("organisations", "agreements", "cooperation")
        for fmt, media_type in (("csv", "text/csv"), ("json", "application/json"))
    }


def test_the_api_is_a_data_service_conforming_to_its_openapi_document(client):
    graph = catalogue(client)
    (service,) = graph.subjects(RDF.type, DCAT.DataService)
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{BASE}/api/v1/")
    assert graph.value(service, DCTERMS.conformsTo) == URIRef(f"{BASE}/api/v1/schema/")
    assert len(set(graph.objects(service, DCAT.servesDataset))) == 3


def test_licence_and_contact_come_from_the_settings(client, settings):
    settings.REGISTRY_DATA_LICENCE = "https://creativecommons.org/publicdomain/zero/1.0/"
    settings.REGISTRY_CONTACT_EMAIL = "open-data@agency.example"
    graph = catalogue(client)
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert graph.value(catalog, DCTERMS.license) == URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    emails = set(graph.objects(None, URIRef(VCARD + "hasEmail")))
    assert emails == {URIRef("mailto:open-data@agency.example")}


def test_modified_is_the_last_change_to_a_published_record(client):
    graph = catalogue(client)
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    before = graph.value(catalog, DCTERMS.modified).toPython()
    Organisation.objects.create(
        name="Draft", acronym="DRF", slug="drf", kind="un-system", relationship="active", is_published=False
    )
    CooperationArea.objects.create(name="Draft area", slug="draft-area", is_published=False)
    Region.objects.create(name="Draft region", slug="draft-region", is_published=False)
    SourceDocument.objects.create(title="Draft source", slug="draft-source", is_published=False)
    assert catalogue(client).value(catalog, DCTERMS.modified).toPython() == before, "a draft is no public change"
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    activity.summary = "Changed."
    activity.save()
    graph = catalogue(client)
    after = graph.value(catalog, DCTERMS.modified).toPython()
    assert after.replace(microsecond=0) == activity.updated_at.replace(microsecond=0)
    cooperation = URIRef(f"{BASE}/data/#cooperation")
    assert graph.value(cooperation, DCTERMS.modified).toPython() == after


def test_the_regions_of_the_activities_are_their_spatial_coverage(client):
    graph = catalogue(client)
    places = {
        str(graph.value(place, URIRef("http://www.w3.org/ns/locn#geographicName")))
        for place in graph.objects(URIRef(f"{BASE}/data/#cooperation"), DCTERMS.spatial)
    }
    assert places == {"Eastern Partnership", "Western Balkans", "Türkiye"}


def test_draft_areas_and_regions_are_named_nowhere_in_the_catalogue(client):
    area = CooperationArea.objects.create(name="Zanzibarquux area", slug="zqx-area", is_published=False)
    region = Region.objects.create(name="Zanzibarquux region", slug="zqx-region", is_published=False)
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    activity.areas.add(area)
    activity.regions.add(region)
    for fmt in ("ttl", "jsonld"):
        assert "Zanzibarquux" not in body(catalogue_response(client, fmt))
