"""The read-only API: one collection per kind of record, each list filtered as its register is.

Lists take the registers' own filter sets (partnerships/filters.py) and are screened by the
same function (partnerships/parameters.py), so a filter means the same and a bad value gets
the same 400 answer on the site, in its downloads and here. Only published records are read,
including the related records each object names. Answers to anonymous GET requests are kept
in the page cache, like the pages.
"""

from csp.constants import SELF
from csp.decorators import csp_replace
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.renderers import OpenApiJsonRenderer2, OpenApiYamlRenderer
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from ..caching import cache_public_page
from ..filters import AgreementFilter, CooperationActivityFilter, OrganisationFilter
from ..models import (
    Agreement,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
    public_records,
)
from ..parameters import BadRequest, filtered, read_page_number, read_whole_number, screen_parameters
from ..provenance import with_citations
from . import schema as _schema  # noqa: F401  (registers the schema's description of the filters)
from .serializers import (
    ActivitySerializer,
    AgreementSerializer,
    AreaSerializer,
    OrganisationSerializer,
    RegionSerializer,
    SourceSerializer,
)

API_FORMATS = ("json",)
SCHEMA_FORMATS = ("yaml", "json")
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

# Headers that let a page on any other site read the API with fetch(): reads carry no
# credentials, so every origin may read every answer.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
}
CORS_PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


def error_body(message, parameters=None):
    return {"error": message, "parameters": parameters or {}}


def exception_handler(exc, context):
    """Every error the API answers, as ``{"error": ..., "parameters": {name: [message, ...]}}``."""
    if isinstance(exc, BadRequest):
        return Response(exc.as_json(), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    if isinstance(exc, NotFoundOnPage):
        return Response(error_body(str(exc.detail), {"page": [str(exc.detail)]}), status=404)
    if isinstance(exc, exceptions.APIException):
        headers = {"Allow": "GET, HEAD, OPTIONS"} if isinstance(exc, exceptions.MethodNotAllowed) else {}
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        return Response(error_body(str(detail)), status=exc.status_code, headers=headers)
    return None


def with_cors(response, preflight=False):
    for name, value in {**CORS_HEADERS, **(CORS_PREFLIGHT_HEADERS if preflight else {})}.items():
        response[name] = value
    return response


class NotFoundOnPage(exceptions.NotFound):
    """A page number past the last page of the results."""


class JSONOnly(BaseContentNegotiation):
    """The API speaks JSON whatever the client accepts, so one cached answer fits every client."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RegistryPagination(BasePagination):
    """Pages of ``page_size`` records (1 to 100, 25 by default), numbered from 1."""

    def paginate_queryset(self, queryset, request, view=None):
        number = read_page_number(request.query_params.get("page"))
        size = read_whole_number("page_size", request.query_params.get("page_size"), PAGE_SIZE, "page size", 100)
        paginator = Paginator(queryset, size)
        if number > paginator.num_pages:
            raise NotFoundOnPage(f"There is no page {number} of these results.")
        self.page = paginator.page(number)
        self.request = request
        return list(self.page)

    def link(self, number):
        url = self.request.build_absolute_uri()
        return remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.link(self.page.next_page_number()) if self.page.has_next() else None,
                "previous": self.link(self.page.previous_page_number()) if self.page.has_previous() else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "How many records match, on all pages."},
                "next": {"type": "string", "format": "uri", "nullable": True, "description": "The next page."},
                "previous": {"type": "string", "format": "uri", "nullable": True, "description": "The page before."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "The page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 999999999, "default": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"How many records a page holds, from 1 to {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
            },
        ]


class RegisterFilterBackend(DjangoFilterBackend):
    """The register's own filter set, after the register's screening of the parameters."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            screen_parameters(request.query_params, API_FORMATS)
            return queryset
        return filtered(filterset_class, request.query_params, queryset, request, API_FORMATS).qs


ERROR = inline_serializer(
    name="Error",
    fields={
        "error": serializers.CharField(help_text="What went wrong."),
        "parameters": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="For each query parameter that cannot be used, what is wrong with it.",
        ),
    },
)
BAD_PARAMETERS = OpenApiResponse(ERROR, description="A query parameter cannot be used; the answer names it.")
NOT_FOUND = OpenApiResponse(ERROR, description="No published record has this key, or the page is past the last.")
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
    model = None

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
            name = queryset.model._meta.verbose_name
            raise exceptions.NotFound(f"There is no published {name} {key}.") from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_cors(response, preflight=request.method == "OPTIONS")


@documented("organisation", "organisations", OrganisationSerializer)
class OrganisationViewSet(RegistryViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return with_citations(
            public_records(Organisation)
            .select_related("parent")
            .prefetch_related(
                "areas",
                Prefetch("sub_organisations", queryset=public_records(Organisation).only("slug", "name", "parent")),
            )
        )


@documented("agreement", "agreements", AgreementSerializer)
class AgreementViewSet(RegistryViewSet):
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    lookup_field = "pk"
    lookup_url_kwarg = "pk"
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return with_citations(
            public_records(Agreement)
            .select_related("organisation", "supersedes__organisation")
            .prefetch_related(
                "areas",
                Prefetch("superseded_by", queryset=public_records(Agreement).only("pk", "title", "supersedes")),
            )
        )


@documented("cooperation activity", "cooperation activities", ActivitySerializer)
class ActivityViewSet(RegistryViewSet):
    serializer_class = ActivitySerializer
    filterset_class = CooperationActivityFilter

    def get_queryset(self):
        return with_citations(
            public_records(CooperationActivity)
            .select_related("agreement__organisation")
            .prefetch_related(
                Prefetch("partners", queryset=public_records(Organisation).only("slug", "name")), "areas", "regions"
            )
        )


@documented("cooperation area", "cooperation areas", AreaSerializer)
class AreaViewSet(RegistryViewSet):
    serializer_class = AreaSerializer

    def get_queryset(self):
        return public_records(CooperationArea)


@documented("region", "regions", RegionSerializer)
class RegionViewSet(RegistryViewSet):
    serializer_class = RegionSerializer

    def get_queryset(self):
        return public_records(Region)


@documented("source document", "source documents", SourceSerializer)
class SourceViewSet(RegistryViewSet):
    serializer_class = SourceSerializer

    def get_queryset(self):
        return public_records(SourceDocument)


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

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_cors(response, preflight=request.method == "OPTIONS")


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

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        screen_parameters(request.query_params, SCHEMA_FORMATS)
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_cors(response, preflight=request.method == "OPTIONS")


# Swagger UI's stylesheet draws its icons as data: images; nothing else of the site's policy changes.
# Outside the page cache, so that answers from the cache carry the same policy.
@csp_replace({"img-src": [SELF, "data:"]})
@require_safe
@cache_public_page
def docs(request):
    """The API's documentation for people: Swagger UI, every file of it served by the site."""
    return render(request, "partnerships/api_docs.html", {"schema_url": reverse("api:schema") + "?format=json"})


def not_found(request):
    """Any other address under /api/: a JSON 404."""
    return with_cors(JsonResponse(error_body("There is nothing at this address of the API."), status=404))
