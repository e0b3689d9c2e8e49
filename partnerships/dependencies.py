"""Which drafts a record's public page would show: what must be published with it.

The admin's form and actions, the import and the review dashboard all ask here, so that a
record is never published half-public (naming partners, an organisation, an agreement, areas
or regions that visitors cannot see, or citing draft sources, whose citations are shown
nowhere).

Which records become public through a change, and who may publish them, is publication.py's
concern (``PublicationWatch``); this module says which drafts a record's page would leave out.
"""

from django.db.models import Exists, OuterRef, Q

# How a record's citations are reached from a citation: its own, and those of its dated facts
# (shown on the record's page too). Keep in step with the models' ``citations`` relations.
CITING_PATHS = {
    "organisation": ("organisation", "dated_fact__organisations"),
    "agreement": ("agreement", "dated_fact__agreement"),
    "cooperationactivity": ("activity", "dated_fact__activity"),
}


def citation_model():
    from .provenance import Citation

    return Citation


def draft_sources_cited_by(record):
    """The draft source documents that the record's citations (and its dated facts') name."""
    paths = CITING_PATHS.get(record._meta.model_name)
    if not paths or record.pk is None:
        return []
    Citation = citation_model()
    source_model = Citation._meta.get_field("source").related_model
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{path: record.pk})
    cited = Citation._base_manager.filter(condition).values("source")
    return list(source_model._base_manager.filter(pk__in=cited, is_published=False).order_by("title", "pk"))


def is_public(record):
    """Whether visitors see the record. Records without a publication state are always public."""
    if hasattr(record, "is_public"):
        return record.is_public
    return getattr(record, "is_published", True)


class PublicationDependencies:
    """What a record's public page shows of other records, which must be public too.

    ``publication_dependencies`` names the fields (foreign keys and many-to-many) whose records
    a published record shows: a draft among them would be left out of the public page while
    the record still names it. The sources its citations name count too: a citation of a draft
    source is shown nowhere. ``drafts_it_depends_on()`` is the one place that lists them, for
    the admin's form and actions, the import and the review dashboard alike.
    """

    publication_dependencies = ()

    def drafts_it_depends_on(self, cited=True, **values):
        """The drafts this record shows, and the drafts they show in turn, in a stable order.

        ``values`` replaces saved field values with ones not saved yet (a form's cleaned data):
        a record for a foreign key, an iterable of records for a many-to-many field. With
        ``cited=False`` the sources its saved citations name are left out (a form whose
        citations are not saved yet checks them after saving them).
        """
        drafts, seen = [], set()

        def visit(record, overrides):
            for name in record.publication_dependencies:
                field = record._meta.get_field(name)
                if name in overrides:
                    value = overrides[name]
                elif field.many_to_many:
                    value = getattr(record, name).all() if record.pk else ()
                else:
                    value = getattr(record, name)
                related = list(value) if field.many_to_many else ([value] if value is not None else [])
                for other in related:
                    key = (type(other), other.pk)
                    if key in seen:
                        continue
                    seen.add(key)
                    if not getattr(other, "is_published", True):
                        drafts.append(other)
                    # Published with this record, or public only once its own drafts are.
                    if isinstance(other, PublicationDependencies) and not is_public(other):
                        visit(other, {})

        visit(self, values)
        for source in draft_sources_cited_by(self) if cited else ():
            if (type(source), source.pk) not in seen:
                seen.add((type(source), source.pk))
                drafts.append(source)
        return drafts

    @classmethod
    def pointing_at_drafts(cls):
        """The condition selecting the records of this model that show a draft."""
        condition = Q(pk__in=[])
        for name in cls.publication_dependencies:
            field = cls._meta.get_field(name)
            target = field.related_model
            if not any(f.name == "is_published" for f in target._meta.concrete_fields):
                continue
            if field.many_to_many:
                through = field.remote_field.through
                links = through.objects.filter(
                    **{
                        f"{field.m2m_field_name()}": OuterRef("pk"),
                        f"{field.m2m_reverse_field_name()}__is_published": False,
                    }
                )
                condition |= Exists(links)
            else:
                condition |= Q(**{f"{name}__is_published": False})
                if name == "agreement":
                    condition |= Q(agreement__organisation__is_published=False)
        for path in CITING_PATHS.get(cls._meta.model_name, ()):
            condition |= Exists(
                citation_model()._base_manager.filter(**{path: OuterRef("pk"), "source__is_published": False})
            )
        return condition
