"""The public site: overview, registers with filters and downloads, and one page per record.

Every view starts from ``published()``: drafts never reach the public.
"""

import re

from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_safe

from . import exports, timeline
from .caching import PublicPage, cache_public_page, cached, registry_version
from .downloads import full_download
from .filters import AgreementFilter, CooperationActivityFilter, OrganisationFilter
from .models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    RegistryVersion,
    SourceDocument,
)
from .outage import database_failed
from .preview import DRAFT_NOTICE, follow_renames, found_or_renamed, mark_draft, may_preview, private, visible
from .provenance import citations_prefetch, dated_facts_prefetch, published_facts

PAGE_SIZE = 25
# How many related records a detail page lists before linking to the filtered register.
RELATED_LIMIT = 25
MATRIX_PAGE_SIZE = 50
# Parameters that take one value; several of them make the request ambiguous.
SINGLE_VALUED = {"page", "format", "q", "signed_after", "signed_before"}
# What every register reads besides its filters.
REGISTER_PARAMETERS = ("page", "format", "sort")
EXPORT_FORMATS = {"csv", "json"}
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def published_partners():
    return Prefetch("partners", queryset=Organisation.objects.published().only("pk", "name", "acronym", "slug"))


def published_areas():
    return Prefetch("areas", queryset=CooperationArea.objects.published().only("name", "slug"))


def published_regions():
    return Prefetch("regions", queryset=Region.objects.published().only("name", "slug"))


# What a card or a table row of an activity shows (templates/includes/activity_items.html).
ACTIVITY_CARD = ("title", "slug", "status", "priority")


def published_activities():
    """Published activities with what their cards and table rows show, and only that."""
    return (
        CooperationActivity.objects.published()
        .only(*ACTIVITY_CARD)
        .prefetch_related(published_partners(), published_areas())
    )


def pagination(page):
    """What templates/includes/pagination.html needs besides the page itself."""
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "ellipsis": page.paginator.ELLIPSIS,
    }


