"""Atom feeds: of any filtered register, of one organisation or one area, and of the change log.

One Feed class per feed (Django's syndication framework). The register feeds read the same
filter parameters through the same filter sets as the registers, and refuse a bad value with
the same 400 answer naming the parameter. Every feed lists published records only, the most
recently changed first, each entry dated by the record's last public change (``updated``)
and its first publication (``published``), as partnerships/changes.py keeps them. The feeds of
an organisation and an area also carry the dated facts of the records they follow, each an
entry of its own dated from the change log (partnerships/feed_facts.py).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponsePermanentRedirect, QueryDict
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from . import changes
from .caching import cache_public_page
from .feed_facts import FactEntry, fact_entries
from .filters import AgreementFilter, CooperationActivityFilter, OrganisationFilter
from .models import Agreement, CooperationActivity, CooperationArea, Organisation
from .parameters import BadRequest, screen_parameters
from .preview import Moved, found_or_renamed

# How many entries a feed carries: the latest changes, not the whole register.
FEED_LENGTH = 50
PUBLISHER = "Partnerships registry"

RECORD_KINDS = {**changes.RECORD_KINDS, CooperationArea: "Cooperation area"}


@dataclass
class Subject:
    """What one request's feed is about."""

    request: object
    title: str
    subtitle: str
    link: str
    items: list = field(default_factory=list)


def areas():
    return Prefetch("areas", queryset=CooperationArea.objects.published().only("name"))


def latest_first(queryset):
    """The records latest changed in public first, as many as a feed carries."""
    return queryset.filter(public_changed_at__isnull=False).order_by("-public_changed_at", "-pk")[:FEED_LENGTH]


def public_dates(record):
    """(first published, last public change) of a record or a cooperation area."""
    return record.published_at, record.public_changed_at


def site_host(request):
    """The host the site answers to, without the port: the naming authority of the entries' ids."""
    domain, _ = split_domain_port(get_current_site(request).domain)
    return domain or "localhost"


def tag_uri(host, record):
    """A permanent id (RFC 4151 tag URI): the site's host, the day the record was created, and
    the kind and number of the record, none of which a later edit changes."""
    return f"tag:{host},{record.created_at:%Y-%m-%d}:{record._meta.model_name}/{record.pk}"


def text_of(record):
    return record.description if isinstance(record, CooperationArea) else record.summary


def describe_record(record):
    """The first line of an entry's summary: what kind of record, and its state."""
    kind = RECORD_KINDS[record._meta.concrete_model]
    if isinstance(record, CooperationActivity):
        return f"{kind} · {record.get_status_display()}"
    if isinstance(record, Agreement):
        return f"{kind} with the {record.organisation.acronym} · {record.get_status_display()}"
    if isinstance(record, Organisation):
        return f"{kind} · {record.get_relationship_display()}"
    return kind


def served(feed_class):
    """The feed as a view, served through the page cache like the pages, keyed on the query
    parameters it reads (``parameters``)."""
    feed = feed_class()
    return cache_public_page(feed, parameters=feed.parameters)


class RecordFeed(Feed):
    """A feed whose entries are registry records, latest public change first."""

    feed_type = Atom1Feed
    author_name = PUBLISHER
    # The query parameters the feed reads (none: one organisation's or area's feed).
    parameters = ()

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except BadRequest as bad:
            return render(request, "400.html", {"errors": bad.errors}, status=400)
        except Moved as moved:  # the feed of a renamed record, asked for by an old slug
            return HttpResponsePermanentRedirect(moved.url)

    def title(self, subject):
        return subject.title

    def subtitle(self, subject):
        return subject.subtitle

    def link(self, subject):
        return subject.link

    def feed_guid(self, subject):
        return subject.request.build_absolute_uri(self.feed_url(subject))

    def feed_url(self, subject):
        # The address as the page cache knows it: only the parameters the feed reads, in order.
        query = subject.request.GET.urlencode()
        return subject.request.path + (f"?{query}" if query else "")

    def items(self, subject):
        return subject.items

    def item_title(self, record):
        if isinstance(record, FactEntry):
            return record.title
        return changes.record_title(record)

    def item_guid(self, record):
        if isinstance(record, FactEntry):
            return record.guid(record._feed_host)
        return tag_uri(record._feed_host, record)

    item_guid_is_permalink = False

    def item_pubdate(self, record):
        return public_dates(record)[0]

    def item_updateddate(self, record):
        return public_dates(record)[1]

    def item_description(self, record):
        if isinstance(record, FactEntry):
            return record.summary
        # Atom's summary is HTML here: the record's plain text, escaped.
        summary = f"<p>{escape(describe_record(record))}</p>"
        if text_of(record):
            summary += f"<p>{escape(text_of(record))}</p>"
        return summary

    def item_categories(self, record):
        if isinstance(record, FactEntry):
            return []
        if isinstance(record, CooperationArea):
            return [record.name]
        return [area.name for area in record.areas.all()]

    def get_feed(self, subject, request):
        # Entry ids name the site's host, which only the request knows.
        host = site_host(request)
        for record in subject.items:
            record._feed_host = host
        return super().get_feed(subject, request)


