"""What the index holds for each kind of record: the texts a search matches, published only.

A record is indexed only while it is published, and of its related records only the
published ones are named: a draft partner's name never makes an activity findable. The
functions take the app registry (``apps``), so that the migration that builds the index and
the running site build it alike.
"""

from collections import defaultdict
from typing import NamedTuple

from .text import indexed

# How many records are read and written at a time.
CHUNK = 1000


class IdRange(NamedTuple):
    """All the records with ids from ``first`` to ``last``: what a full rebuild reads at a time,
    cheaper to ask for than a list of a thousand ids."""

    first: int
    last: int


def among(ids, field="pk"):
    """The filter of the records (or link rows, by ``field``) with these ids."""
    if isinstance(ids, IdRange):
        return {f"{field}__gte": ids.first, f"{field}__lte": ids.last}
    return {f"{field}__in": ids}


def is_public(model):
    """The filter of the published records of a model (areas, regions and sources are
    public as a whole where they have no publication state)."""
    names = {field.name for field in model._meta.get_fields()}
    if "is_published" not in names:
        return {}
    if model._meta.model_name == "agreement":
        return {"is_published": True, "organisation__is_published": True}
    return {"is_published": True}


def passages(apps, model_name, ids):
    """(record id, passage) of the quoted source passages of the records of ``model_name`` among ``ids``.

    The one place that knows where passages are stored.
    """
    model = apps.get_model("partnerships", model_name)
    if "source_passage" not in {field.name for field in model._meta.get_fields()}:
        return []
    return model._base_manager.filter(**among(ids)).exclude(source_passage="").values_list("pk", "source_passage")


def linked_names(through, owner, other, ids, *fields):
    """{owner id: [text, ...]}: the given fields of the published records linked to each owner."""
    other_model = through._meta.get_field(other).related_model
    public = {f"{other}__{name}": value for name, value in is_public(other_model).items()}
    names = defaultdict(list)
    rows = through._base_manager.filter(**among(ids, owner), **public).order_by("pk")
    for owner_id, *texts in rows.values_list(owner, *(f"{other}__{name}" for name in fields)):
        names[owner_id].extend(texts)
    return names


def group(rows):
    grouped = defaultdict(list)
    for key, text in rows:
        grouped[key].append(text)
    return grouped


def organisations(apps, ids):
    Organisation = apps.get_model("partnerships", "Organisation")
    areas = linked_names(Organisation.areas.through, "organisation", "cooperationarea", ids, "name")
    quoted = group(passages(apps, "organisation", ids))
    for pk, name, acronym, summary in Organisation._base_manager.filter(
        **among(ids), **is_public(Organisation)
    ).values_list("pk", "name", "acronym", "summary"):
        yield pk, indexed(name, acronym), indexed(*areas[pk]), indexed(summary), indexed(*quoted[pk])


def agreements(apps, ids):
    Agreement = apps.get_model("partnerships", "Agreement")
    quoted = group(passages(apps, "agreement", ids))
    rows = Agreement._base_manager.filter(**among(ids), **is_public(Agreement)).values_list(
        "pk", "title", "organisation__name", "organisation__acronym", "summary"
    )
    for pk, title, name, acronym, summary in rows:
        yield pk, indexed(title), indexed(name, acronym), indexed(summary), indexed(*quoted[pk])


def activities(apps, ids):
    Activity = apps.get_model("partnerships", "CooperationActivity")
    partners = linked_names(Activity.partners.through, "cooperationactivity", "organisation", ids, "name", "acronym")
    areas = linked_names(Activity.areas.through, "cooperationactivity", "cooperationarea", ids, "name")
    regions = linked_names(Activity.regions.through, "cooperationactivity", "region", ids, "name")
    quoted = group(passages(apps, "cooperationactivity", ids))
    rows = Activity._base_manager.filter(**among(ids), **is_public(Activity)).values_list("pk", "title", "summary")
    for pk, title, summary in rows:
        related = indexed(*partners[pk], *areas[pk], *regions[pk])
        yield pk, indexed(title), related, indexed(summary), indexed(*quoted[pk])


def areas(apps, ids):
    Area = apps.get_model("partnerships", "CooperationArea")
    for pk, name, description in Area._base_manager.filter(**among(ids), **is_public(Area)).values_list(
        "pk", "name", "description"
    ):
        yield pk, indexed(name), "", indexed(description), ""


def sources(apps, ids):
    Source = apps.get_model("partnerships", "SourceDocument")
    for pk, title, publisher in Source._base_manager.filter(**among(ids), **is_public(Source)).values_list(
        "pk", "title", "publisher"
    ):
        yield pk, indexed(title), indexed(publisher), "", ""


# model name -> (entry table, document builder)
KINDS = {
    "organisation": ("partnerships_search_organisation", organisations),
    "agreement": ("partnerships_search_agreement", agreements),
    "cooperationactivity": ("partnerships_search_activity", activities),
    "cooperationarea": ("partnerships_search_area", areas),
    "sourcedocument": ("partnerships_search_source", sources),
}
