"""The edit history as editors read it: one entry per save, labels instead of stored values,
times with minutes in the site's time zone, and any past version compared with the current one.

The history itself is django-simple-history's (``models.registry_history``): one row per save
of a record, holding all its fields and its many-to-many links at that moment.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.text import capfirst
from simple_history.utils import get_m2m_reverse_field_name

from .display import field_label, local_time, readable

WHAT_HAPPENED = {"+": "Created", "~": "Changed", "-": "Deleted"}


def tracked_fields(model):
    """The record's fields that its history keeps, in the model's order, many-to-many last."""
    history_model = model.history.model
    kept = {field.name for field in history_model._meta.fields}
    fields = [field for field in model._meta.concrete_fields if field.name in kept and field.name != "id"]
    return fields + [
        field for field in model._meta.many_to_many if field in getattr(history_model, "_history_m2m_fields", [])
    ]


def historical_value(record, field):
    """A field's value in a history row: the stored value, or for a many-to-many field the related ids."""
    if field.many_to_many:
        reverse_name = get_m2m_reverse_field_name(field)
        return [getattr(row, f"{reverse_name}_id") for row in getattr(record, field.name).all()]
    return getattr(record, field.attname)


def current_value(record, field):
    if field.many_to_many:
        return list(getattr(record, field.name).values_list("pk", flat=True))
    return getattr(record, field.attname)


def same(field, old, new):
    if field.many_to_many:
        return set(old) == set(new)
    return old == new


def changes_between(model, older, newer):
    """[{"field", "old", "new"}] for each field that differs between two history rows."""
    return [
        {"field": field_label(field), "old": readable(field, old), "new": readable(field, new)}
        for field in tracked_fields(model)
        if not same(field, old := historical_value(older, field), new := historical_value(newer, field))
    ]


class ReadableHistoryMixin:
    """For a SimpleHistoryAdmin: the history list and a comparison of any version with the current one."""

    object_history_list_template = "admin/partnerships/history_list.html"
    history_list_per_page = 50

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        if not records:
            return
        oldest = records[-1]
        before_page = (
            self.model.history.filter(id=oldest.id, history_date__lt=oldest.history_date)
            .order_by("-history_date", "-history_id")
            .first()
        )
        for newer, older in zip(records, [*records[1:], before_page], strict=True):
            newer.what_happened = WHAT_HAPPENED.get(newer.history_type, newer.history_type)
            newer.local_time = local_time(newer.history_date)
            newer.readable_changes = (
                changes_between(self.model, older, newer) if older is not None and newer.history_type == "~" else []
            )

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/history/<int:version_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{opts.app_label}_{opts.model_name}_history_compare",
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request, object_id, version_id):
        """A past version beside the current record, field by field, the differences marked."""
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404("No such record.")
        if not self.has_view_history_or_change_history_permission(request, record):
            raise PermissionDenied
        version = self.model.history.filter(id=record.pk, history_id=version_id).first()
        if version is None:
            raise Http404("No such version of this record.")
        rows = []
        for field in tracked_fields(self.model):
            then, now = historical_value(version, field), current_value(record, field)
            rows.append(
                {
                    "field": field_label(field),
                    "then": readable(field, then),
                    "now": readable(field, now),
                    "differs": not same(field, then, now),
                }
            )
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare with the current version: {record}",
            "opts": opts,
            "object": record,
            "version": version,
            "version_time": local_time(version.history_date),
            "version_user": version.history_user,
            "rows": rows,
            "differences": sum(row["differs"] for row in rows),
            "module_name": capfirst(opts.verbose_name_plural),
        }
        return render(request, "admin/partnerships/history_compare.html", context)
