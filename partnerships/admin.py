"""The staff admin: where editors keep the registry current."""

from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.translation import ngettext

from .models import (
    Agreement,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
)

TIMESTAMPS = ("created_at", "updated_at")


class RegistryAdmin(admin.ModelAdmin):
    """Defaults shared by every registry model's admin."""

    readonly_fields = TIMESTAMPS
    # Links typed without a scheme are taken as https, as every partner site serves it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PublishActionsMixin:
    """Publish and unpublish actions for models with an ``is_published`` flag."""

    actions = ["publish", "unpublish"]

    def _set_published(self, request, queryset, value):
        changed = queryset.exclude(is_published=value).update(is_published=value, updated_at=timezone.now())
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


class AgreementInline(admin.TabularInline):
    model = Agreement
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
    # No filter by partner: its list of every organisation (2,000 and more) took a third of the
    # changelist's time and was too long to use; the search finds activities by partner instead.
    list_filter = ["is_published", "status", "priority", "areas", "regions"]
    search_fields = ["title", "slug", "summary", "partners__acronym", "partners__name"]
    autocomplete_fields = ["partners", "areas", "regions", "agreement", "source"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_on"
    # A filtered page says "n of N" only when asked: N is a count of the whole table.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "priority"]}),
        ("Who, what and where", {"fields": ["partners", "areas", "regions", "agreement"]}),
        ("Dates", {"fields": ["starts_on", "ends_on"]}),
        ("Source", {"fields": ["source", "source_passage"]}),
        ("Publication", {"fields": ["is_published", *TIMESTAMPS]}),
    ]
