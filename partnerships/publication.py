"""What the public sees, and who may change that.

A record is public when its model's public queryset says so (``published()``; for source
documents ``public()``: published and cited by a published record). Some records' public state
depends on others: an agreement is public only while its organisation is, a source only while a
published record cites it. So a change to one record (publishing it, or changing one of its
relations) can put other records before the public.

The rule, for every change made in the admin: whatever becomes public through it needs the
permission to publish records of its kind ("Can publish or unpublish ..."). ``PublicationWatch``
notes which records around the change are public before it and checks them again after it.

Citations and dated facts have no publication, and no permission, of their own: they are public
with the records they belong to (partnerships/provenance.py). A change to them is checked for
what it makes public: the sources they cite.
"""

from collections import defaultdict

from django.contrib.auth import get_permission_codename
from django.db import models

from .batches import in_batches
from .models import Agreement, CooperationActivity, CooperationArea, Organisation, Region, SourceDocument

PUBLISHABLE = (CooperationArea, Region, SourceDocument, Organisation, Agreement, CooperationActivity)

# Whose public state follows other records, by the relation paths their public querysets follow:
# keep in step with AgreementQuerySet.published() and SourceDocumentQuerySet.public(). A change
# to a record at the end of a path is checked for the records the path leads back to.
DEPENDS_ON = {
    Agreement: ["organisation"],
    # A source is public while a public citation cites it (provenance.Citation): one of a
    # published record, or of a dated fact that belongs to one. A dated fact moved to a published
    # record makes its citations' sources public; a citation names its source itself (``relations``).
    SourceDocument: [
        "citations__organisation",
        "citations__agreement",
        "citations__activity",
        "citations__dated_fact",
        "citations__dated_fact__organisations",
        "citations__dated_fact__agreement",
        "citations__dated_fact__activity",
    ],
}

# Large selections are checked this many records at a time (databases limit query parameters).
BATCH = 5000


def public(model):
    """The records of ``model`` that the public sees."""
    if model is SourceDocument:
        return SourceDocument.objects.public()
    return model._default_manager.published()


def can_publish(user, model):
    """Whether the user holds the model's "publish" permission (superusers hold them all)."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename('publish', opts)}")


def end_model(model, path):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def relations(model):
    """The model's own foreign keys and many-to-many fields that lead to publishable records."""
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey | models.ManyToManyField) and field.related_model in PUBLISHABLE
    ]


def around(model, keys):
    """{model: record ids} whose public state a change to the records ``keys`` of ``model`` can
    affect: those records, the records they point at, and the records whose public state
    depends on them.

    Only publishable records are listed: the others (citations, dated facts) have no
    publication of their own, they are public with their records (partnerships/provenance.py),
    and there is no permission to publish them.
    """
    found = defaultdict(set)
    if model in PUBLISHABLE:
        found[model] |= set(keys)
    for batch in in_batches(keys, BATCH):
        for field in relations(model):
            if field.many_to_many:
                links = field.remote_field.through._base_manager.filter(
                    **{f"{field.m2m_field_name()}_id__in": batch}
                ).values_list(f"{field.m2m_reverse_field_name()}_id", flat=True)
            else:
                links = (
                    model._base_manager.filter(pk__in=batch)
                    .exclude(**{f"{field.name}__isnull": True})
                    .values_list(field.attname, flat=True)
                )
            found[field.related_model] |= set(links)
        for dependent, paths in DEPENDS_ON.items():
            for path in paths:
                if end_model(dependent, path) is model:
                    found[dependent] |= set(
                        dependent._base_manager.filter(**{f"{path}__in": batch}).values_list("pk", flat=True)
                    )
    return found


def public_among(candidates):
    """The (model, id) pairs of the candidates that the public sees."""
    shown = set()
    for model, keys in candidates.items():
        for batch in in_batches(keys, BATCH):
            shown |= {(model, key) for key in public(model).filter(pk__in=batch).values_list("pk", flat=True)}
    return shown


def targets_in_form(form):
    """{model: ids} of the records a submitted admin form points its relations at."""
    found = defaultdict(set)
    for field in relations(form._meta.model):
        value = form.cleaned_data.get(field.name)
        if isinstance(value, models.Model):
            found[field.related_model].add(value.pk)
        elif value is not None and not isinstance(value, str | int):
            found[field.related_model] |= {record.pk for record in value}
    return found


def targets_in_formsets(formsets):
    """{model: ids} of the records the rows of a form's inlines point at (the sources its
    citations name, the dated facts chosen for an organisation), and of the records whose public
    state follows them (the sources a chosen dated fact cites). The record the rows belong to is
    left out: it is the one the change is about."""
    found = defaultdict(set)
    for formset in formsets:
        own = getattr(formset, "fk", None)
        for row in formset.forms:
            if row in formset.deleted_forms or not getattr(row, "cleaned_data", None):
                continue
            for field in row._meta.model._meta.get_fields():
                if not isinstance(field, models.ForeignKey | models.ManyToManyField) or field == own:
                    continue
                value = row.cleaned_data.get(field.name)
                if isinstance(value, models.Model):
                    keys = {value.pk}
                elif isinstance(value, models.QuerySet):
                    keys = {record.pk for record in value}
                else:
                    continue
                for model, ids in around(field.related_model, keys).items():
                    found[model] |= ids
    return found


class PublicationRefused(Exception):
    """A change would put before the public records the user may not publish."""

    def __init__(self, records):
        self.records = records
        kinds = sorted({str(record._meta.verbose_name_plural) for record in records})
        names = ", ".join(f"“{record}”" for record in records[:5]) + (" …" if len(records) > 5 else "")
        super().__init__(
            f"Not saved: this change would make public {names}, and publishing {' and '.join(kinds)} "
            "needs the permission to publish them. Ask an editor who may publish to make the change."
        )


class PublicationWatch:
    """Notes what is public around a change before it is made, to check it afterwards.

    ``PublicationWatch(model, ids, form)`` (or ``targets``) before the change, ``watch.check(user)`` after it, in
    the same transaction: ``check`` raises PublicationRefused when a record became public that
    the user may not publish, and the caller rolls the change back.
    """

    def __init__(self, model, keys, form=None, targets=None):
        self.model = model
        self.keys = set(keys)
        self.candidates = around(model, self.keys)
        # The records the change will point at ({model: ids}: a form's relations, an import's columns).
        for target, ids in [*(targets_in_form(form).items() if form is not None else []), *(targets or {}).items()]:
            self.candidates[target] |= set(ids)
        self.before = public_among(self.candidates)

    def note(self, targets):
        """Watches more records ({model: ids}), from now on: those the rest of the change will
        point at (an inline's rows, saved after the record). Records already watched keep the
        state they had when the watch began."""
        added = {model: set(ids) - self.candidates[model] for model, ids in targets.items()}
        self.before |= public_among(added)
        for model, ids in added.items():
            self.candidates[model] |= ids

    def newly_public(self, keys=()):
        """Records public now that were not before; ``keys`` adds records created by the change."""
        candidates = around(self.model, self.keys | set(keys))
        for model, ids in self.candidates.items():
            candidates[model] |= ids
        return public_among(candidates) - self.before

    def check(self, user, keys=()):
        refused = defaultdict(list)
        for model, key in self.newly_public(keys):
            if not can_publish(user, model):
                refused[model].append(key)
        if refused:
            records = [record for model, ids in refused.items() for record in model._base_manager.filter(pk__in=ids)]
            raise PublicationRefused(records)
