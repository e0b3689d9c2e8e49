"""The staff admin: where editors keep the registry current."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import ngettext

from .models import (
    Agreement,
    CooperationActivity,
    CooperationArea,
    EditConflict,
    Organisation,
    Region,
    SourceDocument,
)

TIMESTAMPS = ("created_at", "updated_at")


def edit_conflict_message(record):
    name = record._meta.verbose_name
    saved_at = formats.date_format(timezone.localtime(record.updated_at), "DATETIME_FORMAT")
    return (
        f"Someone else changed this {name} (last saved {saved_at}) after you opened it. Your changes "
        f"have not been saved, so that theirs are not overwritten. What you typed is still below: open "
        f"the {name} again in a new tab to see the current version, then make your changes there."
    )


class VersionedForm(forms.ModelForm):
    """Carries the version of the record the editor started from through the edit, and refuses
    the save when someone else has saved the record since (see ``models.Versioned``)."""

    # Not required: a form opened before versions existed, or tampered with, is refused below
    # with the conflict message rather than an error on a field nobody can see.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned_data = super().clean()
        # The record was read from the database at the start of this request; the submitted
        # version is the one the editor saw when the page was opened. Model.save() checks the
        # same again atomically (models.Versioned), for a save landing in between.
        if self.instance.pk is None:
            # A new record starts at the model's first version, whatever the page sent (the
            # blank row template of an inline sends none).
            cleaned_data.pop("version", None)
        elif cleaned_data.get("version") != self.instance.version:
            raise ValidationError(edit_conflict_message(self.instance), code="edit_conflict")
        return cleaned_data


class VersionedAdminMixin:
    """Puts the record's version in the admin's form, for model admins and inlines alike.
    Their ``form`` must be a VersionedForm.

    In an inline every row is checked, changed by the editor or not: the formset takes a row
    as changed when its values differ from the database's, so a row someone else edited since
    the page was opened would otherwise be saved back with the values the page showed.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if "version" in flatten_fieldsets(fieldsets):
            return fieldsets
        # The admin renders only the fields its fieldsets name; the hidden field goes last.
        *others, (name, options) = fieldsets
        return [*others, (name, {**options, "fields": [*options["fields"], "version"]})]


class RegistryAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Defaults shared by every registry model's admin."""

    form = VersionedForm
    readonly_fields = TIMESTAMPS
    # Links typed without a scheme are taken as https, as every partner site serves it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Someone else's save landed between this form's version check and its save, and
            # everything this request wrote has been rolled back. Handled once more, the
            # request meets the new version in the form's check, which shows the conflict
            # with what the editor typed.
            return super().changeform_view(request, object_id, form_url, extra_context)


class PublishActionsMixin:
    """Publish and unpublish actions for models with an ``is_published`` flag."""

    actions = ["publish", "unpublish"]

    def _set_published(self, request, queryset, value):
        # A new version, so that a form opened before the change cannot save the old flag back.
        changed = queryset.exclude(is_published=value).update(
            is_published=value, updated_at=timezone.now(), version=F("version") + 1
        )
        verb = "published" if value else "withdrawn from the public site"
        self.message_user(
            request,
            ngettext("%(count)d record %(verb)s.", "%(count)d records %(verb)s.", changed)
            % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description="Publish the selected records")
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description="Unpublish the selected records")
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)


@admin.register(CooperationArea)
class CooperationAreaAdmin(RegistryAdmin):
    list_display = ["name", "slug", "display_order", "updated_at"]
    list_editable = ["display_order"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(RegistryAdmin):
    list_display = ["name", "slug", "kind", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SourceDocument)
class SourceDocumentAdmin(RegistryAdmin):
    list_display = ["title", "publisher", "published_on", "url"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "url"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"


class AgreementInline(VersionedAdminMixin, admin.TabularInline):
    model = Agreement
    form = VersionedForm
    fk_name = "organisation"
    fields = ["title", "kind", "status", "signed_on", "expires_on", "is_published"]
    extra = 0
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(PublishActionsMixin, RegistryAdmin):
    list_display = ["name", "acronym", "kind", "relationship", "parent", "is_published", "updated_at"]
    list_filter = ["is_published", "relationship", "kind", "areas"]
    list_select_related = ["parent"]
    search_fields = ["name", "acronym", "slug", "summary"]
    autocomplete_fields = ["parent", "areas", "source"]
    prepopulated_fields = {"slug": ["acronym"]}
    inlines = [AgreementInline]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "relationship", "parent", "areas", "summary"]}),
        ("Headquarters and website", {"fields": ["headquarters_city", "headquarters_country", "website"]}),
        ("Source", {"fields": ["source", "source_passage"]}),
        ("Publication", {"fields": ["is_published", *TIMESTAMPS]}),
    ]


@admin.register(Agreement)
class AgreementAdmin(PublishActionsMixin, RegistryAdmin):
    list_display = ["title", "organisation", "kind", "status", "signed_on", "expires_on", "is_published"]
    list_filter = ["is_published", "status", "kind", "organisation", "areas"]
    list_select_related = ["organisation"]
    search_fields = ["title", "summary", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation", "areas", "supersedes"]
    date_hierarchy = "signed_on"
    fieldsets = [
        (None, {"fields": ["title", "organisation", "kind", "status", "areas", "summary"]}),
        ("Dates", {"fields": ["signed_on", "in_force_from", "expires_on"]}),
        ("Document", {"fields": ["document_url", "supersedes"]}),
        ("Publication", {"fields": ["is_published", *TIMESTAMPS]}),
    ]


@admin.register(CooperationActivity)
class CooperationActivityAdmin(PublishActionsMixin, RegistryAdmin):
    list_display = ["title", "status", "priority", "starts_on", "is_published", "updated_at"]
    list_filter = ["is_published", "status", "priority", "areas", "regions", "partners"]
    search_fields = ["title", "slug", "summary", "partners__acronym", "partners__name"]
    autocomplete_fields = ["partners", "areas", "regions", "agreement", "source"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "priority"]}),
        ("Who, what and where", {"fields": ["partners", "areas", "regions", "agreement"]}),
        ("Dates", {"fields": ["starts_on", "ends_on"]}),
        ("Source", {"fields": ["source", "source_passage"]}),
        ("Publication", {"fields": ["is_published", *TIMESTAMPS]}),
    ]
