"""What the index holds for each kind of record: the texts a search matches, published only.

A record is indexed only while it is public, and of its related records only the published
ones are named: a draft partner's, area's or region's name never makes a record findable. The
passages are those of the record's public citations (of published sources), and a source is
indexed only while a public citation names it, as its page is shown only then. The
functions take the app registry (``apps``), so that the migration that builds the index and
the running site build it alike.
"""

from collections import defaultdict
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q

from ..provenance import public_records_q
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
    """The filter of the published records of a model (an agreement's organisation must be
    published too; a source must also be cited publicly, see ``sources``)."""
    if model._meta.model_name == "agreement":
        return {"is_published": True, "organisation__is_published": True}
    return {"is_published": True}


def public_citations(apps):
    """The citations the public may see: of a published source, belonging to a published
    record or to a dated fact of one (``Citation.objects.published()``, written out with the
    models of ``apps``, since a migration's models have no custom querysets)."""
    Citation = apps.get_model("partnerships", "Citation")
    DatedFact = apps.get_model("partnerships", "DatedFact")
    fact_of_published_organisation = DatedFact.organisations.through._base_manager.filter(
        datedfact=OuterRef("dated_fact"), organisation__is_published=True
    )
    published_fact = (
        Exists(fact_of_published_organisation)
        | Q(dated_fact__activity__is_published=True)
        | Q(dated_fact__agreement__is_published=True, dated_fact__agreement__organisation__is_published=True)
    )
    return Citation._base_manager.filter(public_records_q() | published_fact, source__is_published=True)


# The citation's field that names each kind of record it may belong to.
CITED_RECORD = {"organisation": "organisation", "agreement": "agreement", "cooperationactivity": "activity"}


def passages(apps, model_name, ids):
    """(record id, passage) of the public citations of the records of ``model_name`` among ``ids``,
    in the citations' order.

    The one place that knows where passages are stored.
    """
    field = CITED_RECORD[model_name]
    citations = public_citations(apps).filter(**among(ids, field)).exclude(passage="")
    return citations.order_by(field, "position", "pk").values_list(field, "passage")


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
    """Sources the public can open: published, and cited by a public citation
    (``SourceDocument.objects.public()``)."""
    Source = apps.get_model("partnerships", "SourceDocument")
    cited = public_citations(apps).filter(source=OuterRef("pk"))
    rows = Source._base_manager.filter(Exists(cited), **among(ids), **is_public(Source))
    for pk, title, publisher in rows.values_list("pk", "title", "publisher"):
        yield pk, indexed(title), indexed(publisher), "", ""


# model name -> (entry table, document builder)
KINDS = {
    "organisation": ("partnerships_search_organisation", organisations),
    "agreement": ("partnerships_search_agreement", agreements),
    "cooperationactivity": ("partnerships_search_activity", activities),
    "cooperationarea": ("partnerships_search_area", areas),
    "sourcedocument": ("partnerships_search_source", sources),
}
