"""Bulk import of the registers (django-import-export), in the columns of the public downloads.

A CSV or Excel file downloaded from /organisations/, /agreements/ or /cooperation/
(exports.py) can be edited and imported back: the same columns, related records named by
slug (agreements by id), lists of slugs separated by semicolons, and the ``url`` column
ignored. Every row is checked as the admin's form checks it (choices, dates in order,
acronyms and slugs unique in any case, a passage needs its source), with each error named
for its row and column before anything is saved; the import then saves all rows in one
transaction, or none.

Imported records arrive as drafts unless the importer may publish them and asks for it;
existing records keep their publication state unless publishing is asked for. Each saved
record gets one history entry, by the importing user, marked "Imported".
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, instance_loaders, resources, widgets

from .exports import ACTIVITIES, AGREEMENTS, FORMULA_PREFIXES, ORGANISATIONS
from .models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
    one_registry_change,
)
from .publication import PublicationRefused, PublicationWatch
from .search import index as search_index

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
        if getattr(record, "_cited", None) is None:
            return False
        citation = self.current(record)
        source, passage = record._cited
        return citation is None or (citation.source_id, citation.passage) != (source.pk, passage)

    def save(self, record, user, history=True):
        if not self.changes(record):
            return
        source, passage = record._cited
        citation = self.current(record)
        if citation is None:
            owner = record._meta.get_field("citations").field.name
            citation = Citation(**{owner: record}, position=0)
        elif citation.source_id != source.pk:
            citation.locator, citation.note = "", ""
        citation.source, citation.passage = source, passage
        if user is not None:
            citation._history_user = user
        citation._change_reason = "Imported"
        if not history:
            citation.skip_history_when_saving = True
        citation.save()


class RecordLoader(instance_loaders.ModelInstanceLoader):
    """The records that the file's rows update, as the resource read them for the whole file
    before the first row (``records_named``), instead of one query a row. A key that comes back
    in a later row is looked up again, so that the row updates what the earlier one saved."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        [key] = resource.get_import_id_fields()
        self.field = resource.fields[key]
        self.records = getattr(resource, "records_in_file", {})  # none if the file was refused whole
        self.seen = set()

    def get_instance(self, row):
        key = self.field.clean(row)
        if key in (None, ""):
            return None  # a row without a key adds a record
        if key in self.seen:
            return super().get_instance(row)
        self.seen.add(key)
        return self.records.get(key)


