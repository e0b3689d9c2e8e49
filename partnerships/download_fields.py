"""What each column of each download means, and the values it takes.

Read from the download definitions (exports.py) and the models' fields (verbose names, help
texts, choices), so that /data/'s field tables say exactly what the files hold.
"""

from dataclasses import dataclass

from django.db import models

from .exports import Citations, Computed, DatedFacts, FirstCitation, RecordURL, Related


@dataclass(frozen=True)
class ColumnDescription:
    name: str
    meaning: str
    values: str
    is_list: bool = False
    formats: frozenset = frozenset({"csv", "json"})

    @property
    def only_in(self):
        """ "CSV" or "JSON" for a column that one of the formats leaves out, else ""."""
        return "" if len(self.formats) > 1 else next(iter(self.formats)).upper()


def describe(export):
    """Each column of ``export`` with its meaning and allowed values, from the models and the specs."""
    return [describe_column(export.model, name, spec) for name, spec in export.columns.items()]


def describe_column(model, name, spec):
    if isinstance(spec, FirstCitation):
        what = "slug of the source document" if spec.value == "source__slug" else "passage quoted from the source"
        return ColumnDescription(
            name,
            f"The {what} of the record's first citation (the JSON gives every citation).",
            "text, or empty",
            formats=spec.formats,
        )
    if isinstance(spec, Citations):
        return ColumnDescription(
            name,
            "Where the record's statements come from: each citation's source (a slug), passage and locator.",
            "objects {source, passage, locator}",
            is_list=True,
            formats=spec.formats,
        )
    if isinstance(spec, DatedFacts):
        return ColumnDescription(
            name,
            "What happened when: each fact's slug, date as far as known, precision, statement and citations.",
            "objects {slug, date, precision, since, statement, citations}; date YYYY, YYYY-MM or YYYY-MM-DD",
            is_list=True,
            formats=spec.formats,
        )
    if isinstance(spec, Related):
        target = model._meta.get_field(spec.relation).related_model
        values = (
            f"slugs of {target._meta.verbose_name_plural}"
            if spec.attribute == "slug"
            else f"names of {target._meta.verbose_name_plural}"
        )
        return ColumnDescription(name, spec.meaning, values, is_list=True)
    if isinstance(spec, RecordURL):
        return ColumnDescription(name, spec.meaning, "an absolute web address")
    if isinstance(spec, Computed):
        return ColumnDescription(name, spec.meaning, spec.values or "text, or empty")
    return describe_field(model, name, spec)


def describe_field(model, name, path):
    """A column read straight from a field, or from a field of a related record (``source__slug``)."""
    *relations, last = path.split("__")
    owner = model
    for relation in relations:
        field = owner._meta.get_field(relation)
        owner = field.related_model
    field = owner._meta.pk if last == "pk" else owner._meta.get_field(last)
    if relations:
        related = model._meta.get_field(relations[0])
        meaning = f"The {field.verbose_name} of the {related.verbose_name} (see its own download)."
        return ColumnDescription(name, meaning, allowed_values(field) + ("" if not related.null else ", or empty"))
    meaning = str(field.help_text or "") or f"{field.verbose_name[:1].upper()}{field.verbose_name[1:]}."
    if field.primary_key:
        meaning = "The record's id, which its address uses."
    return ColumnDescription(name, meaning, allowed_values(field))


def allowed_values(field):
    if field.choices:
        return ", ".join(f"`{value}`" for value, _ in field.choices)
    empty = ", or empty" if field.null or field.blank else ""
    if isinstance(field, models.DateField):
        return f"a date, YYYY-MM-DD{empty}"
    if isinstance(field, models.URLField):
        return f"a web address{empty}"
    if isinstance(field, models.SlugField):
        return "lower-case letters, digits and hyphens"
    if isinstance(field, (models.IntegerField, models.AutoField)):
        return "a whole number"
    return f"text{empty}"
