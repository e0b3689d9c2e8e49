"""Which drafts a record's public page would show: what must be published with it.

The admin's form and actions, the import and the review dashboard all ask here, so that a
record is never published half-public (showing partners, an organisation, an agreement or
sources that visitors cannot see).
"""

from django.db.models import Exists, OuterRef, Q


def is_public(record):
    """Whether visitors see the record. Records without a publication state are always public."""
    if hasattr(record, "is_public"):
        return record.is_public
    return getattr(record, "is_published", True)


class PublicationDependencies:
    """What a record's public page shows of other records, which must be public too.

    ``publication_dependencies`` names the fields (foreign keys and many-to-many) whose records
    a published record shows: a draft among them would be left out of the public page while
    the record still names it. ``drafts_it_depends_on()`` is the one place that lists them, for
    the admin's form and actions, the import and the review dashboard alike.
    """

    publication_dependencies = ()

    def drafts_it_depends_on(self, **values):
        """The drafts this record shows, and the drafts they show in turn, in a stable order.

        ``values`` replaces saved field values with ones not saved yet (a form's cleaned data):
        a record for a foreign key, an iterable of records for a many-to-many field.
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
        return condition
