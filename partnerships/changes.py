"""The public change log, built from the edit history.

Writing: each time django-simple-history saves a history record of an organisation, an
agreement or a cooperation activity, ``note_history_record`` compares it with the record's
previous state and writes what the public could see change, as a ``PublicChange``:

- the record was published: a "published" entry;
- public fields of a published record changed: a "changed" entry naming each field, with the
  values before and after (related records by id);
- the record was unpublished: every entry of the record is deleted and its public dates are
  cleared, so that a withdrawn record leaves no trace;
- anything else (a draft's edits, a save that changes nothing public): nothing.

One admin save writes several history records (the form, then each list of related records),
so the changes one request makes to one record are folded into a single entry. The record's
``published_at`` and ``public_changed_at`` move with its entries.

Reading: ``visible_changes()`` is every entry of a record the public may see, newest first;
``describe()`` turns a page of entries into lines such as "Status: Planned → Ongoing" or
"Partner organisations: + UNODC", with the labels and names visitors see now and without
related records that are not published.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from .models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    PublicChange,
    PubliclyDated,
    Region,
    SourceDocument,
)

# The fields the public sees of each record, in the order a change lists them. Nothing else
# (publication state, record keeping, staff-only fields) ever enters the change log.
PUBLIC_FIELDS = {
    Organisation: [
        "name",
        "acronym",
        "kind",
        "relationship",
        "parent",
        "headquarters_city",
        "headquarters_country",
        "website",
        "summary",
        "areas",
    ],
    Agreement: [
        "title",
        "organisation",
        "kind",
        "status",
        "signed_on",
        "in_force_from",
        "expires_on",
        "document_url",
        "summary",
        "areas",
        "supersedes",
    ],
    CooperationActivity: [
        "title",
        "summary",
        "status",
        "priority",
        "partners",
        "areas",
        "regions",
        "starts_on",
        "ends_on",
        "agreement",
    ],
    # What the records show of them: a change of these is a public change of those records
    # (changes_attached.py). Areas, regions and sources also carry public dates of their own.
    Citation: ["source", "passage", "locator", "note", "organisation", "agreement", "activity", "dated_fact"],
    DatedFact: ["date", "precision", "statement", "continuing", "organisations", "activity", "agreement"],
    CooperationArea: ["name", "slug", "description"],
    Region: ["name", "slug", "kind"],
    SourceDocument: ["title", "slug", "publisher", "published_on", "url"],
}
# The field of PublicChange that names a record of each model.
RECORD_FIELD = {Organisation: "organisation", Agreement: "agreement", CooperationActivity: "activity"}
# How a change log entry names a related record.
NAMES = {
    Organisation: "acronym",
    Agreement: "title",
    CooperationArea: "name",
    Region: "name",
    SourceDocument: "title",
    DatedFact: "statement",
}
TEXT_WORDS = 30


@dataclass(frozen=True)
class Attached:
    """What a record's page shows of other records that belong to it: its citations (stored in
    ``PublicChange.fields`` by their source documents) and its dated facts. Read like a
    many-to-many field in a change log entry."""

    name: str
    verbose_name: str
    related_model: type
    is_relation = True
    many_to_many = True
    choices = None


ATTACHED = {
    "citations": Attached("citations", "sources cited", SourceDocument),
    "dated_facts": Attached("dated_facts", "dated facts", DatedFact),
}


def public_records(model):
    """The records of ``model`` the public may see: one place for the publication rules."""
    if hasattr(model.objects, "published"):
        return model.objects.published()
    return model.objects.all()


def public_ids(model, ids):
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    return set(public_records(model).filter(pk__in=ids).values_list("pk", flat=True))


def public_fields(model):
    return [model._meta.get_field(name) for name in PUBLIC_FIELDS[model] if _has_field(model, name)]


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


# Writing ----------------------------------------------------------------------------------


def state_of_history_record(model, row):
    """What a history record says of the public fields: values, related records by id."""
    state = {"is_published": getattr(row, "is_published", True)}
    for field in public_fields(model):
        if field.many_to_many:
            # Each history record keeps the list of related records it had.
            state[field.name] = set(
                getattr(row, field.name).values_list(f"{field.m2m_reverse_field_name()}_id", flat=True)
            )
        else:
            state[field.name] = getattr(row, field.attname)
    return state


def stored_state(model, pk):
    """The same, read from the record as stored, for a record whose history starts now."""
    fields = public_fields(model)
    published = ("is_published",) if _has_field(model, "is_published") else ()
    state = model._base_manager.filter(pk=pk).values(*published, *(f.attname for f in fields if not f.many_to_many))
    state = state.first()
    if state is None:
        return None
    state = {
        "is_published": state.pop("is_published", True),
        **{f.name: state[f.attname] for f in fields if not f.many_to_many},
    }
    for field in fields:
        if field.many_to_many:
            through = field.remote_field.through._base_manager
            state[field.name] = set(
                through.filter(**{field.m2m_field_name(): pk}).values_list(
                    f"{field.m2m_reverse_field_name()}_id", flat=True
                )
            )
    return state


def remember_state_without_history(sender, instance, raw, **kwargs):
    """Before the first save of a record with no history (loaded from the fixtures), keep its
    stored state: the history record the save writes needs something to be compared with."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if not sender.history.filter(id=instance.pk).exists():
        instance._public_state_before_history = stored_state(sender, instance.pk)


