"""Keeping the search index in step with the registry.

Every change that moves the registry version moves the index too, in the same transaction:
saves and deletions (fixture loads included), many-to-many changes, and the bulk writes that
RegistryQuerySet announces (``models.bulk_written``). A change reaches the records whose
entries name the changed one: renaming or unpublishing an organisation rewrites the entries
of its agreements and of the activities it is a partner in; publishing or withdrawing an area
or a region, those of the records in it. Citations give the records their passages and make
their sources public: saving or deleting a citation rewrites its record's entry and its
source's (before and after the change), publishing or withdrawing a source rewrites the
entries of the records that cite it, and a change to a record's or a dated fact's publication
rewrites the entries of the sources they cite.

``rebuild()`` writes the whole index afresh (``manage.py rebuild_search_index``); bulk loads
that write link rows directly (generate_sample_data) index nothing as they go and rebuild the
index once at the end, inside ``deferred()``. A bulk import, which saves its records one by one
with their signals, notes inside ``batched()`` which entries its changes reach and rewrites
each of them once, at the end, with its dependents: thousands of records in a few hundred
queries instead of a dozen queries a record.
"""

import threading
from collections import defaultdict
from contextlib import contextmanager

from django.apps import apps as global_apps
from django.db import connections, router
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from ..batches import in_batches
from . import documents
from .documents import CHUNK, KINDS, IdRange

_local = threading.local()


def _deferred():
    return getattr(_local, "deferred", 0) > 0


def _batch():
    return getattr(_local, "batch", None)


