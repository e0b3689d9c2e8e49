"""Bulk import in the admin (django-import-export), with the resources of partnerships/imports/.

The "Import" button of the organisations', agreements' and activities' lists takes a CSV or
Excel file in the columns of the public downloads, shows every row as new, changed or
unchanged with each row's errors, and imports only once confirmed: all rows in one
transaction, or none. Importing takes the add and change permissions (viewers cannot);
asking for the records to be published takes the publish permission too.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

from ..imports import AgreementResource, CooperationActivityResource, OrganisationResource
from .publishing import can_publish

RESOURCES = {
    "organisation": OrganisationResource,
    "agreement": AgreementResource,
    "cooperationactivity": CooperationActivityResource,
}

PUBLISH_LABEL = "Publish the imported records"
PUBLISH_HELP = "Otherwise new records arrive as drafts, and records already there keep their state."


class RegistryImportForm(ImportForm):
    publish = forms.BooleanField(required=False, label=PUBLISH_LABEL, help_text=PUBLISH_HELP)


class RegistryConfirmImportForm(ConfirmImportForm):
    publish = forms.BooleanField(required=False, widget=forms.HiddenInput)


class RegistryImportMixin(ImportMixin):
    import_form_class = RegistryImportForm
    confirm_form_class = RegistryConfirmImportForm
    import_formats = [base_formats.CSV, base_formats.XLSX]
    # Each row's error as a sentence naming the column, never a traceback.
    import_error_display = ("message",)
    # Rows are reported as new, changed or unchanged; each saved record has its history entry.
    skip_admin_log = True

    @property
    def resource_classes(self):
        return [RESOURCES[self.model._meta.model_name]]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def create_import_form(self, request):
        form = super().create_import_form(request)
        if not can_publish(request.user, self.model):
            del form.fields["publish"]
        return form

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["publish"] = import_form.cleaned_data.get("publish", False)
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)
        form = kwargs.get("form")
        asked = bool(form is not None and getattr(form, "cleaned_data", {}).get("publish"))
        resource_kwargs["publish"] = asked and can_publish(request.user, self.model)
        return resource_kwargs

    def get_import_data_kwargs(self, **kwargs):
        data_kwargs = super().get_import_data_kwargs(**kwargs)
        # A row that fails its checks at confirmation (the data changed since the preview)
        # undoes the whole import.
        data_kwargs["rollback_on_validation_errors"] = True
        return data_kwargs

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        problems = [
            f"row {row.number}: "
            + " ".join(
                " ".join(errors) if field == "__all__" else f"{field}: {' '.join(errors)}"
                for field, errors in row.error_dict.items()
            )
            for row in result.invalid_rows
        ] + [f"row {error.number}: {error.error}" for row_number, errors in result.row_errors() for error in errors]
        problems += [str(error.error) for error in result.base_errors]
        self.message_user(
            request,
            "Nothing was imported: since the preview, the registry changed so that the file no longer "
            f"passes its checks ({'; '.join(problems)}). Check the file and import it again.",
            messages.ERROR,
        )
        return HttpResponseRedirect(request.path.replace("process_import/", "import/"))
