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

The cells are read in columns.py; what the rows write after their records is written for the
whole file at once (writes.py).
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from import_export import fields, instance_loaders, resources, widgets

from ..batches import in_batches
from ..exports import ACTIVITIES, AGREEMENTS, ORGANISATIONS
from ..models import (
    Agreement,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    one_registry_change,
)
from ..publication import PublicationRefused, PublicationWatch
from ..search import index as search_index
from .checks import UniqueInAnyCase, any_case_constraints
from .columns import SEPARATOR, BySlug, Date, FirstCitation, SlugList, Text, undo_formula_guard
from .writes import RowWrites


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
            self.resource.write_pending()  # what the earlier row left to write, before it is read
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
        # Inherited by each register's resource (django-import-export reads its bases' Meta).
        skip_unchanged = True
        skip_diff = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        # New records are inserted a thousand at a time, and rows run without a savepoint each:
        # a row that fails its checks writes nothing, and an import with any error saves nothing.
        use_bulk = True
        instance_loader_class = RecordLoader

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.writes = RowWrites(history=not dry_run)
        self.imported = []
        self.unique = UniqueInAnyCase(self._meta.model, {}, [])  # before_import reads the file's
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
        self.records_in_file = self.records_named(dataset)
        model = self._meta.model
        values = {name: self.column(dataset, name) for name in any_case_constraints(model)}
        self.unique = UniqueInAnyCase(model, values, self.records_in_file.values())
        self.watch = PublicationWatch(
            self._meta.model,
            {record.pk for record in self.records_in_file.values()},
            targets=self.targets_named(dataset),
        )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors():
            return  # the whole import is rolled back: what the rows left to write is not needed
        self.writes.write()
        user = kwargs.get("user")
        if user is None or result.has_errors() or result.has_validation_errors():
            return
        try:
            self.watch.check(user, [record.pk for record in self.imported])
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
        records = {}
        for batch in in_batches(set(values)):
            chunk = self._meta.model._base_manager.filter(**{f"{key}__in": batch})
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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """As ``full_clean()`` validates a record, without the queries it would send a row: the
        unique fields, unique in any case too, are checked for the whole file (checks.py; a
        field's own uniqueness adds nothing to its constraint's), and a related record named in
        the file was found in the database as the column was read."""
        errors = dict(import_validation_errors or {})
        found = set()
        for field in self.get_import_fields():
            if isinstance(field.widget, BySlug):
                relation = instance._meta.get_field(field.attribute)
                if relation.is_cached(instance) and relation.get_cached_value(instance) is not None:
                    found.add(field.attribute)  # set by its column, from the records read
        steps = [
            lambda exclude: instance.clean_fields(exclude=exclude | found),
            lambda exclude: instance.clean(),
            lambda exclude: instance.validate_constraints(exclude=exclude | self.unique.fields),
        ]
        for step in steps:
            try:
                step(set(errors))
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        for name, unique_errors in self.unique.errors(instance, exclude=errors).items():
            errors.setdefault(name, []).extend(unique_errors)
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

    def save_instance(self, instance, is_create, row, **kwargs):
        # A new record is inserted with the others, a thousand at a time (``use_bulk``); a record
        # already there is saved at once, as the admin saves it (its version checked, the slug it
        # leaves kept as an old link).
        if is_create:
            super().save_instance(instance, is_create, row, **kwargs)
        else:
            self.before_save_instance(instance, row, **kwargs)
            self.do_instance_save(instance, is_create)
            self.after_save_instance(instance, row, **kwargs)
        self.unique.hold(instance)

    def bulk_create(self, *args, **kwargs):
        created = list(self.create_instances)
        super().bulk_create(*args, **kwargs)
        self.unique.saved(created)

    def write_pending(self):
        """What the rows so far left to write: their new records, then the rest (writes.py)."""
        self.bulk_create(using_transactions=True, dry_run=False, raise_errors=True, batch_size=self._meta.batch_size)
        self.writes.write()

    def before_save_instance(self, instance, row, **kwargs):
        if self.publish:
            instance.is_published = True
        elif instance._state.adding:
            instance.is_published = False
        # One history entry per record, written once its links are saved too (save_m2m).
        instance.skip_history_when_saving = True
        instance._change_reason = "Imported"

    def save_m2m(self, instance, row, **kwargs):
        # A record the import creates has no links or citations yet: they are written with
        # those of the other rows (writes.py). A record already there is updated at once.
        for name, records in instance._links.items():
            if instance._imported_new:
                self.writes.link(instance, instance._meta.get_field(name), records)
            else:
                getattr(instance, name).set(records)
        user = kwargs.get("user")
        citation = self.citation.revised(instance)
        if citation is not None:
            if user is not None:
                citation._history_user = user
            citation._change_reason = "Imported"
            if instance._imported_new:
                self.writes.cite(citation)
            else:
                if not self.writes.history:
                    citation.skip_history_when_saving = True
                citation.save()
        self.imported.append(instance)
        if hasattr(instance, "skip_history_when_saving"):
            del instance.skip_history_when_saving
            if user is not None:
                instance._history_user = user
            self.writes.record_history(instance, created=instance._imported_new)


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