def write(model_name, ids, apps=global_apps, using="default", fresh=False):
    """Rewrite the entries of these records: removed (unless the index is ``fresh``ly emptied),
    then written again for those public; return how many were written."""
    table, build = KINDS[model_name]
    connection = connections[using]
    quoted = connection.ops.quote_name(table)
    written = 0
    with connection.cursor() as cursor:
        for chunk in in_batches(ids, CHUNK):
            if fresh:  # every published record of the range is in ids: read them by range
                rows = list(build(apps, IdRange(chunk[0], chunk[-1])))
            else:
                cursor.execute(f"DELETE FROM {quoted} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk)
                rows = list(build(apps, chunk))
            written += len(rows)
            if rows:
                cursor.executemany(
                    f"INSERT INTO {quoted} (rowid, title, related, summary, passage) VALUES (%s, %s, %s, %s, %s)",
                    rows,
                )
    return written


def rebuild(apps=global_apps, using="default"):
    """Write the whole index afresh from the records; return {kind: records indexed}."""
    connection = connections[using]
    counts = {}
    for model_name, (table, _build) in KINDS.items():
        model = apps.get_model("partnerships", model_name)
        ids = list(model._base_manager.using(using).filter(**documents.is_public(model)).values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        counts[model._meta.verbose_name_plural] = write(model_name, ids, apps, using, fresh=True)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # Merge the index's segments into one, which later searches read fastest.
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    return counts


def flushed(sender, using="default", **kwargs):
    """After ``flush`` (which empties the records' tables but not the index's, as Django does not
    manage them), write the index afresh, so that it names no record that is gone.

    ``flush`` sends ``post_migrate`` without a migration plan; ``migrate`` sends one, and its
    migrations keep the index themselves.
    """
    if "plan" in kwargs:
        return
    tables = {table for table, _build in KINDS.values()}
    if tables <= set(connections[using].introspection.table_names()):
        rebuild(using=using)


@contextmanager
def deferred(using="default"):
    """Index nothing change by change inside the block; rebuild the whole index once at its end."""
    _local.deferred = getattr(_local, "deferred", 0) + 1
    try:
        yield
    finally:
        _local.deferred -= 1
    if not _deferred():
        rebuild(using=using)


class Batch:
    """The entries that the changes of a ``batched()`` block reach: {(database, model name): ids}
    of the records whose own entries and dependents' entries are to be rewritten
    (``refreshed``), and of those whose own entries only (``rewritten``)."""

    def __init__(self):
        self.refreshed = defaultdict(set)
        self.rewritten = defaultdict(set)

    def rewrite(self, model_name, ids, using):
        self.rewritten[using, model_name].update(ids)

    def refresh(self, model_name, ids, using):
        self.refreshed[using, model_name].update(ids)

    def write(self):
        """Rewrite every noted entry once: the dependents of the records refreshed, read as the
        block left them, then each record noted."""
        for (using, model_name), ids in self.refreshed.items():
            for chunk in in_batches(ids, CHUNK):
                for other, other_ids in dependents(model_name, chunk).items():
                    self.rewrite(other, other_ids, using)
            if model_name in KINDS:
                self.rewrite(model_name, ids, using)
        for (using, model_name), ids in self.rewritten.items():
            write(model_name, ids, using=using)


@contextmanager
def batched(discard=False):
    """Note the entries that the block's changes reach instead of rewriting them change by change;
    rewrite each once when the block ends without an error (not at all with ``discard``, for
    changes that will be rolled back, such as an import's preview). Use it inside the changes'
    transaction, so that the index commits with them."""
    if _batch() is not None or _deferred():
        yield  # the enclosing block writes the index
        return
    batch = _local.batch = Batch()
    try:
        yield
    finally:
        _local.batch = None
    if not discard:
        batch.write()


def rewrite(model_name, ids, using="default"):
    """Rewrite the entries of these records now, or at the end of the ``batched()`` block."""
    if _deferred() or not ids:
        return
    batch = _batch()
    if batch is not None:
        batch.rewrite(model_name, ids, using)
    else:
        write(model_name, ids, using=using)


# Which records' entries name which others --------------------------------------------------


def dependents(model_name, ids):
    """{model name: ids} of the records whose entries name these records or depend on them: the
    records that name a partner, area or region; the records whose passages a citation or a
    source gives; the sources that a record's or a dated fact's citations make public."""
    if not ids:
        return {}
    Organisation = global_apps.get_model("partnerships", "Organisation")
    Activity = global_apps.get_model("partnerships", "CooperationActivity")
    Agreement = global_apps.get_model("partnerships", "Agreement")
    Citation = global_apps.get_model("partnerships", "Citation")

    def linked(through, owner, other):
        return set(through._base_manager.filter(**{f"{other}__in": ids}).values_list(owner, flat=True))

    def cited(field, **condition):
        return set(Citation._base_manager.filter(**condition).exclude(**{field: None}).values_list(field, flat=True))

    if model_name == "organisation":
        return {
            "agreement": set(Agreement._base_manager.filter(organisation__in=ids).values_list("pk", flat=True)),
            "cooperationactivity": linked(Activity.partners.through, "cooperationactivity", "organisation"),
            "sourcedocument": sources_cited_by(model_name, ids),
        }
    if model_name in {"agreement", "cooperationactivity", "datedfact"}:
        return {"sourcedocument": sources_cited_by(model_name, ids)}
    if model_name == "cooperationarea":
        return {
            "organisation": linked(Organisation.areas.through, "organisation", "cooperationarea"),
            "cooperationactivity": linked(Activity.areas.through, "cooperationactivity", "cooperationarea"),
        }
    if model_name == "region":
        return {"cooperationactivity": linked(Activity.regions.through, "cooperationactivity", "region")}
    if model_name == "sourcedocument":
        return {kind: cited(field, source__in=ids) for kind, field in documents.CITED_RECORD.items()}
    if model_name == "citation":
        return {
            **{kind: cited(field, pk__in=ids) for kind, field in documents.CITED_RECORD.items()},
            "sourcedocument": cited("source", pk__in=ids),
        }
    return {}


def sources_cited_by(model_name, ids):
    """The sources cited by these records, their agreements and their dated facts: whether the
    public may see a source depends on those records' publication."""
    Citation = global_apps.get_model("partnerships", "Citation")
    if model_name == "organisation":
        conditions = [
            {"organisation__in": ids},
            {"agreement__organisation__in": ids},
            {"dated_fact__organisations__in": ids},
            {"dated_fact__agreement__organisation__in": ids},
        ]
    elif model_name == "agreement":
        conditions = [{"agreement__in": ids}, {"dated_fact__agreement__in": ids}]
    elif model_name == "cooperationactivity":
        conditions = [{"activity__in": ids}, {"dated_fact__activity__in": ids}]
    else:  # dated facts
        conditions = [{"dated_fact__in": ids}]
    sources = set()
    for condition in conditions:
        sources.update(Citation._base_manager.filter(**condition).values_list("source", flat=True))
    return sources


def merged(*groups):
    """One {model name: ids} of several."""
    result = {}
    for group in groups:
        for model_name, ids in group.items():
            result.setdefault(model_name, set()).update(ids)
    return result


def refresh(model_name, ids, using="default", before=None):
    """Rewrite the entries of these records and of the records whose entries depend on them
    (and on them as they were ``before`` a change: {model name: ids})."""
    if _deferred() or not ids:
        return
    batch = _batch()
    if batch is not None:
        batch.refresh(model_name, ids, using)
        for other, other_ids in (before or {}).items():
            batch.rewrite(other, other_ids, using)
        return
    before = before or {}
    for other, other_ids in merged(dependents(model_name, ids), before).items():
        write(other, other_ids, using=using)
    if model_name in KINDS:
        write(model_name, ids, using=using)


# Signal receivers ---------------------------------------------------------------------------


def _using(sender, instance):
    return instance._state.db or router.db_for_write(sender, instance=instance)


# What other records' entries show of a record, or depend on (attribute names): a save that
# changes none of it rewrites the record's own entry only, not those of the thousands of
# activities a partner may have. Records missing here rewrite their dependents on every save.
NAMED_FIELDS = {
    "organisation": ["name", "acronym", "is_published"],
    "agreement": ["is_published", "organisation_id"],
    "cooperationactivity": ["is_published"],
    "cooperationarea": ["name", "is_published"],
    "region": ["name", "is_published"],
    "sourcedocument": ["is_published"],
}
# Records whose dependents may change with the record itself (a citation moved to another
# record or source, a dated fact to another activity): those of before the change are noted.
MOVABLE = {"citation", "datedfact"}


def record_saving(sender, instance, **kwargs):
    model_name = sender._meta.model_name
    if _deferred() or instance.pk is None:
        return
    if model_name in MOVABLE:
        instance._search_dependents = dependents(model_name, [instance.pk])
        return
    names = {field.attname for field in sender._meta.concrete_fields}
    fields = [name for name in NAMED_FIELDS.get(model_name, []) if name in names]
    if not fields:
        return
    stored = sender._base_manager.using(_using(sender, instance)).filter(pk=instance.pk).values(*fields).first()
    instance._search_names_kept = stored == {name: getattr(instance, name) for name in fields}


def record_saved(sender, instance, **kwargs):
    model_name, using = sender._meta.model_name, _using(sender, instance)
    before = instance.__dict__.pop("_search_dependents", None)
    if instance.__dict__.pop("_search_names_kept", False):
        if model_name in KINDS:
            rewrite(model_name, [instance.pk], using=using)
    else:
        refresh(model_name, [instance.pk], using=using, before=before)


def record_deleting(sender, instance, **kwargs):
    # The links go before the record: note now whose entries name it.
    if not _deferred():
        instance._search_dependents = dependents(sender._meta.model_name, [instance.pk])


def record_deleted(sender, instance, **kwargs):
    if _deferred():
        return
    using = _using(sender, instance)
    for other, ids in getattr(instance, "_search_dependents", {}).items():
        rewrite(other, ids, using=using)
    if sender._meta.model_name in KINDS:
        rewrite(sender._meta.model_name, [instance.pk], using=using)


def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A link of a many-to-many relation that an entry names (an activity's partners, areas and
    regions, an organisation's areas) was added or removed: rewrite the entries of its owners."""
    relation = _owned_relations().get(sender)
    if relation is None or _deferred():
        return
    owner_model, field = relation
    if not reverse:
        if action.startswith("post_"):
            rewrite(owner_model._meta.model_name, [instance.pk], using=_using(owner_model, instance))
        return
    if action == "pre_clear":
        links = sender._base_manager.filter(**{field.m2m_reverse_field_name(): instance.pk})
        instance._search_cleared = set(links.values_list(field.m2m_field_name(), flat=True))
    elif action.startswith("post_"):
        owners = pk_set if action != "post_clear" else getattr(instance, "_search_cleared", set())
        rewrite(owner_model._meta.model_name, owners or [], using=_using(owner_model, instance))


def fact_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A dated fact was tied to or untied from organisations: the sources its citations name may
    become public or stop being so."""
    if _deferred():
        return
    if reverse and action == "pre_clear":  # an organisation's facts, before they are untied
        links = sender._base_manager.filter(organisation=instance.pk)
        instance._search_cleared_facts = set(links.values_list("datedfact", flat=True))
    elif action.startswith("post_"):
        if not reverse:
            facts = [instance.pk]
        else:
            facts = pk_set if action != "post_clear" else getattr(instance, "_search_cleared_facts", set())
        rewrite("sourcedocument", sources_cited_by("datedfact", facts or []), using=_using(sender, instance))


def bulk_written(sender, pks, using, **kwargs):
    refresh(sender._meta.model_name, pks, using=using)


def _owned_relations():
    """{link model: (the model whose entries name the linked records, the relation)}."""
    Organisation = global_apps.get_model("partnerships", "Organisation")
    Activity = global_apps.get_model("partnerships", "CooperationActivity")
    relations = [(Activity, "partners"), (Activity, "areas"), (Activity, "regions"), (Organisation, "areas")]
    return {
        model._meta.get_field(name).remote_field.through: (model, model._meta.get_field(name))
        for model, name in relations
    }


def connect(models):
    from ..models import bulk_written as bulk_written_signal

    for model in models:
        label = model.__name__
        pre_save.connect(record_saving, sender=model, dispatch_uid=f"search-saving-{label}")
        post_save.connect(record_saved, sender=model, dispatch_uid=f"search-save-{label}")
        pre_delete.connect(record_deleting, sender=model, dispatch_uid=f"search-deleting-{label}")
        post_delete.connect(record_deleted, sender=model, dispatch_uid=f"search-delete-{label}")
        bulk_written_signal.connect(bulk_written, sender=model, dispatch_uid=f"search-bulk-{label}")
    for through in _owned_relations():
        m2m_changed.connect(links_changed, sender=through, dispatch_uid=f"search-links-{through.__name__}")
    facts = global_apps.get_model("partnerships", "DatedFact").organisations.through
    m2m_changed.connect(fact_links_changed, sender=facts, dispatch_uid="search-links-facts-organisations")
