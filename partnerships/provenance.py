"""Where the registry's statements come from: citations of source documents, and dated facts.

A citation ties one statement of the registry (an organisation, an agreement, a cooperation
activity or a dated fact) to a source document, with the passage quoted word for word, where
in the document it stands, and what it supports. A dated fact is something that happened on a
date known to a day, a month or a year ("FIELDS went live on 1 April 2022", "INTERPOL has
assisted the agency's operations since 2009"), with its own citations.

Publication: neither has a flag of its own. Both are part of the records they belong to, like
a record's summary: a citation is public exactly when its record is, and a dated fact when at
least one of the records it belongs to is published (on a record's page, only the facts of
that record are shown). To keep a fact from the public, leave it off published records.

Code that shows citations or dated facts reads them through the prefetch helpers at the end
of this module, so that a page or a download takes the same few queries for any number of
records.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.dateformat import format as format_date

from .models import (
    Agreement,
    CooperationActivity,
    Organisation,
    RegistryQuerySet,
    SourceDocument,
    Timestamped,
    Versioned,
    registry_history,
    within_column_range,
)


class Precision(models.TextChoices):
    """How much of a date is known: sources often give only a year or a month."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def date_at_precision(date, precision):
    """The date written as far as it is known: "2009", "April 2022" or "1 April 2022".

    A year-precision date is stored as 1 January of its year; that day is never shown.
    """
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return str(date.year)
    if precision == Precision.MONTH:
        return format_date(date, "F Y")
    return format_date(date, "j F Y")