def previous_state(model, instance, row):
    if row.history_type == "+":
        return None  # a record created now has no earlier state (nor a deleted record's of its id)
    earlier = model.history.filter(id=instance.pk, history_id__lt=row.history_id).order_by("-history_id").first()
    if earlier is not None:
        return state_of_history_record(model, earlier)
    return getattr(instance, "_public_state_before_history", None)


def changed_fields(model, before, after):
    """The public fields whose value differs, each as stored in ``PublicChange.fields``."""
    lines = []
    for field in public_fields(model):
        old, new = before.get(field.name), after.get(field.name)
        if field.many_to_many:
            old, new = (public_ids(field.related_model, ids or ()) for ids in (old, new))
            added, removed = sorted(new - old), sorted(old - new)
            if added or removed:
                lines.append({"field": field.name, "added": added, "removed": removed})
            continue
        if field.is_relation:
            visible = public_ids(field.related_model, [old, new])
            old, new = (pk if pk in visible else None for pk in (old, new))
        if isinstance(old, datetime.date):
            old = old.isoformat()
        if isinstance(new, datetime.date):
            new = new.isoformat()
        if old != new:
            lines.append({"field": field.name, "before": old, "after": new})
    return lines


def merge_fields(model, earlier, later):
    """Two changes to the same record in one request, as one."""
    merged = {line["field"]: dict(line) for line in earlier}
    for line in later:
        first = merged.get(line["field"])
        if first is None:
            merged[line["field"]] = dict(line)
        elif "added" in line:
            added1, removed1 = set(first["added"]), set(first["removed"])
            added2, removed2 = set(line["added"]), set(line["removed"])
            first["added"] = sorted((added1 - removed2) | (added2 - removed1))
            first["removed"] = sorted((removed1 - added2) | (removed2 - added1))
            revised = set(first.get("revised", ())) | set(line.get("revised", ()))
            revised -= set(first["added"]) | set(first["removed"])
            if revised:
                first["revised"] = sorted(revised)
            else:
                first.pop("revised", None)
        else:
            first["after"] = line["after"]
    order = {name: number for number, name in enumerate([*PUBLIC_FIELDS[model], *ATTACHED])}
    return sorted(
        (
            line
            for line in merged.values()
            if (line.get("added") or line.get("removed") or line.get("revised"))
            or ("before" in line and line["before"] != line["after"])
        ),
        key=lambda line: order.get(line["field"], len(order)),
    )


def entries_of_this_request():
    """{(model label, record id): entry id} of the request being served, if any."""
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None
    if not hasattr(request, "_public_change_entries"):
        request._public_change_entries = {}
    return request._public_change_entries


def entry_of_this_request(model, pk):
    """The entry of the record this request wrote already, if any."""
    ongoing = entries_of_this_request()
    key = (model._meta.label, pk)
    if ongoing is None or key not in ongoing:
        return None
    return PublicChange.objects.filter(pk=ongoing[key], **{f"{RECORD_FIELD[model]}_id": pk}).first()


def remember_entry(model, pk, entry):
    ongoing = entries_of_this_request()
    if ongoing is not None and entry is not None and entry.pk is not None:
        ongoing[(model._meta.label, pk)] = entry.pk


def set_public_dates(model, instance, **dates):
    model._base_manager.filter(pk=instance.pk).update(**dates)
    for name, value in dates.items():
        setattr(instance, name, value)


