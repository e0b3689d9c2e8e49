"""The registry as a DCAT-AP 3 catalogue, for data portals (data.europa.eu harvests DCAT-AP).

A ``dcat:Catalog`` of three datasets (the organisations, the agreements and the cooperation
activities), each with one ``dcat:Distribution`` per download format, and the API as a
``dcat:DataService``. Served as JSON-LD (``/catalog.jsonld``) and Turtle (``/catalog.ttl``);
tests/test_catalogue.py checks it against the DCAT-AP 3.0.1 SHACL shapes.
"""

from django.conf import settings
from django.db.models import Max, Min
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from .caching import cache_public_page
from .models import Agreement, CooperationActivity, CooperationArea, Organisation, Region, SourceDocument

LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
THEMES = Namespace(EU + "data-theme/")
FILE_TYPES = Namespace(EU + "file-type/")
MEDIA_TYPES = Namespace("https://www.iana.org/assignments/media-types/")

TITLE = "Partnerships registry"
DESCRIPTION = (
    "The agency's cooperation with international organisations: the organisations, the formal "
    "agreements and the cooperation activities, each statement with the source passage it is quoted from."
)
# The EU's data themes (the vocabulary DCAT-AP asks for): public safety, and international issues.
DATASET_THEMES = {"JUST": "Justice, legal system and public safety", "INTR": "International issues"}
FORMATS = {
    # format: (download parameter, IANA media type, EU file type, title)
    "csv": ("csv", "text/csv", "CSV", "CSV (a spreadsheet, one row per record)"),
    "json": ("json", "application/json", "JSON", "JSON (an array of objects, one per record)"),
}
MEDIA_TYPES_OF_CATALOGUE = {"jsonld": "application/ld+json", "ttl": "text/turtle"}


def last_change(queryset):
    return queryset.aggregate(last=Max("updated_at"))["last"]


def published_records():
    return {
        "organisations": Organisation.objects.published(),
        "agreements": Agreement.objects.published(),
        "cooperation": CooperationActivity.objects.published(),
    }


def datasets(request):
    """What the catalogue says about each dataset, read from the published records."""
    records = published_records()
    activities = records["cooperation"]
    return [
        {
            "key": "organisations",
            "title": "International organisations the agency cooperates with",
            "description": "Each organisation with its kind, how mature the partnership is, its headquarters, "
            "website, summary and cooperation areas, and the source passage that states the relationship.",
            "register": reverse("partnerships:organisation-list"),
            "api": reverse("api:organisation-list"),
            "modified": last_change(records["organisations"]),
            "temporal": None,
        },
        {
            "key": "agreements",
            "title": "The agency's agreements with international organisations",
            "description": "Formal instruments (working arrangements, memoranda of understanding, letters) "
            "with their organisation, kind, status, dates of signature, entry into force and expiry.",
            "register": reverse("partnerships:agreement-list"),
            "api": reverse("api:agreement-list"),
            "modified": last_change(records["agreements"]),
            "temporal": records["agreements"].aggregate(start=Min("signed_on"), end=Max("expires_on")),
        },
        {
            "key": "cooperation",
            "title": "Cooperation activities with international organisations",
            "description": "What the agency does or plans with each organisation: status, priority, "
            "partners, areas, regions, planned dates, and the passage of the source that states it.",
            "register": reverse("partnerships:activity-list"),
            "api": reverse("api:activity-list"),
            "modified": last_change(activities),
            "temporal": activities.aggregate(start=Min("starts_on"), end=Max("ends_on")),
            "regions": list(
                Region.objects.published().filter(activities__in=activities).distinct().values_list("name", "slug")
            ),
        },
    ]


def registry_last_change():
    """The last change to any published record: the catalogue's ``dct:modified``."""
    stamps = [last_change(queryset) for queryset in published_records().values()]
    stamps += [
        last_change(CooperationArea.objects.published()),
        last_change(Region.objects.published()),
        last_change(SourceDocument.objects.public()),
    ]
    stamps = [stamp for stamp in stamps if stamp is not None]
    return max(stamps) if stamps else None


