"""An organisation's cooperation over time: the events its page draws and lists.

The events are the organisation's dated facts, its published agreements (signed, in force,
expiring, superseded) and the planned starts and ends of its published activities. Up to
MAX_EVENTS of them are shown one by one, each with its record and citations. Past that (a
partner with thousands of dated activities), the agreements and activities are counted per
year instead, while the dated facts, which are few and carry the statements, stay one by one.
Either way the number of queries is the same for any number of records.

The page template draws the events as an SVG (``layout()``) and writes them as an ordered
list, which is what screen readers and text browsers read.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.text import Truncator

from .models import Agreement, CooperationActivity, DatedFact
from .provenance import Precision, citations_prefetch, date_at_precision, machine_date

# "A few dozen": more events than this and agreements and activities are counted per year.
MAX_EVENTS = 36
# Dated facts are curated one by one; a page shows at most this many.
MAX_FACTS = 50

# Within one day, the order in which events are told.
KIND_ORDER = {
    "fact": 0,
    "signed": 1,
    "in-force": 2,
    "start": 3,
    "end": 4,
    "superseded": 5,
    "expires": 6,
    "year": 7,
}


@dataclass
class Event:
    """One point of the timeline."""

    date: datetime.date
    precision: str
    kind: str
    text: str
    url: str
    citations: list = field(default_factory=list)
    continuing: bool = False
    anchor: str = ""  # the id of the list item, for a fact shown only here

    @property
    def when(self):
        written = date_at_precision(self.date, self.precision)
        return f"since {written}" if self.continuing else written

    @property
    def machine_date(self):
        return machine_date(self.date, self.precision)

    @property
    def sort_key(self):
        return (self.date, KIND_ORDER[self.kind], self.text)


@dataclass
class Timeline:
    events: list
    grouped: bool = False  # agreements and activities counted per year
    more_facts: bool = False  # there are facts beyond the first MAX_FACTS, not shown

    def __bool__(self):
        return bool(self.events)


def organisation_timeline(organisation):
    """The timeline of a published organisation, from published records only."""
    activities = CooperationActivity.objects.published().filter(partners=organisation)
    agreements = Agreement.objects.published().filter(organisation=organisation)
    facts = fact_events(organisation, activities, agreements)
    more_facts = len(facts) > MAX_FACTS
    facts = facts[:MAX_FACTS]

    room = max(0, MAX_EVENTS - len(facts))
    # One row more than there is room for tells whether the records fit, without counting them all.
    agreement_rows = list(
        agreements.filter(Q(signed_on__isnull=False) | Q(in_force_from__isnull=False) | Q(expires_on__isnull=False))
        .annotate(superseded_on=superseded_on())
        .only("title", "signed_on", "in_force_from", "expires_on", "status")
        .prefetch_related(citations_prefetch())
        .order_by("pk")[: room + 1]
    )
    activity_rows = list(
        activities.filter(Q(starts_on__isnull=False) | Q(ends_on__isnull=False))
        .only("title", "slug", "starts_on", "ends_on")
        .prefetch_related(citations_prefetch())
        .order_by("pk")[: room + 1]
    )
    events = [*agreement_events(agreement_rows), *activity_events(activity_rows)]
    grouped = len(agreement_rows) > room or len(activity_rows) > room or len(events) > room
    if grouped:
        events = yearly_events(organisation, agreements, activities)
    return Timeline(events=sorted([*facts, *events], key=lambda e: e.sort_key), grouped=grouped, more_facts=more_facts)


def fact_events(organisation, activities, agreements):
    """The facts of the organisation and of its published activities and agreements."""
    facts = (
        DatedFact.objects.filter(
            Q(organisations=organisation)
            | Q(activity__in=activities.values("pk"))
            | Q(agreement__in=agreements.values("pk"))
        )
        .distinct()
        .order_by("date", "pk")
        .prefetch_related(citations_prefetch())
    )
    return [
        Event(
            date=fact.date,
            precision=fact.precision,
            kind="fact",
            text=fact.statement,
            url=f"#{fact.anchor}",
            citations=list(fact.citations.all()),
            continuing=fact.continuing,
            anchor=fact.anchor,
        )
        for fact in facts[: MAX_FACTS + 1]
    ]


def superseded_on():
    """The day a published later agreement replaced this one: when it came into force, or else
    when it was signed."""
    later = Agreement.objects.published().filter(supersedes=OuterRef("pk")).order_by("pk")
    return Subquery(later.values(day=Coalesce("in_force_from", "signed_on"))[:1])


def agreement_events(agreements):
    for agreement in agreements:
        citations = list(agreement.citations.all())
        url = agreement.get_absolute_url()
        for kind, day, verb in (
            ("signed", agreement.signed_on, "signed"),
            ("in-force", agreement.in_force_from, "in force"),
            ("expires", agreement.expires_on, "expires"),
            ("superseded", agreement.superseded_on, "superseded"),
        ):
            if day is not None:
                yield Event(day, Precision.DAY, kind, f"{agreement.title}: {verb}", url, citations)


def activity_events(activities):
    for activity in activities:
        citations = list(activity.citations.all())
        url = activity.get_absolute_url()
        if activity.starts_on:
            yield Event(activity.starts_on, Precision.DAY, "start", f"{activity.title}: planned start", url, citations)
        if activity.ends_on:
            yield Event(activity.ends_on, Precision.DAY, "end", f"{activity.title}: planned end", url, citations)


def per_year(queryset, date_field):
    """{year: number of rows with ``date_field`` in it}, counted in the database."""
    return dict(
        queryset.filter(**{f"{date_field}__isnull": False})
        .annotate(year=ExtractYear(date_field))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("year", "n")
    )


COUNTED = [
    # (records, date field, what is counted: one, many)
    ("agreements", "signed_on", ("agreement signed", "agreements signed")),
    ("agreements", "in_force_from", ("agreement in force", "agreements in force")),
    ("agreements", "expires_on", ("agreement expires", "agreements expire")),
    ("activities", "starts_on", ("activity planned to start", "activities planned to start")),
    ("activities", "ends_on", ("activity planned to end", "activities planned to end")),
]


def yearly_events(organisation, agreements, activities):
    """One event per year: how many agreements and activities have a date in it."""
    records = {"agreements": agreements, "activities": activities}
    years = defaultdict(list)
    signed_years = set()
    for name, date_field, (one, many) in COUNTED:
        for year, n in per_year(records[name], date_field).items():
            years[year].append(f"{n} {one if n == 1 else many}")
            if date_field == "signed_on":
                signed_years.add(year)
    activity_list = reverse("partnerships:activity-list") + "?" + urlencode({"organisation": organisation.slug})
    events = []
    for year, parts in years.items():
        if year in signed_years:
            url = (
                reverse("partnerships:agreement-list")
                + "?"
                + urlencode(
                    {
                        "organisation": organisation.slug,
                        "signed_after": f"{year:04d}-01-01",
                        "signed_before": f"{year:04d}-12-31",
                    }
                )
            )
        else:
            url = activity_list
        events.append(Event(datetime.date(year, 1, 1), Precision.YEAR, "year", ", ".join(parts), url))
    return events


# The drawing: a vertical line with one row per event, so that it reads on a phone as on paper.
ROW = 44
TOP = 16
WIDTH = 320
LINE_X = 96
LABEL_CHARACTERS = 28


def short_date(event):
    """The date as the drawing writes it, in the narrow column left of the line: "1 Apr 2022",
    "Apr 2022", "2009" or "since 2009"."""
    if event.precision == Precision.YEAR:
        written = str(event.date.year)
    elif event.precision == Precision.MONTH:
        written = format_date(event.date, "M Y")
    else:
        written = format_date(event.date, "j M Y")
    return f"since {written}" if event.continuing else written


def layout(timeline):
    """Each event with its place in the SVG drawing, and the drawing's height."""
    points = []
    for number, event in enumerate(timeline.events):
        y = TOP + number * ROW + ROW // 2
        points.append(
            {
                "event": event,
                "y": y,
                "label": Truncator(event.text).chars(LABEL_CHARACTERS),
                "date_label": short_date(event),
            }
        )
    return {
        "points": points,
        "width": WIDTH,
        "height": TOP * 2 + ROW * len(points),
        "line_x": LINE_X,
        "label_x": LINE_X + 14,
        "line_top": TOP,
        "line_bottom": TOP + ROW * len(points),
    }
