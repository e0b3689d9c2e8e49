"""Simultaneous edits in the admin: merged where they change different fields, shown field by
field where they clash.

The form carries two hidden values through an edit: the version of the record the page was
opened at (``models.Versioned`` refuses a save from an outdated version) and the values the
page showed (``original``). When the record has been saved by someone else since, comparing
the three states tells, for each field, who changed it:

- only the other person: their value stays (the field is left out of this save);
- only this editor: this editor's value is saved;
- both, to different values: a clash. Nothing is saved; the form comes back holding the
  current record with this editor's other changes, and a table shows, for each clashing
  field, their value beside the one this editor typed.
"""

import datetime
import json

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.datastructures import MultiValueDict

from .display import local_time, readable

# Form fields that are not values of the record.
BOOKKEEPING_FIELDS = frozenset({"version", "original", "publish_drafts_too"})


def edit_conflict_message(record):
    name = record._meta.verbose_name
    saved_at = local_time(record.updated_at)
    return (
        f"Someone else changed this {name} (last saved {saved_at}) after you opened it, and some of "
        f"the same fields as you. Nothing has been saved, so that their changes are not overwritten. "
        f"The form now holds the current {name} with your changes to the other fields; where you both "
        f"changed a field, it holds their value, and yours is shown beside it below. Check the form, "
        f"copy in any of your values that should stand, and save again."
    )


def outdated_copy_message(record):
    name = record._meta.verbose_name
    return (
        f"Someone else changed this {name} (last saved {local_time(record.updated_at)}) after you "
        f"opened it. Your changes have not been saved, so that theirs are not overwritten. Open the "
        f"{name} again to see the current version, then make your changes there."
    )


def as_submitted(value):
    """A form value (as ``BoundField.value()`` gives it) as a browser would submit it: a list of strings."""
    if value is None:
        return [""]
    if isinstance(value, bool):
        return ["on"] if value else []
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, datetime.date):
        return [value.isoformat()]
    return [str(value)]


class VersionedForm(forms.ModelForm):
    """Carries the version of the record and the values the editor started from through the
    edit, and merges or refuses the save when someone else has saved the record since."""

    # Not required: a form opened before versions existed, or tampered with, is refused below
    # with the conflict message rather than an error on a field nobody can see.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    original = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # [{"field", "label", "theirs", "mine"}] for each clashing field, for the template.
        self.conflict = []
        # Fields the other person changed and this editor did not: left out of this save.
        self.kept_theirs = set()
        if self.instance.pk is not None:
            self.initial["original"] = json.dumps(self.current_values())

    def record_fields(self):
        for name, field in self.fields.items():
            if name in BOOKKEEPING_FIELDS or field.disabled:
                continue
            try:
                model_field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            yield name, field, model_field

    def current_values(self):
        """The record's values as this form shows them, as a browser would submit them."""
        values = {}
        for name, field, _ in self.record_fields():
            values[name] = as_submitted(field.prepare_value(self.get_initial_for_field(field, name)))
        return values

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name not in self.kept_theirs | BOOKKEEPING_FIELDS]

    def clean(self):
        cleaned_data = super().clean()
        # The record was read from the database at the start of this request; the submitted
        # version is the one the editor saw when the page was opened. Model.save() checks the
        # same again atomically (models.Versioned), for a save landing in between.
        if self.instance.pk is None:
            # A new record starts at the model's first version, whatever the page sent (the
            # blank row template of an inline sends none).
            cleaned_data.pop("version", None)
        elif cleaned_data.get("version") is None:
            raise ValidationError(outdated_copy_message(self.instance), code="edit_conflict")
        elif cleaned_data["version"] != self.instance.version:
            self.merge_with_current(cleaned_data)
        return cleaned_data

    def submitted_original(self):
        try:
            values = json.loads(self.data.get(self.add_prefix("original")) or "null")
        except ValueError:
            return None
        if not isinstance(values, dict):
            return None
        return MultiValueDict(
            {self.add_prefix(name): value for name, value in values.items() if isinstance(value, list)}
        )

    def merge_with_current(self, cleaned_data):
        original = self.submitted_original()
        if original is None:
            raise ValidationError(outdated_copy_message(self.instance), code="edit_conflict")
        theirs, clashes = [], []
        for name, field, model_field in self.record_fields():
            key = self.add_prefix(name)
            current = self.get_initial_for_field(field, name)
            started_from = field.widget.value_from_datadict(original, self.files, key)
            if not field.has_changed(current, started_from):
                continue  # they did not change it
            mine = field.widget.value_from_datadict(self.data, self.files, key)
            if not field.has_changed(current, mine):
                continue  # both arrived at the same value
            if self.changed_from(field, started_from, mine):
                clashes.append((name, field, model_field))
            else:
                theirs.append(name)
        self.kept_theirs = set(theirs)
        if clashes:
            self.conflict = [
                {
                    "field": name,
                    "label": field.label or model_field.verbose_name,
                    "theirs": readable(model_field, self.current_model_value(model_field)),
                    "mine": readable(model_field, cleaned_data.get(name)),
                }
                for name, field, model_field in clashes
            ]
            self.start_again_from_current([name for name, _, _ in clashes])
            raise ValidationError(edit_conflict_message(self.instance), code="edit_conflict")
        for name in theirs:
            cleaned_data.pop(name, None)
        cleaned_data["version"] = self.instance.version

    @staticmethod
    def changed_from(field, started_from, mine):
        """Whether the editor changed the value the page showed (``started_from``, as submitted)."""
        if isinstance(field, forms.ModelChoiceField | forms.BooleanField):
            return field.has_changed(started_from, mine)
        try:
            initial = field.to_python(started_from)
        except ValidationError:
            return True
        return field.has_changed(initial, mine)

    def current_model_value(self, model_field):
        if model_field.many_to_many:
            return getattr(self.instance, model_field.name).all()
        return getattr(self.instance, model_field.attname)

    def start_again_from_current(self, clashing):
        """Make the form hold the current record plus the editor's changes that do not clash,
        at the current version: saved again as it stands, it overwrites nobody's change."""
        data = self.data.copy()
        current = self.current_values()
        for name in [*clashing, *self.kept_theirs]:
            data.setlist(self.add_prefix(name), current[name])
        data[self.add_prefix("version")] = str(self.instance.version)
        data[self.add_prefix("original")] = json.dumps(current)
        self.data = data
        self.kept_theirs = set()


class VersionedAdminMixin:
    """Puts the record's version and starting values in the admin's form, for model admins and
    inlines alike. Their ``form`` must be a VersionedForm.

    In an inline every row is checked, changed by the editor or not: the formset takes a row
    as changed when its values differ from the database's, so a row someone else edited since
    the page was opened would otherwise be saved back with the values the page showed.
    Merged, such a row keeps the other person's values and is not saved at all.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        missing = [name for name in ("version", "original") if name not in flatten_fieldsets(fieldsets)]
        if not missing:
            return fieldsets
        # The admin renders only the fields its fieldsets name; the hidden fields go last.
        *others, (name, options) = fieldsets
        return [*others, (name, {**options, "fields": [*options["fields"], *missing]})]
