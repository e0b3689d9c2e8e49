"""The public site: overview, registers with filters and downloads, and one page per record.

Every view starts from ``published()``: drafts never reach the public.
"""

import re
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_safe

from . import changes, exports, selection, timeline, works_in
from .caching import PublicPage, cache_public_page, cached, registry_version
from .downloads import full_download
from .facets import EXPAND, Faceting, vocabulary_of
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
from .open_data import jsonld_script, organisation_jsonld
from .outage import database_failed
from .parameters import EXPORT_FORMATS, BadRequest, filtered, read_page_number
from .preview import DRAFT_NOTICE, follow_renames, found_or_renamed, mark_draft, may_preview, private, visible
from .provenance import citations_prefetch, dated_facts_prefetch, published_facts
from .search.suggestions import suggestions

PAGE_SIZE = 25
# How many related records a detail page lists before linking to the filtered register.
RELATED_LIMIT = 25
MATRIX_PAGE_SIZE = 50
# What every register reads besides its filters (``sort`` is one of them).
REGISTER_PARAMETERS = ("page", "format", EXPAND)
CHANGES_PAGE_SIZE = 25


def published_partners():
    return Prefetch("partners", queryset=Organisation.objects.published().only("pk", "name", "acronym", "slug"))


def published_areas():
    return Prefetch("areas", queryset=CooperationArea.objects.published().only("name", "slug"))


def published_regions():
    return Prefetch("regions", queryset=Region.objects.published().only("name", "slug"))


# What a card or a table row of an activity shows (templates/includes/activity_items.html).
ACTIVITY_CARD = ("title", "slug", "status", "priority", "starts_on", "ends_on")


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


@method_decorator(cache_public_page, name="get")
class RegisterView(View):
    """A filterable register: the HTML page, or every matching row as CSV or JSON."""

    filterset_class = None
    export = None
    template_name = None
    feed_url_name = None

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
            filterset = filtered(self.filterset_class, request.GET, self.get_queryset(), request)
            if wants_export:
                fmt = request.GET["format"]
                if not any(filterset.data.getlist(name) for name in filterset.filters):
                    base_url = request.build_absolute_uri("/").rstrip("/")
                    return full_download(self.export, filterset.qs, fmt, registry_version(request), base_url)
                return self.export.response(filterset.qs, fmt, request, filterset.data)
            page_number = read_page_number(request.GET.get("page"))
            faceting = Faceting(filterset, request)
            read_expand(request.GET.get(EXPAND), faceting)
        except BadRequest as bad:
            if wants_export or (request.GET.get("format") and "format" in bad.errors):
                return JsonResponse(bad.as_json(), status=400)
            filterset = bad.filterset
            if filterset is None:
                filterset = self.filterset_class(None, queryset=self.get_queryset().none(), request=request)
            return self.render(request, filterset, None, None, bad.errors, status=400)

        paginator = Paginator(filterset.qs, PAGE_SIZE)
        total = faceting.total()
        if total is not None:
            paginator.count = total  # the counts beside the filters hold it: no COUNT query
        if page_number > paginator.num_pages:
            raise Http404(f"There is no page {page_number} of these results.")
        return self.render(request, filterset, faceting, paginator.page(page_number), {})

    def render(self, request, filterset, faceting, page, errors, status=200):
        facets = {facet.name: facet for facet in faceting.facets()} if faceting else {}
        sort = filterset.filters["sort"]
        context = {
            # A page of no rows is falsy, yet it is a page: "0 results", not "filters unusable".
            **(pagination(page) if page is not None else {"page": None}),
            "filter": filterset,
            "form_parts": [(facets.get(field.name), field) for field in filterset.form],
            "phrases": selection.describe(filterset, request, vocabulary_of(request)) if page is not None else [],
            "clear_url": selection.clear_all(request),
            "sorted_by": getattr(filterset, "sorted_by", sort.default) if page is not None else None,
            "sortings": [(value, label, sort_url(request, value)) for value, (label, _) in sort.orderings.items()],
            "expanded": request.GET.get(EXPAND) if faceting else None,
            "errors": {
                filterset.form[name].label if name in filterset.form.fields else name: (name, messages)
                for name, messages in errors.items()
            },
            "filtered": any(filterset.data.getlist(name) for name in filterset.filters if name != "sort")
            if filterset.data
            else False,
            "feed_url": self.feed_url(filterset) if page is not None else None,
            "suggestions": [],
        }
        q = filterset.data.get("q") if filterset.data else None
        if page is not None and q and not page.paginator.count:
            context["suggestions"] = suggestions(request, q)
        return render(request, self.template_name, context, status=status)

    def feed_url(self, filterset):
        """The register's feed for the filters this page shows (a feed is always latest first)."""
        filters = [
            (name, value) for name in filterset.filters if name != "sort" for value in filterset.data.getlist(name)
        ]
        return reverse(self.feed_url_name) + (f"?{urlencode(filters)}" if filters else "")