# The registers -----------------------------------------------------------------------------


def filter_description(filterset):
    """The filters in words, for the feed's title: "Status: Ongoing; Cooperation area: Return"."""
    parts = []
    for name, form_field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if value in (None, "", []) or (hasattr(value, "exists") and not value):
            continue
        if hasattr(value, "model"):
            shown = ", ".join(changes.record_title(record) for record in value)
        elif isinstance(value, list):
            labels = dict(form_field.choices)
            shown = ", ".join(str(labels.get(v, v)) for v in value)
        else:
            shown = f"“{value}”" if name == "q" else str(value)
        parts.append(f"{form_field.label}: {shown}")
    return "; ".join(parts)


def latest_first_filters(filterset_class):
    """The register's filter set, reading only the latest changed records (``RelatedSlugsFilter``)."""
    return type(f"LatestFirst{filterset_class.__name__}", (filterset_class,), {"latest_first": True})


class RegisterFeed(RecordFeed):
    """The feed of a register, for the filters given: the same parameters and 400 answers."""

    filterset_class = None
    register_url_name = None
    register_title = None

    @property
    def parameters(self):
        # The register's filters; its page and format mean nothing to a feed.
        return lambda: set(self.filterset_class.base_filters)

    def get_queryset(self):
        raise NotImplementedError

    def get_object(self, request):
        # A feed has no pages and one format: "page" and "format" are left to the register.
        query = QueryDict(mutable=True)
        for name in request.GET:
            if name not in ("page", "format"):
                query.setlist(name, request.GET.getlist(name))
        data = screen_parameters(query)
        filterset = latest_first_filters(self.filterset_class)(data, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise BadRequest(filterset.errors)
        filters = [(name, value) for name in filterset.filters for value in data.getlist(name)]
        description = filter_description(filterset)
        return Subject(
            request=request,
            title=f"{self.register_title}: {description}" if description else self.register_title,
            subtitle=f"The {FEED_LENGTH} latest changed {self.register_title.lower()} of the {PUBLISHER}"
            + (", for these filters." if filters else "."),
            link=reverse(self.register_url_name) + (f"?{urlencode(filters)}" if filters else ""),
            items=list(latest_first(filterset.qs)),
        )


class OrganisationRegisterFeed(RegisterFeed):
    filterset_class = OrganisationFilter
    register_url_name = "partnerships:organisation-list"
    register_title = "Organisations"

    def get_queryset(self):
        return (
            Organisation.objects.published()
            .only("name", "acronym", "slug", "summary", "relationship", "created_at", *DATES)
            .prefetch_related(areas())
        )


class AgreementRegisterFeed(RegisterFeed):
    filterset_class = AgreementFilter
    register_url_name = "partnerships:agreement-list"
    register_title = "Agreements"

    def get_queryset(self):
        return agreements()


class ActivityRegisterFeed(RegisterFeed):
    filterset_class = CooperationActivityFilter
    register_url_name = "partnerships:activity-list"
    register_title = "Cooperation activities"

    def get_queryset(self):
        return activities()


DATES = ("published_at", "public_changed_at")


def agreements():
    return (
        Agreement.objects.published()
        .select_related("organisation")
        .only("title", "summary", "status", "created_at", "organisation__acronym", *DATES)
        .prefetch_related(areas())
    )


def activities():
    return (
        CooperationActivity.objects.published()
        .only("title", "slug", "summary", "status", "created_at", *DATES)
        .prefetch_related(areas())
    )


def latest_of(querysets, records=()):
    """The records of several kinds together (and the dated facts among ``records``), latest
    public change first, as many as a feed carries."""
    records = [record for record in records if public_dates(record)[1] is not None]
    records += [record for queryset in querysets for record in latest_first(queryset)]
    records.sort(key=lambda record: (public_dates(record)[1], record.created_at), reverse=True)
    return records[:FEED_LENGTH]


# One organisation, one area -----------------------------------------------------------------


def records_around_organisation(organisation):
    """What an organisation's feed follows besides the organisation itself, by kind: its
    published cooperation activities and agreements."""
    return {
        CooperationActivity: activities().filter(partners=organisation),
        Agreement: agreements().filter(organisation=organisation),
    }


def in_area(queryset, area):
    """The records of ``queryset`` in the area, matched through a correlated EXISTS: an area
    holds a large share of the records, so the database walks them latest changed first and
    stops at the few the feed needs (see RelatedSlugsFilter)."""
    links = queryset.model.areas.through._base_manager
    name = queryset.model._meta.model_name
    return queryset.filter(Exists(links.filter(cooperationarea=area, **{name: OuterRef("pk")})))


def records_in_area(area):
    """What an area's feed follows besides the area itself, by kind: the published
    organisations, cooperation activities and agreements in it."""
    return {
        Organisation: in_area(OrganisationRegisterFeed().get_queryset(), area),
        CooperationActivity: in_area(activities(), area),
        Agreement: in_area(agreements(), area),
    }


class OrganisationFeed(RecordFeed):
    def get_object(self, request, slug):
        organisation = found_or_renamed(request, Organisation.objects.published().prefetch_related(areas()), slug=slug)
        records = records_around_organisation(organisation)
        # Its dated facts and those of its activities and agreements, as its timeline shows them.
        scope = {Organisation: Organisation.objects.published().filter(pk=organisation.pk), **records}
        return Subject(
            request=request,
            title=f"{changes.record_title(organisation)} in the {PUBLISHER}",
            subtitle=f"The organisation's record, its cooperation activities, agreements and dated facts: the "
            f"{FEED_LENGTH} latest changed first.",
            link=organisation.get_absolute_url(),
            items=latest_of(records.values(), [organisation, *fact_entries(scope)]),
        )


class AreaFeed(RecordFeed):
    def get_object(self, request, slug):
        area = found_or_renamed(request, CooperationArea.objects.published(), slug=slug)
        records = records_in_area(area)
        items = latest_of(records.values(), [area, *fact_entries(records)])
        return Subject(
            request=request,
            title=f"{area.name}: cooperation in the {PUBLISHER}",
            subtitle=f"The area, its organisations, cooperation activities, agreements and their dated facts: the "
            f"{FEED_LENGTH} latest changed first.",
            link=area.get_absolute_url(),
            items=items,
        )


# The change log ---------------------------------------------------------------------------


class ChangeLogFeed(Feed):
    """/changes/ as Atom: one entry per published record or change, newest first."""

    feed_type = Atom1Feed
    author_name = PUBLISHER
    parameters = ()
    title = f"Changes to the {PUBLISHER}"
    subtitle = "What was published, and which public fields of published records changed, newest first."

    def get_object(self, request):
        return request

    def link(self):
        return reverse("partnerships:changes")

    def feed_guid(self, request):
        return request.build_absolute_uri(reverse("partnerships:changes-feed"))

    def items(self, request):
        entries = changes.describe(changes.visible_changes()[:FEED_LENGTH])
        host = site_host(request)
        for entry in entries:
            entry.host = host
        return entries

    def item_title(self, entry):
        return entry.headline

    def item_link(self, entry):
        return entry.record.get_absolute_url()

    def item_guid(self, entry):
        return f"tag:{entry.host},{entry.changed_at:%Y-%m-%d}:change/{entry.change.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.changed_at

    def item_updateddate(self, entry):
        return entry.changed_at

    def item_description(self, entry):
        if not entry.lines:
            return f"<p>{escape(entry.summary)}</p>"
        items = "".join(f"<li>{escape(line.label)}: {escape(line.text)}</li>" for line in entry.lines)
        return f"<ul>{items}</ul>"

    def item_categories(self, entry):
        return [changes.RECORD_KINDS[entry.record._meta.concrete_model]]
