"""The registry's domain: cooperation areas, regions, organisations, agreements,
cooperation activities and the source documents their statements come from.

Citations and dated facts, which tie the records to their sources, are in provenance.py.
"""

import contextvars
import datetime
import json
import secrets
from collections import defaultdict
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.db.models.signals import pre_save
from django.dispatch import Signal, receiver
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from .batches import BATCH, in_batches
from .constraints import CheckedInPython
from .dependencies import PublicationDependencies
from .renames import SlugHistory


def new_registry_version():
    """A random number, never used before in practice (one chance in 2**63 of meeting an old one)."""
    return secrets.randbits(63)


class RegistryVersion(models.Model):
    """A number that changes, at random, with every change to the registry.

    Public pages are cached (partnerships/caching.py) under keys that include this number, read
    from the database on every request: after any change, the very next request to any server
    process misses the cache and renders afresh. Saves, deletions and many-to-many changes change
    it through signals (partnerships/signals.py); bulk writes, which send no signals, change it in
    RegistryQuerySet; a change made outside the application (SQL, a restore) is announced with
    ``manage.py invalidate_public_cache``.

    A fresh random number rather than a counter: a counter goes back when a backup is restored
    or a database is loaded anew, and the keys of pages cached before would be met again, with
    their old contents, in a cache that outlives the database (Redis, or a server still running).

    A write holds the row until its transaction ends, so concurrent edits of the registry queue
    behind each other there: fine for a registry that a few staff edit.
    """

    number = models.PositiveBigIntegerField(default=new_registry_version)
    # When the registry last changed: the Last-Modified of every public answer.
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="%(app_label)s_%(class)s_single_row")]

    def __str__(self):
        return f"registry version {self.number}"

    @classmethod
    def current(cls):
        return cls.state()[0]

    @classmethod
    def state(cls):
        """``(number, changed_at)``; ``changed_at`` is an aware datetime, or None before any change."""
        # Read on every public request, so with a plain cursor: building the equivalent ORM
        # query costs several times what running it does, as much as a cached page's answer.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT number, changed_at FROM {connection.ops.quote_name(cls._meta.db_table)} WHERE id = 1"
            )
            row = cursor.fetchone()
        if not row:
            return 0, None
        number, changed_at = row
        if isinstance(changed_at, str):  # SQLite without the column type's converter
            changed_at = datetime.datetime.fromisoformat(changed_at)
        if changed_at is not None and timezone.is_naive(changed_at):
            changed_at = changed_at.replace(tzinfo=datetime.UTC)  # stored in UTC
        return number, changed_at

    @classmethod
    def bump(cls):
        """Change the number, in the caller's transaction: the new number becomes visible to
        other connections together with the change it stands for."""
        batch = _batched_changes.get()
        if batch is not None:
            batch.append(True)  # changed once, when the batch ends
            return
        now = timezone.now()
        if cls.objects.filter(pk=1).update(number=new_registry_version(), changed_at=now):
            return
        # The row is created by a migration; a database emptied by a test flush lacks it.
        _, created = cls.objects.get_or_create(pk=1, defaults={"changed_at": now})
        if not created:
            cls.objects.filter(pk=1).update(number=new_registry_version(), changed_at=now)


# Sent after a bulk write (update, bulk_create, bulk_update) with the ids of the records written,
# which the search index (partnerships/search/index.py) rewrites: such writes send no other signal.
bulk_written = Signal()


_batched_changes = contextvars.ContextVar("batched_registry_changes", default=None)


@contextmanager
def one_registry_change(announce=True):
    """Many writes (a bulk import's) that change the registry version once, at the end, instead
    of once per record and link: one UPDATE of the version row instead of tens of thousands.

    Use it inside the writes' transaction, so that the new version commits with them; with
    ``announce=False`` (writes that will be rolled back) the version is left as it is.
    """
    if _batched_changes.get() is not None:
        yield  # already inside a batch
        return
    batch = []
    token = _batched_changes.set(batch)
    try:
        yield
    finally:
        _batched_changes.reset(token)
    if batch and announce:
        RegistryVersion.bump()