def read_expand(value, faceting):
    """``expand`` names the one long filter whose every option is listed."""
    if value is not None and value not in faceting.expandable():
        names = " or ".join(sorted(faceting.expandable())) or "nothing on this page"
        raise BadRequest({EXPAND: [f"The list to show in full must be {names}."]})


def sort_url(request, value):
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = value
    return f"?{query.urlencode()}"


class OrganisationList(RegisterView):
    feed_url_name = "partnerships:organisation-feed"
    filterset_class = OrganisationFilter
    export = exports.ORGANISATIONS
    template_name = "partnerships/organisation_list.html"

    def get_queryset(self):
        return Organisation.objects.published().select_related("parent").prefetch_related(published_areas())


class AgreementList(RegisterView):
    feed_url_name = "partnerships:agreement-feed"
    filterset_class = AgreementFilter
    export = exports.AGREEMENTS
    template_name = "partnerships/agreement_list.html"

    def get_queryset(self):
        return Agreement.objects.published().select_related("organisation")


class CooperationActivityList(RegisterView):
    feed_url_name = "partnerships:activity-feed"
    filterset_class = CooperationActivityFilter
    export = exports.ACTIVITIES
    template_name = "partnerships/activity_list.html"

    def get_queryset(self):
        return published_activities().prefetch_related(published_regions())


def count_activities_per_area():
    """{published area id: number of published activities in the area}, in one grouped query."""
    links = CooperationActivity.areas.through.objects.filter(
        cooperationactivity__is_published=True, cooperationarea__is_published=True
    )
    return dict(links.values_list("cooperationarea_id").annotate(n=Count("pk")).order_by())


def areas_with_counts(request):
    """The published areas, each with the numbers of published organisations working in it and
    of published activities in it. Both read every link of their kind, so they are computed once
    per registry version and shared by the pages that show them."""
    organisations = works_in.organisations_per_area(request)
    activities = cached(request, "activities-per-area", count_activities_per_area)
    areas = list(CooperationArea.objects.published())
    for area in areas:
        area.organisation_count = organisations.get(area.pk, 0)
        area.activity_count = activities.get(area.pk, 0)
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
    # Rows in the order of what they show: the acronym.
    organisations = Organisation.objects.published().only("name", "acronym", "slug").order_by(Lower("acronym"), "pk")
    paginator = Paginator(organisations, MATRIX_PAGE_SIZE)
    if page_number > paginator.num_pages:
        raise Http404(f"There is no page {page_number} of the matrix.")
    page = paginator.page(page_number)
    organisations = list(page.object_list)
    found = works_in.engagements(organisations)
    rows = []
    for organisation in organisations:
        cells = []
        for area in areas:
            declared, activities = found.get((organisation.pk, area.pk), (False, 0))
            cells.append({"area": area, "declared": declared, "activities": activities})
        rows.append({"organisation": organisation, "cells": cells})
    return render(request, "partnerships/area_list.html", {"areas": areas, "rows": rows, **pagination(page)})


