"""The dated facts an organisation's or an area's feed carries, each as an entry of its own.

A fact is public as part of the published records it belongs to (provenance.py), and has no
public dates of its own: its entry is dated from the change log of those records. It first
appeared when the first of them was published with it, or when it was added to one already
published; it last changed at the latest entry of theirs that added or revised it. So an edit
the public cannot see moves nothing, as for the records themselves.

The same few queries for any number of facts and records (tests/test_query_counts.py).
"""

import json
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.html import escape
from django.utils.text import capfirst

from . import changes
from .models import Agreement, CooperationActivity, Organisation, PublicChange
from .provenance import DatedFact, citations_prefetch

# The kinds of record a fact belongs to, in the order its entry prefers their pages for its link.
HOLDERS = (Organisation, CooperationActivity, Agreement)


@dataclass
class FactEntry:
    """A dated fact as a feed entry, linked to the page of one of its records that shows it."""

    fact: DatedFact
    record: object
    published_at: object
    public_changed_at: object

    @property
    def created_at(self):
        return self.fact.created_at

    def get_absolute_url(self):
        return f"{self.record.get_absolute_url()}#{self.fact.anchor}"

    @property
    def title(self):
        return f"{capfirst(self.fact.when)}: {self.fact.statement}"

    def guid(self, host):
        return f"tag:{host},{self.fact.created_at:%Y-%m-%d}:datedfact/{self.fact.pk}"

    @property
    def summary(self):
        """HTML: what kind of entry, whose, and the published sources it cites."""
        summary = f"<p>{escape(f'Dated fact · {changes.record_title(self.record)}')}</p>"
        sources = [citation.source.title for citation in self.fact.citations.all()]
        if sources:
            summary += f"<p>{escape('Sources: ' + '; '.join(sources))}</p>"
        return summary


def fact_entries(scope):
    """The entries of the dated facts of the published records in ``scope`` ({model: queryset
    of the records a feed follows}), each dated by the change log of those records."""
    in_scope = {model: queryset.values("pk") for model, queryset in scope.items()}
    organisation_links = DatedFact.organisations.through.objects.filter(
        datedfact=OuterRef("pk"), organisation__in=in_scope[Organisation]
    )
    facts = list(
        DatedFact.objects.filter(
            Exists(organisation_links)
            | Q(activity__in=in_scope[CooperationActivity])
            | Q(agreement__in=in_scope[Agreement])
        )
        .annotate(
            activity_in_scope=Q(activity__in=in_scope[CooperationActivity]),
            agreement_in_scope=Q(agreement__in=in_scope[Agreement]),
        )
        .select_related("activity", "agreement")
        .only(
            "slug",
            "date",
            "precision",
            "statement",
            "continuing",
            "created_at",
            "activity",
            "agreement",
            "activity__slug",
            "activity__title",
            "activity__published_at",
            "agreement__title",
            "agreement__published_at",
        )  # fmt: skip
        .prefetch_related(
            Prefetch(
                "organisations",
                queryset=Organisation.objects.filter(pk__in=in_scope[Organisation]).only(
                    "slug", "name", "acronym", "published_at"
                ),
            ),
            citations_prefetch(),
        )
        .order_by("pk")
    )
    holders = {fact.pk: holders_of(fact) for fact in facts}
    mentions = mentions_of(holders)
    entries = []
    for fact in facts:
        dates = fact_dates(holders[fact.pk], mentions.get(fact.pk, {}))
        if dates is not None:
            entries.append(FactEntry(fact, holders[fact.pk][0], *dates))
    return entries


def holders_of(fact):
    """The records in the feed's scope that show the fact, in the order of ``HOLDERS``."""
    records = list(fact.organisations.all())
    if fact.activity_in_scope:
        records.append(fact.activity)
    if fact.agreement_in_scope:
        records.append(fact.agreement)
    return records


def mentions_of(holders):
    """{fact id: {(model, record id): [(when, "added" or "revised")]}}: the change log entries of
    the records that added or revised each fact, read in one query."""
    wanted = {model: set() for model in HOLDERS}
    for records in holders.values():
        for record in records:
            wanted[type(record)].add(record.pk)
    condition = Q()
    for model, ids in wanted.items():
        if ids:
            condition |= Q(**{f"{changes.RECORD_FIELD[model]}_id__in": ids})
    if not condition:
        return {}
    found = {}
    entries = PublicChange.objects.filter(condition, fields__contains=json.dumps("dated_facts")).only(
        "changed_at", "fields", "organisation_id", "agreement_id", "activity_id"
    )
    for entry in entries:
        record = next(
            (model, getattr(entry, f"{changes.RECORD_FIELD[model]}_id"))
            for model in HOLDERS
            if getattr(entry, f"{changes.RECORD_FIELD[model]}_id") is not None
        )
        for line in entry.fields:
            if line["field"] != "dated_facts":
                continue
            for how in ("added", "revised"):
                for fact_id in line.get(how, ()):
                    found.setdefault(fact_id, {}).setdefault(record, []).append((entry.changed_at, how))
    return found


def fact_dates(records, mentions):
    """(first public, last public change) of a fact shown on ``records``, or None if it has none."""
    appeared, changed = [], []
    for record in records:
        seen = mentions.get((type(record), record.pk), [])
        added = [when for when, how in seen if how == "added"]
        start = min(added) if added else record.published_at
        if start is not None:
            appeared.append(start)
        changed += [when for when, _ in seen]
    if not appeared:
        return None
    published = min(appeared)
    return published, max([published, *changed])
