"""The read-only API: one collection per kind of record, each list filtered as its register is.

Lists take the registers' own filter sets (partnerships/filters.py) and are screened by the
same function (partnerships/parameters.py), so a filter means the same and a bad value gets
the same 400 answer on the site, in its downloads and here. Only published records are read,
including the related records each object names. Answers to anonymous GET requests are kept
in the page cache, like the pages.
"""

from csp.constants import SELF
from csp.utils import build_policy
from django.db.models import Prefetch
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.renderers import OpenApiJsonRenderer2, OpenApiYamlRenderer
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from ..caching import PublicPage, cache_public_page
from ..filters import AgreementFilter, CooperationActivityFilter, OrganisationFilter
from ..models import (
    Agreement,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    public_records,
)
from ..parameters import filtered, screen_parameters
from ..preview import Moved, raise_if_renamed
from ..provenance import citations_prefetch, cited_sources, dated_facts_prefetch
from . import schema as _schema  # noqa: F401  (registers the schema's description of the filters)
from .errors import BAD_PARAMETERS, NOT_FOUND, error_body
from .pagination import RegistryPagination
from .serializers import (
    ActivitySerializer,
    AgreementSerializer,
    AreaSerializer,
    OrganisationSerializer,
    RegionSerializer,
    SourceSerializer,
)

API_FORMATS = ("json",)
# What every list reads besides its filters (the page cache keys answers on these alone).
API_PARAMETERS = ("page", "page_size", "format")
SCHEMA_FORMATS = ("yaml", "json")


class JSONOnly(BaseContentNegotiation):
    """The API speaks JSON whatever the client accepts, so one cached answer fits every client."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RegisterFilterBackend(DjangoFilterBackend):
    """The register's own filter set, after the register's screening of the parameters."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            screen_parameters(request.query_params, API_FORMATS)
            return queryset
        return filtered(filterset_class, request.query_params, queryset, request, API_FORMATS).qs


FORMAT = OpenApiParameter(
    "format", str, OpenApiParameter.QUERY, enum=list(API_FORMATS), description="Always JSON; may be left out."
)


def documented(name, plural, serializer):
    """The schema's description of a collection's list and detail operations."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"List the published {plural}",
            parameters=[FORMAT],
            responses={200: serializer, 400: BAD_PARAMETERS, 404: NOT_FOUND},
        ),
        retrieve=extend_schema(
            summary=f"One published {name}",
            parameters=[FORMAT],
            responses={200: serializer, 400: BAD_PARAMETERS, 404: NOT_FOUND},
        ),
    )


def published_links(relation, model):
    """``Prefetch`` of a many-to-many relation's published records, with what a link shows."""
    return Prefetch(relation, queryset=public_records(model).only("slug", "name"))


@method_decorator(cache_public_page, name="dispatch")
class RegistryViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only collection of published records: GET, HEAD and OPTIONS, nothing else."""

    http_method_names = ["get", "head", "options"]
    authentication_classes = []
    permission_classes = []
    content_negotiation_class = JSONOnly
    pagination_class = RegistryPagination
    filter_backends = [RegisterFilterBackend]
    filterset_class = None
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        filters = cls.filterset_class.base_filters if cls.filterset_class else ()
        cls.public_page = PublicPage({*filters, *API_PARAMETERS})

    def filter_queryset(self, queryset):
        if self.action == "retrieve":  # filters choose among records, not within one
            screen_parameters(self.request.query_params, API_FORMATS)
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        key = self.kwargs[self.lookup_field]
        try:
            return queryset.get(**{self.lookup_field: key})
        except (queryset.model.DoesNotExist, ValueError):
            pass
        if self.lookup_field == "slug":  # an old slug: 301 to the record's current address
            raise_if_renamed(self.request, queryset, key)
        name = queryset.model._meta.verbose_name
        raise exceptions.NotFound(f"There is no published {name} {key}.")

    def handle_exception(self, exc):
        if isinstance(exc, Moved):
            return HttpResponsePermanentRedirect(exc.url)
        return super().handle_exception(exc)


@documented("organisation", "organisations", OrganisationSerializer)
class OrganisationViewSet(RegistryViewSet):
    """International organisations the agency cooperates with; filtered as /organisations/."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return (
            public_records(Organisation)
            .select_related("parent")
            .prefetch_related(
                published_links("areas", CooperationArea),
                Prefetch("sub_organisations", queryset=public_records(Organisation).only("slug", "name", "parent")),
                citations_prefetch(),
                dated_facts_prefetch(),
            )
        )