def withdraw(model, instance):
    """The record is no longer public: nothing of it stays in the change log or the feeds."""
    if model in RECORD_FIELD:
        PublicChange.objects.filter(**{RECORD_FIELD[model]: instance.pk}).delete()
    if instance.published_at is not None or instance.public_changed_at is not None:
        set_public_dates(model, instance, published_at=None, public_changed_at=None)


def log_change(model, pk, fields, when):
    """Public changes (``fields``) of the published record ``model``/``pk`` at ``when``: a
    "changed" entry, or folded into the entry this request wrote of the record already (within
    the request that published it, they are part of the publication)."""
    entry = entry_of_this_request(model, pk)
    if entry is None:
        entry = PublicChange.objects.create(
            changed_at=when, kind=PublicChange.Kind.CHANGED, fields=fields, **{f"{RECORD_FIELD[model]}_id": pk}
        )
    elif entry.kind == PublicChange.Kind.CHANGED:
        entry.fields = merge_fields(model, entry.fields, fields)
        entry.changed_at = when
        if entry.fields:
            entry.save(update_fields=["fields", "changed_at"])
        else:  # changed and changed back
            entry.delete()
    model._base_manager.filter(pk=pk).update(public_changed_at=when)
    remember_entry(model, pk, entry)


def note_history_record(sender, instance, history_instance, **kwargs):
    model = instance._meta.concrete_model
    if model not in PUBLIC_FIELDS:
        return
    if model not in RECORD_FIELD:
        # Citations, dated facts, sources, areas and regions: changes of the records showing them.
        from . import changes_attached

        changes_attached.note_history_record(model, instance, history_instance)
        return
    if history_instance.history_type == "-":
        return  # a deleted record's entries go with it (on_delete=CASCADE)
    if not history_instance.is_published:
        if history_instance.history_type != "+":  # a draft created now has nothing public to withdraw
            withdraw(model, instance)
        return
    when = history_instance.history_date
    before = previous_state(model, instance, history_instance)
    if before is None and instance.published_at is not None:
        # Public already, with no earlier state to compare with (a record from the fixtures
        # whose related records were changed without a save): what changed is unknown.
        set_public_dates(model, instance, public_changed_at=when)
        return
    if before is None or not before["is_published"]:
        entry = entry_of_this_request(model, instance.pk)
        if entry is None or entry.kind != PublicChange.Kind.PUBLISHED:
            PublicChange.objects.filter(**{RECORD_FIELD[model]: instance.pk}).delete()
            entry = PublicChange.objects.create(
                changed_at=when, kind=PublicChange.Kind.PUBLISHED, **{RECORD_FIELD[model]: instance}
            )
        set_public_dates(model, instance, published_at=entry.changed_at, public_changed_at=when)
        remember_entry(model, instance.pk, entry)
        return
    fields = changed_fields(model, before, state_of_history_record(model, history_instance))
    if fields:
        log_change(model, instance.pk, fields, when)
        instance.public_changed_at = when


def date_loaded_record(sender, instance, raw, **kwargs):
    """Records loaded from the fixtures (raw saves) have no history: published ones are dated
    by their own creation and change times; unpublished ones have no public dates."""
    if not raw:
        return
    if not instance.is_published:
        instance.published_at = instance.public_changed_at = None
    elif instance.published_at is None:
        instance.published_at = instance.created_at
        instance.public_changed_at = instance.updated_at


def connect():
    for model in PUBLIC_FIELDS:
        post_create_historical_record.connect(
            note_history_record, sender=model.history.model, dispatch_uid=f"public-changes-{model.__name__}"
        )
        pre_save.connect(
            remember_state_without_history, sender=model, dispatch_uid=f"public-changes-before-{model.__name__}"
        )
        if issubclass(model, PubliclyDated):
            pre_save.connect(date_loaded_record, sender=model, dispatch_uid=f"public-changes-loaded-{model.__name__}")


# Reading ----------------------------------------------------------------------------------


def visible_changes():
    """Entries of the records the public may see now, newest first, with their records."""
    return (
        PublicChange.objects.filter(
            Q(organisation__is_published=True)
            | Q(agreement__is_published=True, agreement__organisation__is_published=True)
            | Q(activity__is_published=True)
        )
        .select_related("organisation", "agreement", "activity")
        .only(
            "changed_at",
            "kind",
            "fields",
            "organisation__name",
            "organisation__acronym",
            "organisation__slug",
            "agreement__title",
            "activity__title",
            "activity__slug",
        )
        .order_by("-changed_at", "-pk")
    )


def changes_of(record):
    """The entries of one record."""
    return visible_changes().filter(**{RECORD_FIELD[record._meta.concrete_model]: record.pk})