@require_safe
@cache_public_page(parameters=())
@follow_renames
def area_detail(request, slug):
    area = found_or_renamed(request, visible(request, CooperationArea.objects.all()), slug=slug)
    working = works_in.organisations_working_in(request, [area])
    organisations = list(
        Organisation.objects.published()
        .filter(pk__in=working)
        .only("name", "acronym", "slug", "relationship")[:RELATED_LIMIT]
    )
    found = works_in.engagements(organisations, [area])
    for organisation in organisations:
        organisation.declares_area, organisation.activities_in_area = found.get((organisation.pk, area.pk), (False, 0))
    activities = cached(request, "activities-per-area", count_activities_per_area)
    context = {
        "area": area,
        "organisation_count": len(working),
        "organisations": organisations,
        "activity_count": activities.get(area.pk, 0),
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
    parent = organisation.parent if organisation.parent and organisation.parent.is_published else None
    activities = published_activities().filter(partners=organisation).prefetch_related(citations_prefetch())
    context = {
        "organisation": organisation,
        "parent": parent,
        "jsonld": jsonld_script(organisation_jsonld(request, organisation, parent)),
        # "parent" too: the related manager checks each row's parent_id, one query per row if deferred.
        "sub_organisations": organisation.sub_organisations.published().only("name", "acronym", "slug", "parent"),
        "agreements": Agreement.objects.published().filter(organisation=organisation)[:RELATED_LIMIT],
        # Areas it works in through its published activities without declaring them (works_in.py).
        "areas_through_activities": CooperationArea.objects.published()
        .filter(
            pk__in=CooperationActivity.areas.through.objects.filter(
                cooperationactivity__is_published=True, cooperationactivity__partners=organisation
            ).values("cooperationarea_id")
        )
        .exclude(organisations=organisation)
        .only("name", "slug"),
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


# /changes/?record=…: the record's public address without its slashes, "organisations/iom".
RECORD_ADDRESS = re.compile(r"(organisations|cooperation)/([-a-zA-Z0-9_]{1,120})|agreements/([0-9]{1,18})", re.ASCII)
RECORD_ADDRESS_HELP = "Name a record by its address: organisations/<slug>, agreements/<number> or cooperation/<slug>."


def read_record(value):
    """The published record that /changes/?record= names."""
    address = RECORD_ADDRESS.fullmatch(value.strip().strip("/"))
    if address is None:
        raise BadRequest({"record": [RECORD_ADDRESS_HELP]})
    kind, slug, number = address.groups()
    if number is not None:
        record = Agreement.objects.published().filter(pk=int(number)).first()
    elif kind == "organisations":
        record = Organisation.objects.published().filter(slug=slug).first()
    else:
        record = CooperationActivity.objects.published().filter(slug=slug).first()
    if record is None:
        raise BadRequest({"record": [f"No published record is at /{address[0]}/."]})
    return record


@require_safe
@cache_public_page(parameters={"page", "record"})
def change_log(request):
    """What was published, and which public fields of published records changed, newest first.

    Pages are counted without counting every entry (a query that grows with the log): each
    page reads one entry more than it shows, to know whether an older page follows.
    """
    try:
        for name in ("page", "record"):
            if len(request.GET.getlist(name)) > 1:
                raise BadRequest(
                    {name: [f"Give the {name} parameter once, not {len(request.GET.getlist(name))} times."]}
                )
        page_number = read_page_number(request.GET.get("page"))
        record = read_record(request.GET["record"]) if request.GET.get("record") else None
    except BadRequest as bad:
        return render(request, "400.html", {"errors": bad.errors}, status=400)
    entries = changes.changes_of(record) if record is not None else changes.visible_changes()
    start = (page_number - 1) * CHANGES_PAGE_SIZE
    window = list(entries[start : start + CHANGES_PAGE_SIZE + 1])
    if page_number > 1 and not window:
        raise Http404(f"There is no page {page_number} of the change log.")
    context = {
        "entries": changes.describe(window[:CHANGES_PAGE_SIZE]),
        "record": record,
        "page_number": page_number,
        "newer_page": page_number - 1 if page_number > 1 else None,
        "older_page": page_number + 1 if len(window) > CHANGES_PAGE_SIZE else None,
    }
    return render(request, "partnerships/change_log.html", context)


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
