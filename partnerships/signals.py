"""Every change to the registry changes the registry version, which the page caches are keyed on.

Saves and deletions of the registry's records, and changes to their many-to-many links, are
seen here; bulk writes, which send no signals, are seen by RegistryQuerySet (models.py).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from .models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    Region,
    RegistryVersion,
    SourceDocument,
    new_registry_version,
)

REGISTRY_MODELS = [
    CooperationArea,
    Region,
    SourceDocument,
    Organisation,
    Agreement,
    CooperationActivity,
    DatedFact,
    Citation,
]
LINK_CHANGES = {"post_add", "post_remove", "post_clear"}


def note_unchanged_fixture_record(sender, instance, raw, **kwargs):
    """A fixture load (a raw save) that writes a record exactly as it is changes nothing a page
    shows: loading the same fixtures twice leaves the version, like the rest of the data, as it was."""
    if raw and instance.pk is not None:
        fields = [field.attname for field in sender._meta.concrete_fields]
        stored = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
        instance._unchanged_by_fixture = stored == {name: getattr(instance, name) for name in fields}


def record_changed(sender, instance, **kwargs):
    if not getattr(instance, "_unchanged_by_fixture", False):
        RegistryVersion.bump()


def links_changed(sender, action, **kwargs):
    if action in LINK_CHANGES:
        RegistryVersion.bump()


def never_back(sender, instance, raw, **kwargs):
    """Loading a dump must not take the version back to a number pages were cached under, nor
    the last change back to a time clients hold copies from."""
    if raw:
        instance.number = new_registry_version()
        instance.changed_at = timezone.now()


def connect():
    pre_save.connect(never_back, sender=RegistryVersion, dispatch_uid="registry-version-never-back")
    for model in REGISTRY_MODELS:
        # Fixture loads (raw saves) count too, where they change what the pages show.
        pre_save.connect(
            note_unchanged_fixture_record, sender=model, dispatch_uid=f"registry-version-fixture-{model.__name__}"
        )
        post_save.connect(record_changed, sender=model, dispatch_uid=f"registry-version-save-{model.__name__}")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"registry-version-delete-{model.__name__}")
        for field in model._meta.local_many_to_many:
            # Only m2m_changed: listening to the link rows' own deletions would make every
            # cascade load and announce each link row, where Django otherwise deletes them in one query.
            m2m_changed.connect(
                links_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"registry-version-links-{model.__name__}-{field.name}",
            )
