"""Backups of the registry that an operator can trust, and their restore.

A backup is one JSON file: the registry's records with their full edit history, the staff
accounts (users, groups and their permissions) and the admin's log of actions, read in one
transaction, so that it is consistent while the site runs and staff keep editing:

- PostgreSQL reads a snapshot (``REPEATABLE READ``) and blocks no one;
- SQLite, in write-ahead-logging mode, reads a snapshot too: the backup's transaction is a
  plain (deferred) one, which takes no write lock, so that editors' saves go on meanwhile.

Rows keep their ids (agreements' addresses are made of them), and references to them are
written as ids, never as natural keys: the edit history legitimately points at records that
have since been deleted, and looking those up by natural key would abort the backup. Only
content types and permissions, which each database numbers in its own way, are named by
natural key, so that a backup of one database restores into another (SQLite to PostgreSQL).

A restore replaces all of the above in one transaction (nothing changes if any of it fails),
logs everyone out, resets the id sequences, and changes the registry version so that no page
cached before is served again (models.RegistryVersion).
"""

import datetime
import json
import os
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from .models import RegistryVersion

FORMAT = "partnerships-registry-backup"
FORMAT_VERSION = 1
# The apps whose tables a backup holds rows of; their migrations must match on restore.
APPS = ("auth", "contenttypes", "admin", "partnerships")
# Rows every database makes for itself (migrate creates them), named in a backup by natural key.
NAMED_BY_NATURAL_KEY = (ContentType, Permission)


class BackupError(Exception):
    """A backup that cannot be restored here, with the reason."""


def backed_up_models():
    """The models whose rows a backup holds: staff accounts, every registry model and its
    history, and the admin's log. (The registry version is not data: a restore makes a new one.)"""
    registry = [model for model in apps.get_app_config("partnerships").get_models() if model is not RegistryVersion]
    return [Group, get_user_model(), *registry, LogEntry]


def tables_of(models):
    """The models and the link tables of their many-to-many fields."""
    found = []
    for model in models:
        found.append(model)
        found.extend(
            field.remote_field.through
            for field in model._meta.local_many_to_many
            if field.remote_field.through._meta.auto_created
        )
    return found


class BackupSerializer(JSONSerializer):
    """Django's JSON serializer, naming only content types and permissions by natural key."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model in NAMED_BY_NATURAL_KEY
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model in NAMED_BY_NATURAL_KEY
        super().handle_m2m_field(obj, field)


def applied_migrations(connection):
    recorder = MigrationRecorder(connection)
    applied = {}
    for app, name in recorder.applied_migrations():
        if app in APPS:
            applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


@contextmanager
def snapshot(connection):
    """One transaction that sees the database as it was when it began, without blocking writers."""
    if connection.vendor == "sqlite":
        # The settings make every transaction take the write lock (BEGIN IMMEDIATE); a backup
        # only reads, and in write-ahead-logging mode a plain BEGIN reads a snapshot.
        connection.ensure_connection()  # connecting would set the mode from the settings again
        mode, connection.transaction_mode = connection.transaction_mode, None
        try:
            with transaction.atomic(using=connection.alias):
                yield
        finally:
            connection.transaction_mode = mode
    else:
        outermost = not connection.in_atomic_block  # inside another transaction, that one's snapshot holds
        with transaction.atomic(using=connection.alias):
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield


def rows(models, using):
    """Every row of these models, in id order, their many-to-many links fetched a block at a time."""
    for model in models:
        links = [field.name for field in model._meta.many_to_many]
        queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
        yield from queryset.prefetch_related(*links).iterator(chunk_size=2000)


def write_backup(path, using=DEFAULT_DB_ALIAS):
    """Write a backup of the database to ``path``; return the number of rows of each model.

    It is written beside its final name and moved there once complete, so that ``path`` never
    holds half a backup.
    """
    connection = connections[using]
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    counts = Counter()

    def counted(objects):
        for obj in objects:
            counts[obj._meta.label] += 1
            yield obj

    try:
        with snapshot(connection), open(partial, "w", encoding="utf-8") as out:
            header = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "database": connection.vendor,
                "migrations": applied_migrations(connection),
            }
            out.write(json.dumps(header)[:-1] + ', "objects": ')
            BackupSerializer().serialize(counted(rows(backed_up_models(), using)), stream=out)
            out.write("}\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def read_backup(path):
    try:
        with open(path, encoding="utf-8") as backup:
            data = json.load(backup)
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} cannot be read as a backup: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup of the registry (made by `manage.py backup_registry`).")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is a backup of format {data.get('format_version')}; this release reads format 1.")
    return data


def missing_migrations(data, connection):
    """Migrations the backup's database had that this one lacks: its rows may not fit here."""
    here = applied_migrations(connection)
    return sorted(
        f"{app}.{name}" for app, names in data["migrations"].items() for name in names if name not in here.get(app, [])
    )


def holdings(using=DEFAULT_DB_ALIAS):
    """What the database holds that a restore would replace: {what: how many}, nothing when empty."""
    registry = [model for model in backed_up_models() if model._meta.app_label == "partnerships"]
    counts = {
        "registry records and history entries": sum(model._base_manager.using(using).count() for model in registry),
        "user accounts": get_user_model()._base_manager.using(using).count(),
    }
    return {what: count for what, count in counts.items() if count}


def restore_backup(data, using=DEFAULT_DB_ALIAS):
    """Replace the database's backed-up rows by the backup's, in one transaction; return the
    number of rows of each model restored."""
    connection = connections[using]
    if missing := missing_migrations(data, connection):
        raise BackupError(
            "The backup was made by a newer release of the registry: this database lacks its migrations "
            f"{', '.join(missing)}. Restore it with that release (or later), after `manage.py migrate`."
        )
    models = backed_up_models()
    counts = Counter()
    with transaction.atomic(using=using):
        # Foreign keys are checked when the transaction commits, so the order does not matter.
        for model in reversed(tables_of([*models, Session])):
            model._base_manager.using(using).all()._raw_delete(using)
        for restored in serializers.deserialize("python", data["objects"], using=using):
            restored.save(using=using)
            counts[restored.object._meta.label] += 1
        statements = connection.ops.sequence_reset_sql(no_style(), tables_of(models))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        RegistryVersion.bump()
    return counts


def summary(counts):
    labels = {model._meta.label: model for model in backed_up_models()}
    parts = []
    for label, count in counts.items():
        model = labels.get(label)
        name = model._meta.verbose_name_plural if model else label
        parts.append(f"{count} {name}")
    return ", ".join(parts) or "nothing"