def machine_date(date, precision):
    """The same date for a ``<time datetime>`` attribute: "2009", "2022-04" or "2022-04-01"."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def public_records_q(prefix=""):
    """A condition on a citation or a dated fact: one of the records it belongs to is public.

    ``prefix`` leads from the model queried to the citation or fact (e.g. "dated_fact__").
    """
    return (
        Q(**{f"{prefix}organisation__is_published": True})
        | Q(**{f"{prefix}activity__is_published": True})
        | Q(**{f"{prefix}agreement__is_published": True, f"{prefix}agreement__organisation__is_published": True})
    )


class DatedFactQuerySet(RegistryQuerySet):
    def published(self):
        """Facts that belong to at least one published record."""
        published_organisation = DatedFact.organisations.through.objects.filter(
            datedfact=OuterRef("pk"), organisation__is_published=True
        )
        return self.filter(
            Exists(published_organisation)
            | Q(activity__is_published=True)
            | Q(agreement__is_published=True, agreement__organisation__is_published=True)
        )


class DatedFactManager(models.Manager.from_queryset(DatedFactQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class DatedFact(Timestamped, Versioned):
    """Something that happened on a date, as a cited source states it.

    ``precision`` says how much of ``date`` the source gives; a fact known to a year or a month
    is stored on the first day of it and always written at its precision ("since 2009", never
    "1 January 2009").
    """

    slug = models.SlugField(max_length=100, unique=True, help_text="Names the fact in links to it (#fact-…).")
    date = models.DateField(help_text="For a month or a year, any day in it: only the precision is shown.")
    precision = models.CharField(max_length=10, choices=Precision, default=Precision.DAY)
    statement = models.CharField(max_length=300, help_text="What happened, in one short sentence: “FIELDS went live.”")
    continuing = models.BooleanField(
        "continues since",
        default=False,
        help_text="The fact started then and still holds (“since 2009”), rather than happened once.",
    )
    organisations = models.ManyToManyField(Organisation, related_name="dated_facts", blank=True)
    activity = models.ForeignKey(
        CooperationActivity, on_delete=models.SET_NULL, null=True, blank=True, related_name="dated_facts"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="dated_facts"
    )

    objects = DatedFactManager()
    history = registry_history(["organisations"])

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "dated fact"
        indexes = [
            # WHERE activity_id = ... / agreement_id = ... ORDER BY date: an activity's or an
            # agreement's facts (Django indexes the foreign key alone; this also gives the order).
            models.Index(fields=["activity", "date"], name="partnerships_fact_activity"),
            models.Index(fields=["agreement", "date"], name="partnerships_fact_agreement"),
        ]

    def __str__(self):
        return f"{self.when}: {self.statement}"

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = [
        "partnerships.organisation",
        "partnerships.cooperationactivity",
        "partnerships.agreement",
    ]

    def save(self, *args, **kwargs):
        self.date = self.normalised_date()
        super().save(*args, **kwargs)

    def normalised_date(self):
        """The first day of the month or year the precision keeps: two facts "in 2009" are one date."""
        if self.date is None:
            return None
        if self.precision == Precision.YEAR:
            return self.date.replace(month=1, day=1)
        if self.precision == Precision.MONTH:
            return self.date.replace(day=1)
        return self.date

    @property
    def when(self):
        """The date as the statement needs it: "since 2009", "April 2022", "1 April 2022"."""
        written = date_at_precision(self.date, self.precision)
        return f"since {written}" if self.continuing else written

    @property
    def machine_date(self):
        return machine_date(self.date, self.precision)

    @property
    def anchor(self):
        return f"fact-{self.slug}"


def exactly_one(*fields):
    """A condition that holds when exactly one of the nullable foreign keys ``fields`` is set."""
    condition = Q()
    for field in fields:
        others = [other for other in fields if other != field]
        case = Q(**{f"{field}__isnull": False}, **{f"{other}__isnull": True for other in others})
        condition = case if not condition else condition | case
    return condition


OWNERS = ("organisation", "agreement", "activity", "dated_fact")


class CitationQuerySet(RegistryQuerySet):
    def published(self):
        """Citations of records the public may see, of published source documents."""
        return self.filter(
            public_records_q() | Q(dated_fact__in=DatedFact.objects.published().values("pk")),
            source__is_published=True,
        )


class CitationManager(models.Manager.from_queryset(CitationQuerySet)):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Citation(Timestamped, Versioned):
    """One statement's source: the document, the passage quoted word for word, and where it stands.

    A citation belongs to exactly one record: an organisation, an agreement, a cooperation
    activity or a dated fact. The passage may be blank only where the source's exact words are
    not known (a fact taken from a page that is not quoted).
    """

    # The fixtures' natural key: citations have no name of their own, and a key made of the
    # record and a position would merge two citations that share a position in a dump.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="citations")
    passage = models.TextField(blank=True, help_text="The passage of the source, quoted word for word.")
    locator = models.CharField(
        "place in the source", max_length=200, blank=True, help_text="Page, section or anchor, e.g. “p. 12”."
    )
    note = models.CharField(max_length=200, blank=True, help_text="What the passage supports, if not obvious.")
    position = models.PositiveSmallIntegerField(
        default=0,
        validators=within_column_range("PositiveSmallIntegerField"),
        help_text="Citations of a record are shown in this order.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    activity = models.ForeignKey(
        CooperationActivity, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    dated_fact = models.ForeignKey(
        DatedFact, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )

    objects = CitationManager()
    history = registry_history()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one(*OWNERS),
                name="%(app_label)s_%(class)s_exactly_one_owner",
                violation_error_message=(
                    "A citation belongs to exactly one organisation, agreement, activity or dated fact."
                ),
            ),
        ]

    def __str__(self):
        where = f", {self.locator}" if self.locator else ""
        return f"{self.source}{where}" if self.source_id else "Citation without a source"

    def natural_key(self):
        return (str(self.key),)

    natural_key.dependencies = ["partnerships.sourcedocument", "partnerships.datedfact"]

    def clean(self):
        super().clean()
        if self.passage and not self.source_id:
            raise ValidationError({"source": "Name the document the quoted passage comes from."})

    @property
    def record(self):
        """The organisation, agreement, activity or dated fact the citation supports."""
        for owner in OWNERS:
            if getattr(self, f"{owner}_id") is not None:
                return getattr(self, owner)
        return None


# What the public pages and downloads read. Every view and serializer that shows citations or
# dated facts uses these, so that their number never changes a page's query count.

CITATION_FIELDS = ("passage", "locator", "note", "position", *(f"{owner}_id" for owner in OWNERS))
SOURCE_FIELDS = ("source__title", "source__slug", "source__publisher", "source__published_on", "source__url")


def public_citations():
    """Citations with their source documents, in their order: for a Prefetch of a public record's
    citations (the record itself being public, so are its citations)."""
    return (
        Citation.objects.filter(source__is_published=True)
        .select_related("source")
        .only(*CITATION_FIELDS, "source_id", *SOURCE_FIELDS)
    )


def citations_prefetch(prefix=""):
    """``Prefetch`` of the citations of the records queried, or of ``prefix`` (e.g. "activities__")."""
    return Prefetch(f"{prefix}citations", queryset=public_citations())


def dated_facts_prefetch(prefix=""):
    """``Prefetch`` of the dated facts of the records queried, each with its citations. Every fact
    of a public record is public, as it belongs to that record."""
    return Prefetch(f"{prefix}dated_facts", queryset=DatedFact.objects.prefetch_related(citations_prefetch()))


def published_facts():
    """Dated facts of published records (for lists that are not one record's own)."""
    return DatedFact.objects.published()


def cited_sources():
    """Source documents that at least one public citation cites: the ones the public can open."""
    return SourceDocument.objects.public()