class RegistryQuerySet(models.QuerySet):
    """Bulk writes send no signals, so they move the registry version themselves and announce
    the records they wrote (``bulk_written``)."""

    def update(self, **kwargs):
        # The rows are read first: the update may change what selects them.
        pks = list(self.values_list("pk", flat=True)) if bulk_written.has_listeners(self.model) else []
        rows = super().update(**kwargs)
        if rows:
            RegistryVersion.bump()
            bulk_written.send(sender=self.model, pks=pks, using=self.db)
        return rows

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        if created:
            RegistryVersion.bump()
            bulk_written.send(sender=self.model, pks=[obj.pk for obj in created if obj.pk is not None], using=self.db)
        return created

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            RegistryVersion.bump()
            bulk_written.send(sender=self.model, pks=[obj.pk for obj in objs], using=self.db)
        return rows


class SlugManager(models.Manager.from_queryset(RegistryQuerySet)):
    """Finds records by slug, the natural key that fixtures use instead of numeric ids."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class PublishableQuerySet(RegistryQuerySet):
    def published(self):
        """Records visitors may see; every public page starts from here."""
        return self.filter(is_published=True)


class PublishableManager(SlugManager.from_queryset(PublishableQuerySet)):
    pass


class SourceDocumentQuerySet(PublishableQuerySet):
    def public(self):
        """Sources visitors may see: published, and cited by a published record.

        The one place that says which sources are public (the footer, the source of a quoted
        passage, the downloads and the admin's publication check all ask it): a published
        source that only drafts cite stays out of sight until one of them is published.
        """

        return self.published().filter(Exists(Citation.objects.published().filter(source=OuterRef("pk"))))


class SourceDocumentManager(SlugManager.from_queryset(SourceDocumentQuerySet)):
    pass


class AgreementQuerySet(PublishableQuerySet):
    def published(self):
        """An agreement is public only while the organisation it is made with is public too."""
        return self.filter(is_published=True, organisation__is_published=True)


def public_records(model):
    """The records of ``model`` the public may see: ``published()`` where the model has a publication state."""
    manager = model.objects
    return manager.published() if hasattr(manager, "published") else manager.all()


class RegistryHistoryDescriptor(HistoryDescriptor):
    """``Model.history``, whose manager class is made once: simple-history's own descriptor makes a
    new class (inspecting every queryset method) on each access, which each saved record's
    history entry does, a cost a bulk import of thousands of records pays thousands of times."""

    @cached_property
    def manager(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


class RegistryHistory(HistoricalRecords):
    """django-simple-history's history, reachable from its model as ``model.registry_history``.

    The admin writes one history entry per save, the record and its many-to-many links
    together: it saves them with history switched off, then calls ``record_save()``.
    """

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        cls.registry_history = self

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                RegistryHistoryDescriptor(
                    descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
                ),
            )

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        """A many-to-many change seen from the other side (``partner.dated_facts.clear()``)
        changes the records of this model named in ``pk_set``: each gets its history entry.
        (simple-history would write one for ``instance``, a record of another model.)"""
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if action == "pre_clear":
            field = self.cls._meta.get_field(attr)
            links = field.remote_field.through._base_manager.filter(**{field.m2m_reverse_field_name(): instance.pk})
            instance._cleared_history_pks = set(links.values_list(field.m2m_field_name(), flat=True))
            return None
        if action == "post_clear":
            pk_set = getattr(instance, "_cleared_history_pks", set())
        if action in ("post_add", "post_remove", "post_clear"):
            for record in self.cls._base_manager.filter(pk__in=pk_set or ()):
                super().m2m_changed(record, action, attr, pk_set, False, **kwargs)
        return None

    def record_save(self, instance, created):
        """One history entry for a save: the record's fields and its links as they are now."""
        self.create_historical_record(instance, "+" if created else "~")

    def record_saves(self, saves, noted=True):
        """The history entries of many saves at once, ``[(record, created)]``, as ``record_save()``
        writes them one by one: the same rows, inserted a thousand at a time, with their links'
        entries. A bulk import writes its records' entries so, rather than several queries each.

        Each entry is then announced as simple-history announces one (the change log listens);
        ``noted=False`` leaves that out, for entries the change log has nothing to say of.
        """
        saves = list(saves)
        if not saves:
            return
        history_model = getattr(self.cls, self.manager_name).model
        entries = []
        for instance, created in saves:
            history_type = "+" if created else "~"
            entry = history_model(
                history_date=getattr(instance, "_history_date", timezone.now()),
                history_type=history_type,
                history_user=self.get_history_user(instance),
                history_change_reason=self.get_change_reason_for_object(instance, history_type, None),
                **{field.attname: getattr(instance, field.attname) for field in self.fields_included(instance)},
            )
            entries.append((entry, instance))
        history_model._base_manager.bulk_create([entry for entry, _ in entries], batch_size=BATCH)
        for link_model, rows in self.link_entries(entries).items():
            link_model._base_manager.bulk_create(rows, batch_size=BATCH)
        if not noted:
            return
        for entry, instance in entries:
            post_create_historical_record.send(
                sender=history_model,
                instance=instance,
                history_instance=entry,
                history_date=entry.history_date,
                history_user=entry.history_user,
                history_change_reason=entry.history_change_reason,
                using=None,
            )

    def create_historical_record_m2ms(self, history_instance, instance):
        # The library's own version rebuilds the record from its history row for every
        # many-to-many field; reading the link ids directly costs one query per field.
        for link_model, rows in self.link_entries([(history_instance, instance)]).items():
            link_model._base_manager.bulk_create(rows)

    def link_entries(self, entries):
        """{link history model: rows} for the many-to-many links of each (history entry, record):
        the (link id, related id) pairs a bulk import hands over as ``known_links``, or else the
        links as they are, read in one query per field for all the records."""
        rows = defaultdict(list)
        if not entries:
            return rows
        for field in entries[0][0]._history_m2m_fields:
            link_model = self.m2m_models[field]
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            known = [getattr(instance, "known_links", {}) for _, instance in entries]
            unknown = [
                instance.pk for (_, instance), links in zip(entries, known, strict=True) if field.name not in links
            ]
            stored = defaultdict(list)
            for batch in in_batches(unknown):
                links = field.remote_field.through._base_manager.filter(**{f"{source}_id__in": batch})
                for owner, link_id, other in links.values_list(f"{source}_id", "pk", f"{target}_id"):
                    stored[owner].append((link_id, other))
            for (entry, instance), links_known in zip(entries, known, strict=True):
                links = links_known.get(field.name, stored[instance.pk])
                rows[link_model].extend(
                    link_model(history=entry, id=link_id, **{f"{source}_id": instance.pk, f"{target}_id": other})
                    for link_id, other in links
                )
        return rows


def registry_history(m2m_fields=(), publicly_dated=False):
    """Every save of a registry record, by whom, with its field values (django-simple-history).

    Each history record carries its own time, so ``updated_at`` is left out rather than shown
    as a change every time; so is the edit-conflict ``version``, which moves on with every save,
    and so are the public dates of a ``PubliclyDated`` model, which are derived from the history
    itself (simple-history refuses to leave out a field the model does not have).
    """
    excluded = ["updated_at", "version"]
    if publicly_dated:
        excluded += ["published_at", "public_changed_at"]
    return RegistryHistory(excluded_fields=excluded, m2m_fields=m2m_fields)


@receiver(pre_save)
def leave_fixture_loads_out_of_the_history(sender, instance, raw, **kwargs):
    """simple-history ignores the raw saves of ``loaddata`` but not the many-to-many updates that
    follow each of them; without this, loading the fixtures would write history rows by nobody."""
    if raw and isinstance(instance, Timestamped):
        instance.skip_history_when_saving = True


class Timestamped(models.Model):
    """Creation and last-change times.

    Not ``auto_now``: loading the fixtures again must leave the records exactly as they
    were, so ``save()`` stamps the change time and raw fixture loads keep theirs.
    """

    created_at = models.DateTimeField("created", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("last updated", default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    @property
    def last_changed_on(self):
        """The day of the last change in the site's time zone: what public pages show as "last updated"."""
        return timezone.localdate(self.updated_at)


class PubliclyDated(models.Model):
    """When the public first saw a record, and when what the public sees of it last changed.

    Kept by partnerships/changes.py from the edit history, together with the public change log
    (``PublicChange``): both move only when the record is published or what the public sees of
    the published record changes (a public field, a citation of a published source, a dated
    fact, a cooperation area or region published or withdrawn), never for a draft's edits or a
    staff-only field. Stored on the record so that the feeds can list the latest changed
    records from an index, and empty (``None``) while the record is not published. Cooperation
    areas, regions and source documents carry the same dates, moved by their own publication
    and their published edits. Records loaded from the fixtures take their own creation and
    change times (changes.date_loaded_record).
    """

    published_at = models.DateTimeField("first published", null=True, blank=True, editable=False)
    public_changed_at = models.DateTimeField("last public change", null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def last_public_change_on(self):
        """The day of the last public change in the site's time zone, as record pages show it."""
        return timezone.localdate(self.public_changed_at) if self.public_changed_at else None


def within_column_range(internal_type):
    """Validators for the values a column of this integer type holds on PostgreSQL.

    Django validates an integer field against the range of the database in use, and SQLite
    stores any 64-bit integer: without these, a value accepted on SQLite (an area's display
    order of 99,999) would stop the data from moving to PostgreSQL. With them, a field is
    validated the same on both.
    """
    low, high = BaseDatabaseOperations.integer_field_ranges[internal_type]
    return [MinValueValidator(low), MaxValueValidator(high)]


class EditConflict(Exception):
    """A save based on a copy of a record that someone else has changed or deleted since."""

    def __init__(self, record):
        self.record = record
        super().__init__(
            f"{record._meta.verbose_name.capitalize()} {record.pk} was changed or deleted by someone else "
            f"after version {record.version} was read; this save would overwrite their changes."
        )


class Versioned(models.Model):
    """Optimistic locking: a save goes through only if nobody has saved the record since it was read.

    Every save moves ``version`` on by one, and is refused with ``EditConflict`` when the
    record in the database is no longer at the version this copy holds. The staff admin's form
    carries the version an editor started from, so the second of two overlapping edits is
    refused instead of silently overwriting the first. Raw fixture loads skip ``save()`` and
    keep version 1.
    """

    # Editable so that a form can carry it (hidden) and set the version the editor started
    # from on the record it saves. db_default keeps the column's default in the database too,
    # so that during a rolling release servers still on the previous code can insert rows.
    version = models.PositiveIntegerField(
        default=1, db_default=1, validators=within_column_range("PositiveIntegerField")
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            # One conditional UPDATE both checks and claims the next version. It holds the
            # row's lock until the transaction ends, so of two simultaneous saves from the same
            # version one waits, then finds the version moved on and updates nothing.
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=self.version)
                .update(version=F("version") + 1)
            )
            if not claimed:
                raise EditConflict(self)
            # The full save writes the version column too: it must carry the claimed one.
            self.version += 1
            try:
                super().save(*args, **kwargs)
            except BaseException:
                self.version -= 1  # rolled back with the transaction
                raise


class CooperationArea(SlugHistory, Timestamped, Versioned, PubliclyDated):
    """A field of cooperation from the controlled vocabulary (return, terrorism, ...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    display_order = models.PositiveSmallIntegerField(
        default=0, validators=within_column_range("PositiveSmallIntegerField")
    )
    is_published = models.BooleanField("published", default=False, db_default=False)

    objects = PublishableManager()
    history = registry_history(publicly_dated=True)

    class Meta:
        ordering = ["display_order", "name", "pk"]
        verbose_name = "cooperation area"
        permissions = [("publish_cooperationarea", "Can publish or unpublish cooperation areas")]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="%(app_label)s_%(class)s_slug_any_case",
                violation_error_message="A cooperation area with this slug (in any case) already exists.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:area-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class Region(Timestamped, Versioned, PubliclyDated):
    """The geographic scope of an activity: a region or a single country."""

    class Kind(models.TextChoices):
        REGION = "region", "Region"
        COUNTRY = "country", "Country"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.REGION)
    is_published = models.BooleanField("published", default=False, db_default=False)

    objects = PublishableManager()
    history = registry_history(publicly_dated=True)

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("publish_region", "Can publish or unpublish regions")]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="%(app_label)s_%(class)s_slug_any_case",
                violation_error_message="A region with this slug (in any case) already exists.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:activity-list") + f"?region={self.slug}"

    def natural_key(self):
        return (self.slug,)


class SourceDocument(SlugHistory, Timestamped, Versioned, PubliclyDated):
    """Where a statement in the registry comes from: what a reader needs to find the document."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True, help_text="Part of the source's public link.")
    publisher = models.CharField(max_length=200, blank=True, help_text="Who published it: “Frontex”, “eucrim”.")
    published_on = models.DateField("date", null=True, blank=True, help_text="When it was published, if stated.")
    url = models.URLField("URL", max_length=500, blank=True)
    accessed_on = models.DateField(
        "accessed on",
        null=True,
        blank=True,
        help_text="The day the page at the URL was read: web pages change, so readers know which version is cited.",
    )
    is_published = models.BooleanField("published", default=False, db_default=False)

    objects = SourceDocumentManager()
    history = registry_history(publicly_dated=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = "source document"
        permissions = [("publish_sourcedocument", "Can publish or unpublish source documents")]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="%(app_label)s_%(class)s_slug_any_case",
                violation_error_message="A source document with this slug (in any case) already exists.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("partnerships:source-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class Organisation(PublicationDependencies, SlugHistory, Timestamped, Versioned, PubliclyDated, CheckedInPython):
    """An international organisation the agency cooperates with."""

    class Kind(models.TextChoices):
        UN_SYSTEM = "un-system", "UN system"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
        LAW_ENFORCEMENT = "law-enforcement", "Law-enforcement organisation"
        INSTITUTION = "institution", "Institution of another organisation"

    class Relationship(models.TextChoices):
        STRUCTURED = "structured", "Long-standing structured cooperation"
        ACTIVE = "active", "Cooperation in specific fields"
        CLOSER_PARTNERSHIP_SOUGHT = "closer-partnership-sought", "Closer partnership sought"
        EXPLORING = "exploring", "Cooperation being explored"

    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, unique=True)
    slug = models.SlugField(max_length=50, unique=True, help_text="The lower-cased acronym; part of public links.")
    kind = models.CharField(max_length=30, choices=Kind)
    relationship = models.CharField(
        max_length=30, choices=Relationship, help_text="How mature the partnership with the agency is."
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_organisations",
        help_text="The organisation this one is a body of (ODIHR is an institution of the OSCE).",
    )
    headquarters_city = models.CharField(max_length=100, blank=True)
    headquarters_country = models.CharField(max_length=100, blank=True)
    website = models.URLField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    areas = models.ManyToManyField(CooperationArea, related_name="organisations", blank=True)
    is_published = models.BooleanField("published", default=False)

    objects = PublishableManager()
    history = registry_history(["areas"], publicly_dated=True)

    # Its public page names its parent and areas; its citations name their sources (dependencies.py).
    publication_dependencies = ("parent", "areas")

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("publish_organisation", "Can publish or unpublish organisations")]
        indexes = [
            # ORDER BY public_changed_at DESC, id DESC LIMIT 50: the feeds, latest change first.
            models.Index(fields=["public_changed_at", "id"], name="partnerships_organisation_pub"),
        ]
        constraints = [
            # "Iom" beside "IOM" would be two organisations to the database and one to a reader.
            models.UniqueConstraint(
                Lower("name"),
                name="%(app_label)s_%(class)s_name_any_case",
                violation_error_message="An organisation with this name (in any case) already exists.",
            ),
            models.UniqueConstraint(
                Lower("acronym"),
                name="%(app_label)s_%(class)s_acronym_any_case",
                violation_error_message="An organisation with this acronym (in any case) already exists.",
            ),
            models.UniqueConstraint(
                Lower("slug"),
                name="%(app_label)s_%(class)s_slug_any_case",
                violation_error_message="An organisation with this slug (in any case) already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message="An organisation cannot be its own parent.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym and self.acronym not in self.name else self.name

    def get_absolute_url(self):
        return reverse("partnerships:organisation-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["partnerships.cooperationarea"]

    @property
    def headquarters(self):
        return ", ".join(part for part in (self.headquarters_city, self.headquarters_country) if part)

    def clean(self):
        super().clean()
        if self.parent_id is None or self.pk is None:
            return  # a new organisation has no sub-organisations yet, so any parent will do
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "An organisation cannot be its own parent."})
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.parent_id == self.pk:
                raise ValidationError(
                    {"parent": f"{self.parent} is under this organisation, so it cannot be its parent."}
                )
            seen.add(ancestor.pk)  # stops the walk on a loop already in the data
            ancestor = ancestor.parent


class Agreement(PublicationDependencies, Timestamped, Versioned, PubliclyDated, CheckedInPython):
    """A formal instrument between the agency and an organisation."""

    class Kind(models.TextChoices):
        WORKING_ARRANGEMENT = "working-arrangement", "Working arrangement"
        MEMORANDUM_OF_UNDERSTANDING = "memorandum-of-understanding", "Memorandum of understanding"
        LETTER_OF_INTENT = "letter-of-intent", "Letter of intent"
        EXCHANGE_OF_LETTERS = "exchange-of-letters", "Exchange of letters"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        UNDER_NEGOTIATION = "under-negotiation", "Under negotiation"
        IN_FORCE = "in-force", "In force"
        EXPIRED = "expired", "Expired"
        TERMINATED = "terminated", "Terminated"
        SUPERSEDED = "superseded", "Superseded"

    title = models.CharField(max_length=300)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agreements")
    kind = models.CharField(max_length=40, choices=Kind)
    status = models.CharField(max_length=30, choices=Status)
    signed_on = models.DateField(null=True, blank=True)
    in_force_from = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    document_url = models.URLField("document link", max_length=500, blank=True)
    summary = models.TextField(blank=True)
    areas = models.ManyToManyField(CooperationArea, related_name="agreements", blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The earlier agreement this one replaces.",
    )
    is_published = models.BooleanField("published", default=False)

    objects = AgreementQuerySet.as_manager()
    history = registry_history(["areas"], publicly_dated=True)

    # Public only together with its organisation (AgreementQuerySet.published()).
    publication_dependencies = ("organisation", "areas")

    class Meta:
        ordering = ["title", "pk"]
        permissions = [("publish_agreement", "Can publish or unpublish agreements")]
        indexes = [
            # ORDER BY public_changed_at DESC, id DESC LIMIT 50: the feeds, latest change first.
            models.Index(fields=["public_changed_at", "id"], name="partnerships_agreement_pub"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(signed_on__isnull=True) | Q(expires_on__gte=F("signed_on")),
                name="%(app_label)s_%(class)s_expiry_not_before_signature",
                violation_error_message="The expiry date cannot be before the signature date.",
            ),
            models.CheckConstraint(
                condition=Q(in_force_from__isnull=True)
                | Q(signed_on__isnull=True)
                | Q(in_force_from__gte=F("signed_on")),
                name="%(app_label)s_%(class)s_in_force_not_before_signature",
                violation_error_message="An agreement cannot be in force before it is signed.",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("pk")),
                name="%(app_label)s_%(class)s_not_superseding_itself",
                violation_error_message="An agreement cannot supersede itself.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("partnerships:agreement-detail", args=[self.pk])

    @property
    def is_public(self):
        return self.is_published and self.organisation.is_published

    @property
    def expired_while_in_force(self):
        """Marked in force, yet its expiry date has passed."""
        return (
            self.status == self.Status.IN_FORCE
            and self.expires_on is not None
            and (self.expires_on < timezone.localdate())
        )

    def clean(self):
        super().clean()
        if self.expired_while_in_force:
            expired_on = dateformat.format(self.expires_on, "j F Y")
            raise ValidationError(
                {"status": f"It expired on {expired_on}: mark it expired, or correct the expiry date."}
            )


class CooperationActivity(
    PublicationDependencies, SlugHistory, Timestamped, Versioned, PubliclyDated, CheckedInPython
):
    """Something the agency does or plans with one or more organisations."""

    class Status(models.TextChoices):
        EXPLORING = "exploring", "Being explored"
        PLANNED = "planned", "Planned"
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed"
        DISCONTINUED = "discontinued", "Discontinued"

    class Priority(models.TextChoices):
        MAJOR = "major", "Major priority"
        NORMAL = "normal", "Normal"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField(blank=True)
    partners = models.ManyToManyField(
        Organisation, related_name="activities", blank=True, verbose_name="partner organisations"
    )
    areas = models.ManyToManyField(CooperationArea, related_name="activities", blank=True)
    regions = models.ManyToManyField(Region, related_name="activities", blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.PLANNED)
    priority = models.CharField(max_length=20, choices=Priority, default=Priority.NORMAL)
    starts_on = models.DateField("planned start", null=True, blank=True)
    ends_on = models.DateField("planned end", null=True, blank=True)
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        help_text="The agreement the activity runs under, if any.",
    )
    is_published = models.BooleanField("published", default=False)

    objects = PublishableManager()
    history = registry_history(["partners", "areas", "regions"], publicly_dated=True)

    # Its public page names its partners, agreement, areas and regions, and cites its sources.
    publication_dependencies = ("partners", "agreement", "areas", "regions")

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = "cooperation activity"
        verbose_name_plural = "cooperation activities"
        permissions = [("publish_cooperationactivity", "Can publish or unpublish cooperation activities")]
        # The link tables' indexes in the other direction (area, organisation or region first)
        # are made in migration 0008_indexes_for_public_queries, as Django makes those tables itself.
        indexes = [
            # ORDER BY title, id LIMIT 25: the first page of /cooperation/, of an area's and an
            # organisation's activities, and the admin changelist, read in order without a sort.
            models.Index(fields=["title", "id"], name="partnerships_activity_title"),
            # COUNT(*) WHERE is_published [AND status IN ...] AND id IN (activities linked to ...),
            # and GROUP BY status, priority: the counts of the filtered registers, of their filters'
            # options and of the overview check each linked activity's flags in this small index
            # instead of reading its whole row.
            models.Index(fields=["id", "is_published", "status", "priority"], name="partnerships_activity_facets"),
            # starts_on >= ... AND starts_on < ... (and IS NULL): the admin changelist's filter by
            # planned start (past 7 days, this month, this year, no date), read from this index.
            models.Index(fields=["starts_on"], name="partnerships_activity_starts"),
            # ORDER BY public_changed_at DESC, id DESC LIMIT 50: the feeds of the register, of an
            # organisation and of an area, latest change first, read in order without a sort.
            models.Index(fields=["public_changed_at", "id"], name="partnerships_activity_pub"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="%(app_label)s_%(class)s_slug_any_case",
                violation_error_message="A cooperation activity with this slug (in any case) already exists.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_end_not_before_start",
                violation_error_message="The planned end cannot be before the planned start.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("partnerships:activity-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = [
        "partnerships.organisation",
        "partnerships.cooperationarea",
        "partnerships.region",
    ]


class JSONText(models.TextField):
    """A list or dict kept as JSON text. Django's JSONField checks at start-up that the database
    supports JSON, which opens a connection before ``migrate`` has created the database."""

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return json.dumps(value)

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))


class PublicChange(models.Model):
    """One entry of the public change log (/changes/): a record was published, or public fields
    of a published record changed.

    Written from the edit history by partnerships/changes.py as each history record is saved,
    one entry per record per request. ``fields`` lists what changed, by field name, with the
    stored values (related records by id), so that the labels and names are those the public
    sees when the log is read, and a related record withdrawn since is left out. Exactly one of
    the record fields is set. When a record is unpublished, its entries are deleted: a record
    may be withdrawn because it should never have been public, so it leaves no trace.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        CHANGED = "changed", "Changed"

    changed_at = models.DateTimeField("changed")
    kind = models.CharField(max_length=20, choices=Kind)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="public_changes"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="public_changes"
    )
    activity = models.ForeignKey(
        CooperationActivity, on_delete=models.CASCADE, null=True, blank=True, related_name="public_changes"
    )
    fields = JSONText(default=list, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = "public change"
        indexes = [
            # ORDER BY changed_at DESC, id DESC LIMIT 26: each page of the change log and its feed.
            models.Index(fields=["changed_at", "id"], name="partnerships_change_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, agreement__isnull=True, activity__isnull=True)
                | Q(organisation__isnull=True, agreement__isnull=False, activity__isnull=True)
                | Q(organisation__isnull=True, agreement__isnull=True, activity__isnull=False),
                name="%(app_label)s_%(class)s_one_record",
                violation_error_message="A change is of exactly one record.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.record} ({self.changed_at:%Y-%m-%d %H:%M})"

    @property
    def record(self):
        return self.organisation or self.agreement or self.activity


# The citation and dated-fact models live in their own module; importing them here registers
# them with the app like the models above.
from .provenance import Citation, DatedFact  # noqa: E402, F401

# The search index's tables, one per kind of record (partnerships/search/entries.py).
from .search.entries import (  # noqa: E402, F401
    ActivityEntry,
    AgreementEntry,
    AreaEntry,
    OrganisationEntry,
    SourceEntry,
)
