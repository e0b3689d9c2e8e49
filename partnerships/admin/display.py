"""Field values as the admin's readers see them: choice labels, "yes"/"no", dates in the site's
style, names of related records. Shared by the edit history and the edit-conflict view, so
that a value reads the same wherever it is shown."""

import datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst

EMPTY = "(empty)"


def field_label(field):
    return capfirst(field.verbose_name)


def readable(field, value):
    """``value`` of the model field ``field`` as text. Related records may be given as records
    or as ids; many-to-many values as an iterable of either."""
    if field.many_to_many:
        records = list(value or [])
        ids = [record for record in records if not isinstance(record, models.Model)]
        if ids:
            found = {record.pk: record for record in field.related_model._base_manager.filter(pk__in=ids)}
            records = [
                found.get(record, record) if not isinstance(record, models.Model) else record for record in records
            ]
        names = sorted(str(record) for record in records)
        return ", ".join(names) if names else EMPTY
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        if isinstance(value, models.Model):
            return str(value)
        record = field.related_model._base_manager.filter(pk=value).first()
        return str(record) if record is not None else f"deleted record {value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def local_time(moment):
    """A moment in the site's time zone, with minutes: "2 December 2026, 17:05"."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