def typed(graph, node, *classes):
    for cls in classes:
        graph.add((node, RDF.type, cls))
    return node


def add_text(graph, node, predicate, text):
    graph.add((node, predicate, Literal(text, lang="en")))


def build(request):
    """The catalogue as an rdflib Graph, with absolute addresses for this request's host."""
    url = request.build_absolute_uri
    graph = Graph()
    for prefix, namespace in {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "vcard": VCARD, "skos": SKOS}.items():
        graph.bind(prefix, namespace)
    graph.bind("locn", LOCN)

    data_page = URIRef(url(reverse("partnerships:data")))
    catalogue = typed(graph, URIRef(url(reverse("partnerships:data")) + "#catalogue"), DCAT.Catalog)
    add_text(graph, catalogue, DCTERMS.title, TITLE)
    add_text(graph, catalogue, DCTERMS.description, DESCRIPTION)
    graph.add((catalogue, FOAF.homepage, typed(graph, URIRef(url("/")), FOAF.Document)))
    english = typed(graph, URIRef(EU + "language/ENG"), DCTERMS.LinguisticSystem)
    graph.add((catalogue, DCTERMS.language, english))
    licence = typed(graph, URIRef(settings.REGISTRY_DATA_LICENCE), DCTERMS.LicenseDocument)
    graph.add((catalogue, DCTERMS.license, licence))

    publisher = typed(graph, URIRef(url("/") + "#publisher"), FOAF.Agent)
    graph.add((publisher, FOAF.name, Literal(settings.REGISTRY_PUBLISHER_NAME, lang="en")))
    graph.add((catalogue, DCTERMS.publisher, publisher))

    # Named, not a blank node: a blank node gets a new random name on every rendering, and one
    # representation must always be the same bytes (its ETag is strong).
    contact = typed(graph, URIRef(url("/") + "#contact"), VCARD.Kind, VCARD.Organization)
    graph.add((contact, VCARD.fn, Literal(settings.REGISTRY_PUBLISHER_NAME, lang="en")))
    if settings.REGISTRY_CONTACT_EMAIL:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{settings.REGISTRY_CONTACT_EMAIL}")))
    graph.add((contact, VCARD.hasURL, data_page))

    modified = registry_last_change()
    if modified is not None:
        graph.add((catalogue, DCTERMS.modified, Literal(modified.replace(microsecond=0), datatype=XSD.dateTime)))

    theme_scheme = typed(graph, URIRef(EU + "data-theme"), SKOS.ConceptScheme)
    graph.add((theme_scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((catalogue, DCAT.themeTaxonomy, theme_scheme))
    themes = []
    for code, label in DATASET_THEMES.items():
        theme = typed(graph, THEMES[code], SKOS.Concept)
        graph.add((theme, SKOS.prefLabel, Literal(label, lang="en")))
        graph.add((theme, SKOS.inScheme, theme_scheme))
        themes.append(theme)
    keywords = ["international cooperation", "international organisations", "border management"]
    keywords += list(CooperationArea.objects.published().values_list("name", flat=True))

    schema_url = URIRef(url(reverse("api:schema")))
    service = typed(graph, URIRef(url(reverse("api:root"))), DCAT.DataService)
    add_text(graph, service, DCTERMS.title, f"{TITLE} API")
    add_text(
        graph,
        service,
        DCTERMS.description,
        "A read-only JSON API of every published record, filtered as the registers.",
    )
    graph.add((service, DCAT.endpointURL, URIRef(url(reverse("api:root")))))
    graph.add((service, DCAT.endpointDescription, schema_url))
    graph.add((service, DCTERMS.conformsTo, typed(graph, schema_url, DCTERMS.Standard)))
    graph.add((service, DCAT.landingPage, typed(graph, URIRef(url(reverse("api:docs"))), FOAF.Document)))
    graph.add((service, DCTERMS.license, licence))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCAT.contactPoint, contact))
    graph.add((catalogue, DCAT.service, service))

    frequency = typed(graph, URIRef(EU + "frequency/UPDATE_CONT"), DCTERMS.Frequency)
    for described in datasets(request):
        dataset = typed(graph, URIRef(f"{data_page}#{described['key']}"), DCAT.Dataset)
        graph.add((catalogue, DCAT.dataset, dataset))
        graph.add((service, DCAT.servesDataset, dataset))
        add_text(graph, dataset, DCTERMS.title, described["title"])
        add_text(graph, dataset, DCTERMS.description, described["description"])
        graph.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
        graph.add((dataset, DCTERMS.publisher, publisher))
        graph.add((dataset, DCAT.contactPoint, contact))
        graph.add((dataset, DCTERMS.language, english))
        graph.add((dataset, DCTERMS.accrualPeriodicity, frequency))
        landing = typed(graph, URIRef(url(described["register"])), FOAF.Document)
        graph.add((dataset, DCAT.landingPage, landing))
        graph.add((dataset, FOAF.page, typed(graph, data_page, FOAF.Document)))
        for theme in themes:
            graph.add((dataset, DCAT.theme, theme))
        for keyword in keywords:
            add_text(graph, dataset, DCAT.keyword, keyword)
        if described["modified"] is not None:
            stamp = Literal(described["modified"].replace(microsecond=0), datatype=XSD.dateTime)
            graph.add((dataset, DCTERMS.modified, stamp))
        add_temporal(graph, dataset, described["temporal"])
        for name, slug in described.get("regions", []):
            place = typed(graph, URIRef(url(reverse("api:region-detail", args=[slug]))), DCTERMS.Location)
            graph.add((place, LOCN.geographicName, Literal(name, lang="en")))
            graph.add((place, SKOS.prefLabel, Literal(name, lang="en")))
            graph.add((dataset, DCTERMS.spatial, place))
        for fmt, (parameter, media_type, file_type, title) in FORMATS.items():
            distribution = typed(graph, URIRef(f"{data_page}#{described['key']}-{fmt}"), DCAT.Distribution)
            graph.add((dataset, DCAT.distribution, distribution))
            add_text(graph, distribution, DCTERMS.title, f"{described['title']}: {title}")
            add_text(graph, distribution, DCTERMS.description, f"Every published record, as {title}.")
            graph.add((distribution, DCAT.accessURL, landing))
            graph.add((distribution, DCAT.downloadURL, URIRef(url(f"{described['register']}?format={parameter}"))))
            graph.add((distribution, DCAT.mediaType, typed(graph, MEDIA_TYPES[media_type], DCTERMS.MediaType)))
            graph.add((distribution, DCTERMS.format, typed(graph, FILE_TYPES[file_type], DCTERMS.MediaTypeOrExtent)))
            graph.add((distribution, DCTERMS.license, licence))
            graph.add((distribution, DCAT.accessService, service))
    return graph


def add_temporal(graph, dataset, span):
    """The dataset's time span, from its earliest to its latest known date, where any is known."""
    if not span or not (span["start"] or span["end"]):
        return
    period = typed(graph, BNode(f"{str(dataset).rpartition('#')[2]}-period"), DCTERMS.PeriodOfTime)
    if span["start"]:
        graph.add((period, DCAT.startDate, Literal(span["start"], datatype=XSD.date)))
    if span["end"]:
        graph.add((period, DCAT.endDate, Literal(span["end"], datatype=XSD.date)))
    graph.add((dataset, DCTERMS.temporal, period))


JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "locn": str(LOCN),
    "xsd": str(XSD),
}


@require_safe
@cache_public_page(parameters=())
def catalogue_jsonld(request):
    graph = build(request)
    body = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, indent=1)
    return catalogue_response(body, "jsonld")


@require_safe
@cache_public_page(parameters=())
def catalogue_turtle(request):
    return catalogue_response(build(request).serialize(format="turtle"), "ttl")


def catalogue_response(body, fmt):
    response = HttpResponse(body, content_type=f"{MEDIA_TYPES_OF_CATALOGUE[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="catalog-{timezone.localdate().isoformat()}.{fmt}"'
    return response