class RegistryResource(resources.ModelResource):
    """What the three registers' imports share: drafts unless publishing is asked for, one
    history entry per record by the importing user, every row checked before saving."""

    def __init__(self, publish=False, **kwargs):
        super().__init__(**kwargs)
        self.publish = publish
        self.citation = FirstCitation()

    class Meta:
        abstract = True

    def import_data(self, dataset, dry_run=False, **kwargs):
        # The registry version changes once, in the import's transaction: it commits together
        # with the records, so no page of the new records is ever cached under the old version.
        # The search index too is written once, for all the records the rows reach, and not
        # at all for a preview, which is rolled back.
        with (
            transaction.atomic(),
            one_registry_change(announce=not dry_run),
            search_index.batched(discard=dry_run),
        ):
            return super().import_data(dataset, dry_run=dry_run, **kwargs)

    # Whatever the import makes public needs the permission to publish it, as for any change in
    # the admin (publication.py): the records the file names are noted before the rows are
    # imported and checked after them, in the import's transaction, for the whole file at once.

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.imported_keys = []
        self.records_in_file = self.records_named(dataset)
        self.watch = PublicationWatch(
            self._meta.model,
            {record.pk for record in self.records_in_file.values()},
            targets=self.targets_named(dataset),
        )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        user = kwargs.get("user")
        if user is None or result.has_errors() or result.has_validation_errors():
            return
        try:
            self.watch.check(user, self.imported_keys)
        except PublicationRefused as refusal:
            # An error of the whole import: nothing is saved (django-import-export rolls back).
            result.append_base_error(self.get_error_result_class()(refusal))

    @staticmethod
    def column(dataset, name):
        if name not in (dataset.headers or []):
            return []
        return [str(undo_formula_guard(value)).strip() for value in dataset[name] if value not in (None, "")]

    def records_named(self, dataset):
        """{key: record} of the records already there that the file's rows update, read a
        thousand keys a query: the publication check notes them, and the rows find them here."""
        [key] = self._meta.import_id_fields
        values = self.column(dataset, key)
        if key == "id":
            values = [int(float(value)) for value in values if value.replace(".", "", 1).isdigit()]
        values = list(dict.fromkeys(values))
        records = {}
        for start in range(0, len(values), 1000):
            chunk = self._meta.model._base_manager.filter(**{f"{key}__in": values[start : start + 1000]})
            records.update({getattr(record, key): record for record in chunk})
        return records

    def targets_named(self, dataset):
        """{model: ids} of the related records the file's columns name (by slug, or id)."""
        widgets_by_column = {
            field.column_name: field.widget
            for field in self.get_import_fields()
            if isinstance(field.widget, BySlug | SlugList)
        }
        widgets_by_column["source"] = self.citation.source_widget
        found = defaultdict(set)
        for name, widget in widgets_by_column.items():
            values = self.column(dataset, name)
            if isinstance(widget, SlugList):
                values = [slug.strip() for value in values for slug in value.split(SEPARATOR)]
            key = widget.field
            if key != "slug":
                values = [int(float(value)) for value in values if value.replace(".", "", 1).isdigit()]
            found[widget.model] |= set(
                widget.model._base_manager.filter(**{f"{key}__in": values}).values_list("pk", flat=True)
            )
        return found

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._imported_new = new
        # What the record holds before the row is applied: an unchanged row is not saved.
        instance._values_before = None if new else self.values_of(instance)

    @staticmethod
    def values_of(instance):
        return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance._values_before is None:
            return False
        if self.publish and not instance.is_published:
            return False  # published by this import, even where no column changed
        if self.values_of(instance) != instance._values_before:
            return False
        for name, records in instance._links.items():
            if {record.pk for record in records} != set(getattr(instance, name).values_list("pk", flat=True)):
                return False
        return not self.citation.changes(instance)

    def after_import_row(self, row, row_result, **kwargs):
        # The preview shows each row as the file has it (a diff of every row would cost more
        # than the import itself).
        row_result.diff = [row.get(column, "") for column in self.get_diff_headers()]

    def before_import_row(self, row, **kwargs):
        for column in list(row.keys()):
            row[column] = undo_formula_guard(row[column])

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Many-to-many columns are saved after the record, but checked with the rest.
        instance._links = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    instance._links[field.attribute] = field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        self.citation.apply(instance, row, errors)
        if self.publish and not errors:
            self.check_publishable(instance, errors)
        if errors:
            raise ValidationError(errors)

    def check_publishable(self, instance, errors):
        """A record published by the import must not show drafts (``drafts_it_depends_on``)."""
        links = {
            name: records for name, records in instance._links.items() if name in instance.publication_dependencies
        }
        drafts = instance.drafts_it_depends_on(**links)
        cited = getattr(instance, "_cited", None)
        if cited is not None and not cited[0].is_published and cited[0] not in drafts:
            drafts.append(cited[0])  # a citation of a draft source is shown nowhere
        if drafts:
            named = ", ".join(f"{draft} ({draft._meta.verbose_name})" for draft in drafts)
            errors["is_published"] = ValidationError(
                f"Cannot be published: its public page would leave out what is still a draft: {named}. "
                "Publish them first, or import without publishing.",
                code="drafts",
            )

    def before_save_instance(self, instance, row, **kwargs):
        if self.publish:
            instance.is_published = True
        elif instance._state.adding:
            instance.is_published = False
        # One history entry per record, written once its links are saved too (save_m2m).
        instance.skip_history_when_saving = True
        instance._change_reason = "Imported"

    def save_m2m(self, instance, row, **kwargs):
        # A new record has no links yet: they are written in one INSERT per field, and handed
        # to the history entry (``known_links``) instead of being read back.
        instance.known_links = {}
        for name, records in instance._links.items():
            if not instance._imported_new:
                getattr(instance, name).set(records)
                continue
            field = instance._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            links = (
                through._base_manager.bulk_create(
                    [through(**{f"{source}_id": instance.pk, f"{target}_id": other.pk}) for other in records]
                )
                if records
                else []
            )
            instance.known_links[name] = [(link.pk, getattr(link, f"{target}_id")) for link in links]
        # A preview is rolled back: it writes no history (nor the change log that follows it).
        history = not kwargs.get("dry_run", False)
        self.citation.save(instance, kwargs.get("user"), history=history)
        self.imported_keys.append(instance.pk)
        if hasattr(instance, "skip_history_when_saving") and history:
            del instance.skip_history_when_saving
            user = kwargs.get("user")
            if user is not None:
                instance._history_user = user
            created = getattr(instance, "_imported_new", False)
            type(instance).registry_history.record_save(instance, created=created)