class BadRequest(Exception):
    """Query parameters that cannot be answered, with a message for each parameter."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def read_page_number(value):
    if value is None:
        return 1
    if not WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
        raise BadRequest({"page": ["The page number must be a whole number, 1 or more."]})
    return int(value)


def screen_parameters(query):
    """Check what every register takes alike; return the filter parameters without blanks.

    Blank values are what a filter form sends for "any", so they mean no filter.
    """
    errors = {}
    for name in query:
        values = query.getlist(name)
        if name in SINGLE_VALUED and len(values) > 1:
            errors[name] = [f"Give the {name} parameter once, not {len(values)} times."]
        elif any("\x00" in value for value in values):
            errors[name] = ["The value contains a null character."]
    fmt = query.get("format", "")
    if "format" not in errors and fmt and fmt not in EXPORT_FORMATS:
        errors["format"] = ["The format must be csv or json."]
    if errors:
        raise BadRequest(errors)
    data = QueryDict(mutable=True)
    for name in query:
        if name not in ("page", "format"):
            data.setlist(name, list(dict.fromkeys(v for v in query.getlist(name) if v.strip())))
    return data


@method_decorator(cache_public_page, name="get")
class RegisterView(View):
    """A filterable register: the HTML page, or every matching row as CSV or JSON."""

    filterset_class = None
    export = None
    template_name = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The page cache keys a register on its filters and the parameters every register reads.
        cls.public_page = PublicPage(lambda: {*cls.filterset_class.base_filters, *REGISTER_PARAMETERS})

    def get_queryset(self):
        raise NotImplementedError

    def get(self, request):
        wants_export = request.GET.get("format") in EXPORT_FORMATS
        filterset = None
        try:
            data = screen_parameters(request.GET)
            filterset = self.filterset_class(data, queryset=self.get_queryset(), request=request)
            if not filterset.is_valid():
                raise BadRequest(filterset.errors)
            if wants_export:
                fmt = request.GET["format"]
                if not any(data.getlist(name) for name in filterset.filters):
                    return full_download(self.export, filterset.qs, fmt, registry_version(request))
                return self.export.response(filterset.qs, fmt)
            page_number = read_page_number(request.GET.get("page"))
        except BadRequest as bad:
            if wants_export or (request.GET.get("format") and "format" in bad.errors):
                return JsonResponse(
                    {"error": "Some query parameters cannot be used.", "parameters": bad.errors}, status=400
                )
            if filterset is None:
                filterset = self.filterset_class(None, queryset=self.get_queryset().none(), request=request)
            return self.render(request, filterset, None, bad.errors, status=400)

        paginator = Paginator(filterset.qs, PAGE_SIZE)
        if page_number > paginator.num_pages:
            raise Http404(f"There is no page {page_number} of these results.")
        return self.render(request, filterset, paginator.page(page_number), {})

    def render(self, request, filterset, page, errors, status=200):
        context = {
            # A page of no rows is falsy, yet it is a page: "0 results", not "filters unusable".
            **(pagination(page) if page is not None else {"page": None}),
            "filter": filterset,
            "errors": {
                filterset.form[name].label if name in filterset.form.fields else name: (name, messages)
                for name, messages in errors.items()
            },
            "filtered": any(filterset.data.get(name) for name in filterset.filters) if filterset.data else False,
        }
        return render(request, self.template_name, context, status=status)


class OrganisationList(RegisterView):
    filterset_class = OrganisationFilter
    export = exports.ORGANISATIONS
    template_name = "partnerships/organisation_list.html"

    def get_queryset(self):
        return Organisation.objects.published().select_related("parent").prefetch_related(published_areas())


class AgreementList(RegisterView):
    filterset_class = AgreementFilter
    export = exports.AGREEMENTS
    template_name = "partnerships/agreement_list.html"

    def get_queryset(self):
        return Agreement.objects.published().select_related("organisation")


class CooperationActivityList(RegisterView):
    filterset_class = CooperationActivityFilter
    export = exports.ACTIVITIES
    template_name = "partnerships/activity_list.html"

    def get_queryset(self):
        return published_activities().prefetch_related(published_regions())


def published_links_per_area(model):
    """{area id: number of published ``model`` records in the area}, in one grouped query."""
    links = model.areas.through.objects.filter(**{f"{model._meta.model_name}__is_published": True})
    return dict(links.values_list("cooperationarea_id").annotate(n=Count("pk")).order_by())


def count_per_area():
    return {
        "organisations": published_links_per_area(Organisation),
        "activities": published_links_per_area(CooperationActivity),
    }


def area_counts(request):
    """The numbers of published organisations and activities per area.

    Counting the activities of every area reads all the links between activities and areas,
    so the counts are computed once per registry version and shared by the pages that show them.
    """
    return cached(request, "area-counts", count_per_area)


def areas_with_counts(request):
    """The areas, each with its numbers of published organisations and activities."""
    counts = area_counts(request)
    areas = list(CooperationArea.objects.published())
    for area in areas:
        area.organisation_count = counts["organisations"].get(area.pk, 0)
        area.activity_count = counts["activities"].get(area.pk, 0)
    return areas


@require_safe
@cache_public_page(parameters=())
def home(request):
    organisations = Organisation.objects.published().only("name", "acronym", "slug", "relationship")
    context = {
        "organisation_count": organisations.count(),
        "activity_count": CooperationActivity.objects.published().count(),
        "agreement_count": Agreement.objects.published().count(),
        "areas": areas_with_counts(request),
        "organisations": organisations[:RELATED_LIMIT],
        "major_activities": published_activities().filter(priority=CooperationActivity.Priority.MAJOR)[:5],
    }
    return render(request, "partnerships/home.html", context)


@require_safe
@cache_public_page(parameters={"page"})
def area_list(request):
    """The cooperation matrix: organisations as rows, areas as columns."""
    try:
        page_number = read_page_number(request.GET.get("page"))
    except BadRequest as bad:
        return render(request, "400.html", {"errors": bad.errors}, status=400)
    areas = list(CooperationArea.objects.published().only("name", "slug"))
    paginator = Paginator(Organisation.objects.published().only("name", "acronym", "slug"), MATRIX_PAGE_SIZE)
    if page_number > paginator.num_pages:
        raise Http404(f"There is no page {page_number} of the matrix.")
    page = paginator.page(page_number)
    organisations = list(page.object_list)
    declared = set(
        Organisation.areas.through.objects.filter(organisation__in=organisations).values_list(
            "organisation_id", "cooperationarea_id"
        )
    )
    activity_counts = {
        (row["organisation_id"], row["area_id"]): row["n"]
        for row in CooperationActivity.partners.through.objects.filter(
            organisation__in=organisations, cooperationactivity__is_published=True
        )
        .values("organisation_id", area_id=F("cooperationactivity__areas"))
        .annotate(n=Count("cooperationactivity_id"))
        .order_by()
    }
    rows = [
        {
            "organisation": organisation,
            "cells": [
                {
                    "area": area,
                    "declared": (organisation.pk, area.pk) in declared,
                    "activities": activity_counts.get((organisation.pk, area.pk), 0),
                }
                for area in areas
            ],
        }
        for organisation in organisations
    ]
    return render(request, "partnerships/area_list.html", {"areas": areas, "rows": rows, **pagination(page)})


@require_safe
@cache_public_page(parameters=())
@follow_renames
def area_detail(request, slug):
    area = found_or_renamed(request, visible(request, CooperationArea.objects.all()), slug=slug)
    counts = area_counts(request)
    context = {
        "area": area,
        "organisation_count": counts["organisations"].get(area.pk, 0),
        "organisations": area.organisations.published().only("name", "acronym", "slug", "relationship")[
            :RELATED_LIMIT
        ],
        "activity_count": counts["activities"].get(area.pk, 0),
        "activities": published_activities().filter(areas=area)[:RELATED_LIMIT],
    }
    return preview_render(request, "partnerships/area_detail.html", context, area)


@require_safe
@cache_public_page(parameters=())
@follow_renames
def organisation_detail(request, slug):
    organisation = found_or_renamed(
        request,
        visible(
            request,
            Organisation.objects.select_related("parent").prefetch_related(published_areas(), citations_prefetch()),
        ),
        slug=slug,
    )
    activities = published_activities().filter(partners=organisation).prefetch_related(citations_prefetch())
    context = {
        "organisation": organisation,
        "parent": organisation.parent if organisation.parent and organisation.parent.is_published else None,
        # "parent" too: the related manager checks each row's parent_id, one query per row if deferred.
        "sub_organisations": organisation.sub_organisations.published().only("name", "acronym", "slug", "parent"),
        "agreements": Agreement.objects.published().filter(organisation=organisation)[:RELATED_LIMIT],
        "activity_count": activities.count(),
        "activities": activities[:RELATED_LIMIT],
        "timeline": timeline.organisation_timeline(organisation),
    }
    context["chart"] = timeline.layout(context["timeline"])
    return preview_render(request, "partnerships/organisation_detail.html", context, organisation)


def preview_render(request, template, context, record):
    """The record's page; a draft's (seen by staff only) with its banner, and kept by no cache."""
    if mark_draft(context, record):
        return private(render(request, template, context))
    return render(request, template, context)


@require_safe
@cache_public_page(parameters=())
def agreement_detail(request, pk):
    agreement = get_object_or_404(
        visible(
            request,
            Agreement.objects.select_related("organisation").prefetch_related(
                published_areas(), citations_prefetch(), dated_facts_prefetch()
            ),
        ),
        pk=pk,
    )
    context = {
        "agreement": agreement,
        "supersedes": Agreement.objects.published().filter(pk=agreement.supersedes_id).first(),
        "superseded_by": agreement.superseded_by.published(),
        "activities": published_activities().filter(agreement=agreement)[:RELATED_LIMIT],
    }
    return preview_render(request, "partnerships/agreement_detail.html", context, agreement)


@require_safe
@cache_public_page(parameters=())
@follow_renames
def activity_detail(request, slug):
    activity = found_or_renamed(
        request,
        visible(
            request,
            CooperationActivity.objects.select_related("agreement").prefetch_related(
                published_partners(),
                published_areas(),
                published_regions(),
                citations_prefetch(),
                dated_facts_prefetch(),
            ),
        ),
        slug=slug,
    )
    agreement = activity.agreement
    if agreement is not None and not Agreement.objects.published().filter(pk=agreement.pk).exists():
        agreement = None
    context = {"activity": activity, "agreement": agreement}
    return preview_render(request, "partnerships/activity_detail.html", context, activity)


# What cites a source, by the kind of record: the citations of published records only, each
# with its record, in the record's usual order.
CITING = [
    ("organisations", Q(organisation__is_published=True), "organisation", ("organisation__name",)),
    (
        "agreements",
        Q(agreement__is_published=True, agreement__organisation__is_published=True),
        "agreement",
        ("agreement__title",),
    ),
    ("activities", Q(activity__is_published=True), "activity", ("activity__title",)),
    ("dated_facts", None, "dated_fact", ("dated_fact__date",)),
]


@require_safe
@cache_public_page(parameters=())
@follow_renames
def source_detail(request, slug):
    """One source document and every published statement that cites it.

    A source that no published record cites is not public: 404.
    """
    source = found_or_renamed(request, visible(request, SourceDocument.objects.all()), slug=slug)
    sections, total = [], 0
    for name, condition, owner, ordering in CITING:
        if condition is None:
            condition = Q(dated_fact__in=published_facts().values("pk"))
        citations = Citation.objects.filter(condition, source=source)
        count = citations.count()
        total += count
        rows = citations.select_related(owner).order_by(*ordering, "position", "pk")
        if owner == "dated_fact":  # a fact is shown on the pages of its organisations
            rows = rows.prefetch_related(
                Prefetch(
                    "dated_fact__organisations",
                    queryset=Organisation.objects.published().only("name", "acronym", "slug"),
                )
            )
        rows = rows[:RELATED_LIMIT] if count else []
        sections.append({"name": name, "count": count, "citations": rows})
    context = {"source": source, "sections": sections}
    if not (total and source.is_published):
        # Staff who may see drafts preview it; visitors find nothing here.
        if not may_preview(request, SourceDocument):
            raise Http404("No published statement cites this source.")
        context["draft_notice"] = DRAFT_NOTICE
        return private(render(request, "partnerships/source_detail.html", context))
    return render(request, "partnerships/source_detail.html", context)


@require_safe
@cache_public_page(parameters=())
def robots_txt(request):
    sitemap = request.build_absolute_uri("/sitemap.xml")
    return HttpResponse(f"User-agent: *\nDisallow: /admin/\nSitemap: {sitemap}\n", content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_safe
def healthz(request):
    """200 while the database answers, 503 when it does not: for load balancers and monitors.

    It reads the registry's own table, as every public page does: a ``SELECT 1`` would answer
    while the tables are missing, and on SQLite without even opening the file. (A missing
    SQLite file is never created anew: the settings open it read-write only.)
    """
    try:
        RegistryVersion.current()
    except DatabaseError as error:
        database_failed(request, error)
        response = HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        response._has_been_logged = True  # the outage is logged once, not once per probe
        return response
    return HttpResponse("ok\n", content_type="text/plain")
