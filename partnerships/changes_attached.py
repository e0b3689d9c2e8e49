"""What citations, dated facts and the publication of areas, regions and sources change of the
records the public sees: the other half of the change log's writing (changes.py).

- A citation added to, taken from or revised on a published record, or on one of its dated
  facts, is a change of that record ("Sources cited: + <source>"), but only while its source is
  published: a draft source's citations are shown nowhere, so they enter no entry.
- A dated fact added to, taken from or revised on a published record: "Dated facts: + <fact>".
- A source, cooperation area or region published: every published record that cites or lists
  it gets an entry ("Sources cited: + …", "Cooperation areas: + …"). Withdrawn: its mentions
  leave the change log (entries left with nothing go too), and the records' last public change
  moves, as their pages no longer show it.
- The source, area or region itself is dated like a record: first published, last public change.
"""

from django.db.models import Exists, OuterRef, Q

from . import changes
from .models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    PublicChange,
    Region,
    SourceDocument,
)

RECORDS = (Organisation, Agreement, CooperationActivity)
# What a citation or a fact shows on a record's page: a change of any of these is a revision.
CITATION_CONTENT = ("source", "passage", "locator", "note")
FACT_CONTENT = ("date", "precision", "statement", "continuing")
# The fields of the records that list areas and regions.
LISTED_AS = {CooperationArea: "areas", Region: "regions"}


def records_of_fact(state):
    """{model: ids} of the records a dated fact (a state of it) belongs to."""
    return {
        Organisation: set(state.get("organisations") or ()),
        Agreement: {state.get("agreement")} - {None},
        CooperationActivity: {state.get("activity")} - {None},
    }


def records_of_citation(state):
    if state.get("dated_fact") is not None:
        return records_of_fact(changes.stored_state(DatedFact, state["dated_fact"]) or {})
    return {model: {state.get(changes.RECORD_FIELD[model])} - {None} for model in RECORDS}


def shown_on(records_of, state, visible=True):
    """{(model, id)} of the published records that show the citation or fact (a state of it)."""
    if state is None or not visible:
        return set()
    return {(model, pk) for model, ids in records_of(state).items() for pk in changes.public_ids(model, ids)}


def attached_lines(field, records_of, content, before, after, before_id, after_id, visible=(True, True)):
    """{(model, id): line} of the published records whose pages show ``before`` or ``after``."""
    was = shown_on(records_of, before, visible[0])
    now = shown_on(records_of, after, visible[1])
    lines = {}
    for record in now - was:
        lines[record] = {"field": field, "added": [after_id], "removed": []}
    for record in was - now:
        lines[record] = {"field": field, "added": [], "removed": [before_id]}
    both = was & now
    if both and any(before[name] != after[name] for name in content):
        for record in both:
            if before_id == after_id:
                lines[record] = {"field": field, "added": [], "removed": [], "revised": [after_id]}
            else:
                lines[record] = {"field": field, "added": [after_id], "removed": [before_id]}
    return lines


def note_history_record(model, instance, history_instance):
    when = history_instance.history_date
    before = changes.previous_state(model, instance, history_instance)
    after = None if history_instance.history_type == "-" else changes.state_of_history_record(model, history_instance)
    if model is Citation:
        # A citation is named by its source; one of a draft source is shown nowhere.
        source_before, source_after = (state and state["source"] for state in (before, after))
        public = changes.public_ids(SourceDocument, [source_before, source_after])
        lines = attached_lines(
            "citations",
            records_of_citation,
            CITATION_CONTENT,
            before,
            after,
            source_before,
            source_after,
            visible=(source_before in public, source_after in public),
        )
    elif model is DatedFact:
        lines = attached_lines("dated_facts", records_of_fact, FACT_CONTENT, before, after, instance.pk, instance.pk)
    else:
        note_publication(model, instance, before, after, when)
        return
    for (record_model, pk), line in lines.items():
        changes.log_change(record_model, pk, [line], when)


# Sources, areas and regions --------------------------------------------------------------------


def showing(model, pk):
    """{record model: queryset of the published records} that show the source, area or region."""
    if model is SourceDocument:
        cited = Citation.objects.filter(source=pk)
        in_fact = DatedFact.objects.filter(Exists(cited.filter(dated_fact=OuterRef("pk"))))
        facts_of = {
            Organisation: Q(Exists(in_fact.filter(organisations=OuterRef("pk")))),
            Agreement: Q(Exists(in_fact.filter(agreement=OuterRef("pk")))),
            CooperationActivity: Q(Exists(in_fact.filter(activity=OuterRef("pk")))),
        }
        return {
            record: record.objects.published().filter(
                Q(Exists(cited.filter(**{changes.RECORD_FIELD[record]: OuterRef("pk")}))) | facts_of[record]
            )
            for record in RECORDS
        }
    field = LISTED_AS[model]
    return {
        record: record.objects.published().filter(**{field: pk})
        for record in RECORDS
        if changes._has_field(record, field)
    }


def field_of(model):
    return "citations" if model is SourceDocument else LISTED_AS[model]


def note_publication(model, instance, before, after, when):
    was_public = before["is_published"] if before is not None else instance.published_at is not None
    if after is None or not after["is_published"]:
        if was_public:
            take_out_of_the_log(model, instance.pk, when)
        changes.withdraw(model, instance)
        return
    if not was_public:
        changes.set_public_dates(model, instance, published_at=when, public_changed_at=when)
        announce(model, instance.pk, when)
    elif before is None or changes.changed_fields(model, before, after):
        changes.set_public_dates(model, instance, public_changed_at=when)


def announce(model, pk, when):
    """The source, area or region is now shown on the published records that cite or list it."""
    line = {"field": field_of(model), "added": [pk], "removed": []}
    for record, published in showing(model, pk).items():
        ids = list(published.values_list("pk", flat=True))
        PublicChange.objects.bulk_create(
            PublicChange(
                changed_at=when,
                kind=PublicChange.Kind.CHANGED,
                fields=[line],
                **{f"{changes.RECORD_FIELD[record]}_id": record_id},
            )
            for record_id in ids
        )
        record._base_manager.filter(pk__in=ids).update(public_changed_at=when)


def take_out_of_the_log(model, pk, when):
    """The source, area or region is withdrawn: no entry mentions it any more."""
    field = field_of(model)
    for record, published in showing(model, pk).items():
        ids = list(published.values_list("pk", flat=True))
        record_field = changes.RECORD_FIELD[record]
        kept, emptied = [], []
        for entry in PublicChange.objects.filter(**{f"{record_field}_id__in": ids}, kind=PublicChange.Kind.CHANGED):
            lines = []
            for line in entry.fields:
                if line["field"] == field:
                    line = {
                        name: [i for i in value if i != pk] if isinstance(value, list) else value
                        for name, value in line.items()
                    }
                    if not (line.get("added") or line.get("removed") or line.get("revised")):
                        continue
                lines.append(line)
            if lines != entry.fields:
                entry.fields = lines
                (kept if lines else emptied).append(entry)
        PublicChange.objects.bulk_update(kept, ["fields"])
        PublicChange.objects.filter(pk__in=[entry.pk for entry in emptied]).delete()
        record._base_manager.filter(pk__in=ids).update(public_changed_at=when)
