"""The columns of an import: how a cell becomes a value, and the citation columns.

A CSV or Excel file downloaded from the registers is imported back in the same columns:
related records named by slug (agreements by id), lists of slugs separated by semicolons,
dates as YYYY-MM-DD, cells a spreadsheet would run as formulas written with a leading
apostrophe. Each bad cell raises a ValueError whose message names what is wrong.
"""

from django.core.exceptions import ValidationError
from import_export import widgets

from ..exports import FORMULA_PREFIXES
from ..models import Citation, SourceDocument

SEPARATOR = ";"


def undo_formula_guard(value):
    """The downloads write a cell that a spreadsheet would run as a formula with a leading
    apostrophe; imported back, the apostrophe goes again."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


class BySlug(widgets.CachedForeignKeyWidget):
    """A related record named by its slug (or id), with an error that names an unknown one."""

    def __init__(self, model, field="slug"):
        super().__init__(model, field=field)
        self._by_key = None

    def get_instance_by_lookup_fields(self, value, row, **kwargs):
        # Every record of the model, read once per import and kept by key: the library's own
        # cache makes a new key class for every row it looks up.
        if self._by_key is None:
            self._by_key = {str(getattr(record, self.field)): record for record in self.get_queryset(value, row)}
        try:
            return self._by_key[str(value)]
        except KeyError:
            raise self.model.DoesNotExist from None

    def clean(self, value, row=None, **kwargs):
        value = undo_formula_guard(value)
        if value in (None, ""):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel stores an id as a number
        value = str(value).strip()
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"No {self.model._meta.verbose_name} has the {self.field} “{value}”.") from None


class SlugList(widgets.ManyToManyWidget):
    """Related records named by slug, separated by semicolons; every slug must exist."""

    def __init__(self, model):
        super().__init__(model, separator=SEPARATOR, field="slug")
        self._by_slug = None

    def clean(self, value, row=None, **kwargs):
        value = undo_formula_guard(value)
        if not value:
            return []
        slugs = [slug.strip() for slug in str(value).split(self.separator) if slug.strip()]
        if self._by_slug is None:  # read once per import: a few thousand records at most
            self._by_slug = {record.slug: record for record in self.model._base_manager.all()}
        unknown = [slug for slug in slugs if slug not in self._by_slug]
        if unknown:
            names = ", ".join(f"“{slug}”" for slug in unknown)
            raise ValueError(f"No {self.model._meta.verbose_name} has the slug {names}.")
        return [self._by_slug[slug] for slug in dict.fromkeys(slugs)]

    def render(self, value, obj=None, **kwargs):
        return SEPARATOR.join(record.slug for record in value.all()) if value is not None else ""


class Text(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = undo_formula_guard(value)
        return "" if value is None else str(value).strip()


class Date(widgets.DateWidget):
    """ISO dates as the downloads write them; Excel's own dates too."""

    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(f"“{value}” is not a date: write it as YYYY-MM-DD.") from None


class FirstCitation:
    """The CSV columns that say where a statement comes from (``source`` and ``source_passage``):
    the record's first citation of a published source, as the downloads write it.

    A row naming a source sets that citation: its passage is updated when the source is the
    same, or it cites the new source (its place in the old one no longer applies); a record
    without one gains a citation. Blank columns leave the record's citations as they are (a
    download leaves them blank where no citation is public). Read and written in this one
    place, so that the import follows the registry's citations (partnerships/provenance.py).
    """

    columns = ("source", "source_passage")

    def __init__(self):
        # One per import: the widget keeps the source documents it has read.
        self.source_widget = BySlug(SourceDocument)

    def read(self, row):
        """(source document or None, passage) of a row; ValueError naming a bad column."""
        source = self.source_widget.clean(row.get("source"))
        passage = Text().clean(row.get("source_passage"))
        return source, passage

    def apply(self, record, row, errors):
        record._cited = None
        if not any(column in row for column in self.columns):
            return
        try:
            source, passage = self.read(row)
        except ValueError as error:
            errors["source"] = ValidationError(str(error), code="invalid")
            return
        if passage and source is None:
            errors["source"] = ValidationError(
                "A quoted passage needs its source: name the source document's slug.", code="required"
            )
            return
        if source is not None:
            record._cited = (source, passage)

    @staticmethod
    def current(record):
        """The record's first citation of a published source, or None."""
        if record.pk is None or getattr(record, "_imported_new", False):
            return None  # a record the import creates has no citations yet
        return record.citations.filter(source__is_published=True).order_by("position", "pk").first()

    def changes(self, record):
        """Whether the row changes the record's citations."""
        return self.revised(record) is not None

    def revised(self, record):
        """The record's citation as the row has it, not yet saved (a new one, or the first one
        changed); None where the row leaves the record's citations as they are."""
        if getattr(record, "_cited", None) is None:
            return None
        source, passage = record._cited
        citation = self.current(record)
        if citation is not None and (citation.source_id, citation.passage) == (source.pk, passage):
            return None
        if citation is None:
            owner = record._meta.get_field("citations").field.name
            citation = Citation(**{owner: record}, position=0)
        elif citation.source_id != source.pk:
            citation.locator, citation.note = "", ""
        citation.source, citation.passage = source, passage
        return citation