@dataclass
class Line:
    label: str
    text: str


@dataclass
class Entry:
    """An entry of the change log as people read it."""

    change: PublicChange
    record: models.Model
    lines: list

    @property
    def published(self):
        return self.change.kind == PublicChange.Kind.PUBLISHED

    @property
    def changed_at(self):
        return self.change.changed_at

    @property
    def day(self):
        """The day of the change in the site's time zone."""
        return timezone.localdate(self.change.changed_at)

    @property
    def record_kind(self):
        return RECORD_KINDS[self.record._meta.concrete_model]

    @property
    def title(self):
        return record_title(self.record)

    @property
    def headline(self):
        if self.published:
            return f"Published: {self.title}"
        return f"Changed: {self.title}"

    @property
    def summary(self):
        """The entry in one paragraph of text, for its feed."""
        if self.published:
            return f"{RECORD_KINDS[self.record._meta.concrete_model]} published."
        return "; ".join(f"{line.label}: {line.text}" for line in self.lines) or "Changed."


RECORD_KINDS = {
    Organisation: "Organisation",
    Agreement: "Agreement",
    CooperationActivity: "Cooperation activity",
}


def record_title(record):
    return str(record) if not isinstance(record, Organisation) else f"{record.name} ({record.acronym})"


def related_names(entries):
    """{model: {id: name}} of the published related records the entries mention, in one query
    (a union over the related tables), however many entries and kinds of records there are."""
    wanted = {}
    for change in entries:
        model = change.record._meta.concrete_model
        for line in change.fields:
            field = _field(model, line["field"])
            if field is None or not field.is_relation:
                continue
            ids = [
                *line.get("added", ()),
                *line.get("removed", ()),
                *line.get("revised", ()),
                line.get("before"),
                line.get("after"),
            ]
            wanted.setdefault(field.related_model, set()).update(pk for pk in ids if pk is not None)
    queries = [
        public_records(model)
        .filter(pk__in=ids)
        .annotate(related_model=Value(model._meta.label), related_name=F(NAMES[model]))
        .values_list("related_model", "pk", "related_name")
        .order_by()
        for model, ids in wanted.items()
        if ids
    ]
    if not queries:
        return {}
    models_by_label = {model._meta.label: model for model in wanted}
    names = {}
    for label, pk, name in queries[0].union(*queries[1:], all=True):
        names.setdefault(models_by_label[label], {})[pk] = name
    return names


def _field(model, name):
    if name in ATTACHED:
        return ATTACHED[name]
    return model._meta.get_field(name) if name in PUBLIC_FIELDS.get(model, ()) and _has_field(model, name) else None


def shown_value(field, value, names):
    """A stored value as the public pages show it."""
    if value is None or value == "":
        return "none" if field.is_relation else "not stated"
    if field.is_relation:
        return names.get(field.related_model, {}).get(value, "none")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField):
        return date_format(datetime.date.fromisoformat(value), "j F Y")
    if isinstance(field, models.TextField):
        return f"“{Truncator(value).words(TEXT_WORDS)}”"
    return f"“{value}”" if not isinstance(field, models.URLField) else value


def line_of(field, stored, names):
    label = str(field.verbose_name)
    label = label[:1].upper() + label[1:]
    if field.many_to_many:
        known = names.get(field.related_model, {})
        added = [f"+ {known[pk]}" for pk in stored["added"] if pk in known]
        removed = [f"− {known[pk]}" for pk in stored["removed"] if pk in known]
        revised = [f"revised {known[pk]}" for pk in stored.get("revised", ()) if pk in known]
        shown = added + removed + revised
        return Line(label, ", ".join(shown)) if shown else None
    if isinstance(field, models.TextField):
        if not stored["after"]:
            return Line(label, "removed")
        return Line(label, f"now {shown_value(field, stored['after'], names)}")
    before, after = shown_value(field, stored["before"], names), shown_value(field, stored["after"], names)
    if before == after:  # related records no longer public on both sides
        return None
    return Line(label, f"{before} → {after}")


def describe(changes):
    """The entries as people read them, in the given order; related names in one query per model."""
    changes = list(changes)
    names = related_names(changes)
    entries = []
    for change in changes:
        model = change.record._meta.concrete_model
        lines = []
        for stored in change.fields:
            field = _field(model, stored["field"])
            line = field and line_of(field, stored, names)
            if line:
                lines.append(line)
        entries.append(Entry(change, change.record, lines))
    return entries