@documented("agreement", "agreements", AgreementSerializer)
class AgreementViewSet(RegistryViewSet):
    """Formal agreements between the agency and organisations; filtered as /agreements/."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    lookup_field = "pk"
    lookup_url_kwarg = "pk"
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return (
            public_records(Agreement)
            .select_related("organisation", "supersedes__organisation")
            .prefetch_related(
                published_links("areas", CooperationArea),
                Prefetch("superseded_by", queryset=public_records(Agreement).only("pk", "title", "supersedes")),
                citations_prefetch(),
            )
        )


@documented("cooperation activity", "cooperation activities", ActivitySerializer)
class ActivityViewSet(RegistryViewSet):
    """What the agency does or plans with organisations; filtered as /cooperation/."""

    serializer_class = ActivitySerializer
    filterset_class = CooperationActivityFilter

    def get_queryset(self):
        return (
            public_records(CooperationActivity)
            .select_related("agreement__organisation")
            .prefetch_related(
                Prefetch("partners", queryset=public_records(Organisation).only("slug", "name")),
                published_links("areas", CooperationArea),
                published_links("regions", Region),
                citations_prefetch(),
                dated_facts_prefetch(),
            )
        )


@documented("cooperation area", "cooperation areas", AreaSerializer)
class AreaViewSet(RegistryViewSet):
    """The controlled vocabulary of cooperation areas."""

    serializer_class = AreaSerializer

    def get_queryset(self):
        return public_records(CooperationArea)


@documented("region", "regions", RegionSerializer)
class RegionViewSet(RegistryViewSet):
    """The regions and countries activities concern."""

    serializer_class = RegionSerializer

    def get_queryset(self):
        return public_records(Region)


@documented("source document", "source documents", SourceSerializer)
class SourceViewSet(RegistryViewSet):
    """The documents the registry's statements are quoted from."""

    serializer_class = SourceSerializer

    def get_queryset(self):
        # A source is public once a public record cites it: then its page exists too.
        return cited_sources()


COLLECTIONS = {
    "organisations": "api:organisation-list",
    "agreements": "api:agreement-list",
    "cooperation": "api:activity-list",
    "areas": "api:area-list",
    "regions": "api:region-list",
    "sources": "api:source-list",
}


@method_decorator(cache_public_page, name="dispatch")
class RootView(APIView):
    """Where everything the API offers is."""

    public_page = PublicPage({"format"})
    http_method_names = ["get", "head", "options"]
    authentication_classes = []
    permission_classes = []
    content_negotiation_class = JSONOnly

    @extend_schema(
        summary="Links to each collection, the schema and the documentation",
        parameters=[FORMAT],
        responses={
            200: inline_serializer(
                name="Root",
                fields={
                    **{name: serializers.URLField() for name in COLLECTIONS},
                    "schema": serializers.URLField(),
                    "docs": serializers.URLField(),
                    "catalogue": serializers.URLField(),
                },
            ),
            400: BAD_PARAMETERS,
        },
    )
    def get(self, request):
        screen_parameters(request.query_params, API_FORMATS)
        links = {name: request.build_absolute_uri(reverse(route)) for name, route in COLLECTIONS.items()}
        links["schema"] = request.build_absolute_uri(reverse("api:schema"))
        links["docs"] = request.build_absolute_uri(reverse("api:docs"))
        links["catalogue"] = request.build_absolute_uri(reverse("partnerships:catalogue-jsonld"))
        return Response(links)


class SchemaFormat(BaseContentNegotiation):
    """YAML, or JSON with ``?format=json``: the address alone decides, so one cached answer fits."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = request.query_params.get("format") or renderers[0].format
        for renderer in renderers:
            if renderer.format == wanted:
                return renderer, renderer.media_type
        return renderers[-1], renderers[-1].media_type  # JSON, for the 400 answer that get() gives


@method_decorator(cache_public_page, name="dispatch")
class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, generated from the code (and the vocabularies' current slugs)."""

    http_method_names = ["get", "head", "options"]
    authentication_classes = []
    permission_classes = []
    renderer_classes = [OpenApiYamlRenderer, OpenApiJsonRenderer2]
    content_negotiation_class = SchemaFormat
    public_page = PublicPage({"format"})

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        screen_parameters(request.query_params, SCHEMA_FORMATS)
        return super().get(request, *args, **kwargs)


# Swagger UI's stylesheet draws its icons as data: images; nothing else of the site's policy changes.
DOCS_POLICY = {"img-src": [SELF, "data:"]}


@require_safe
@cache_public_page(parameters=())
def docs(request):
    """The API's documentation for people: Swagger UI, every file of it served by the site.

    The page carries its own policy, so that the copies the page cache gives keep it too.
    """
    response = render(request, "partnerships/api_docs.html", {"schema_url": reverse("api:schema") + "?format=json"})
    response["Content-Security-Policy"] = build_policy(replace=DOCS_POLICY)
    return response


def not_found(request):
    """Any other address under /api/: a JSON 404."""
    return JsonResponse(error_body("There is nothing at this address of the API."), status=404)