def text(column):
    return fields.Field(attribute=column, column_name=column, widget=Text())


def date(column):
    return fields.Field(attribute=column, column_name=column, widget=Date())


def slugs(column, model):
    return fields.Field(attribute=column, column_name=column, widget=SlugList(model))


def record(column, model, key="slug"):
    return fields.Field(attribute=column, column_name=column, widget=BySlug(model, field=key))


class OrganisationResource(RegistryResource):
    slug = text("slug")
    acronym = text("acronym")
    name = text("name")
    kind = text("kind")
    relationship = text("relationship")
    parent = record("parent", Organisation)
    areas = slugs("areas", CooperationArea)
    headquarters_city = text("headquarters_city")
    headquarters_country = text("headquarters_country")
    website = text("website")
    summary = text("summary")

    class Meta:
        model = Organisation
        name = "Organisations, in the columns of the organisations download"
        fields = [
            column for column in ORGANISATIONS.columns_for("csv") if column not in ("url", *FirstCitation.columns)
        ]
        import_id_fields = ["slug"]
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = RecordLoader


class AgreementResource(RegistryResource):
    id = fields.Field(attribute="id", column_name="id", widget=widgets.IntegerWidget())
    title = text("title")
    organisation = record("organisation", Organisation)
    kind = text("kind")
    status = text("status")
    signed_on = date("signed_on")
    in_force_from = date("in_force_from")
    expires_on = date("expires_on")
    areas = slugs("areas", CooperationArea)
    supersedes = record("supersedes", Agreement, key="pk")
    document_url = text("document_url")
    summary = text("summary")

    class Meta:
        model = Agreement
        name = "Agreements, in the columns of the agreements download (a blank id adds an agreement)"
        fields = [column for column in AGREEMENTS.columns_for("csv") if column != "url"]
        import_id_fields = ["id"]
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = RecordLoader


class CooperationActivityResource(RegistryResource):
    slug = text("slug")
    title = text("title")
    status = text("status")
    priority = text("priority")
    partners = slugs("partners", Organisation)
    areas = slugs("areas", CooperationArea)
    regions = slugs("regions", Region)
    starts_on = date("starts_on")
    ends_on = date("ends_on")
    agreement = record("agreement", Agreement, key="pk")
    summary = text("summary")

    class Meta:
        model = CooperationActivity
        name = "Cooperation activities, in the columns of the cooperation download"
        fields = [column for column in ACTIVITIES.columns_for("csv") if column not in ("url", *FirstCitation.columns)]
        import_id_fields = ["slug"]
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = RecordLoader
