"""The staff admin: where editors keep the registry current."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
)
from .review import ExpiryFilter, HasAreasFilter, HasSourcePassageFilter

# Who created and who last changed a record, and when.
RECORD_KEEPING = ("created_at", "created_by", "updated_at", "last_changed_by")


class RegistryAdmin(SimpleHistoryAdmin):
    """Defaults shared by every registry model's admin, including its edit history.

    The "History" button lists every change with its author and the fields' values before and
    after it.
    """

    readonly_fields = RECORD_KEEPING
    # Links typed without a scheme are taken as https, as every partner site serves it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # The authors come from the edit history. Records loaded from the fixtures have none.
        history = self.model.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
        return (
            super()
            .get_queryset(request)
            .annotate(
                created_by_name=Subquery(history.filter(history_type="+").values("history_user__username")[:1]),
                last_changed_by_name=Subquery(history.values("history_user__username")[:1]),
            )
        )

    @admin.display(description="created by", ordering="created_by_name")
    def created_by(self, obj):
        return getattr(obj, "created_by_name", None)

    @admin.display(description="last changed by", ordering="last_changed_by_name")
    def last_changed_by(self, obj):
        return getattr(obj, "last_changed_by_name", None)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button: simple-history still saves a POST
        # to a past version as a revert. The history is for reading.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def can_publish(user, model):
    """Whether the user holds the model's custom "publish" permission (superusers hold them all)."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename('publish', opts)}")


class PublishActionsMixin:
    """Publish and unpublish actions for models with an ``is_published`` flag.

    Changing the flag, by the actions or on the form, takes the model's "publish" permission:
    "change" alone lets a user edit drafts but not put them before the public.
    """

    actions = ["publish", "unpublish"]

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly_fields = super().get_readonly_fields(request, obj)
        if not self.has_publish_permission(request):
            return [*readonly_fields, "is_published"]
        return readonly_fields

    def _set_published(self, request, queryset, value):
        # One save per record, so that each change enters the edit history with its author.
        records = list(queryset.exclude(is_published=value))
        for record in records:
            record.is_published = value
            record._history_user = request.user
            record._change_reason = "Published" if value else "Unpublished"
            record.save(update_fields=["is_published"])
        changed = len(records)
        verb = "published" if value else "withdrawn from the public site"
        self.message_user(
            request,
            ngettext("%(count)d record %(verb)s.", "%(count)d records %(verb)s.", changed)
            % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description="Unpublish the selected records", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)


@admin.register(CooperationArea)
class CooperationAreaAdmin(RegistryAdmin):
    list_display = ["name", "slug", "display_order", "updated_at", "last_changed_by"]
    list_editable = ["display_order"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(RegistryAdmin):
    list_display = ["name", "slug", "kind", "updated_at", "last_changed_by"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SourceDocument)
class SourceDocumentAdmin(RegistryAdmin):
    list_display = ["title", "publisher", "published_on", "url", "updated_at", "last_changed_by"]
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

    def get_readonly_fields(self, request, obj=None):
        # The organisation's form must not become a way round the agreements' publish permission.
        if not can_publish(request.user, Agreement):
            return [*super().get_readonly_fields(request, obj), "is_published"]
        return super().get_readonly_fields(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(PublishActionsMixin, RegistryAdmin):
    list_display = [
        "name",
        "acronym",
        "kind",
        "relationship",
        "parent",
        "is_published",
        "updated_at",
        "last_changed_by",
    ]
    list_filter = ["is_published", "relationship", "kind", HasAreasFilter, "areas"]
    list_select_related = ["parent"]
    search_fields = ["name", "acronym", "slug", "summary"]
    autocomplete_fields = ["parent", "areas", "source"]
    prepopulated_fields = {"slug": ["acronym"]}
    inlines = [AgreementInline]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "relationship", "parent", "areas", "summary"]}),
        ("Headquarters and website", {"fields": ["headquarters_city", "headquarters_country", "website"]}),
        ("Source", {"fields": ["source", "source_passage"]}),
        ("Publication", {"fields": ["is_published"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]


@admin.register(Agreement)
class AgreementAdmin(PublishActionsMixin, RegistryAdmin):
    list_display = [
        "title",
        "organisation",
        "kind",
        "status",
        "signed_on",
        "expires_on",
        "is_published",
        "updated_at",
        "last_changed_by",
    ]
    list_filter = ["is_published", ExpiryFilter, "status", "kind", "organisation", "areas"]
    list_select_related = ["organisation"]
    search_fields = ["title", "summary", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation", "areas", "supersedes"]
    date_hierarchy = "signed_on"
    fieldsets = [
        (None, {"fields": ["title", "organisation", "kind", "status", "areas", "summary"]}),
        ("Dates", {"fields": ["signed_on", "in_force_from", "expires_on"]}),
        ("Document", {"fields": ["document_url", "supersedes"]}),
        ("Publication", {"fields": ["is_published"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]


# Public pages find activities by partner and by area, so a published one needs both.
PUBLICATION_NEEDS = {
    "partners": "A published activity needs at least one partner organisation.",
    "areas": "A published activity needs at least one cooperation area.",
}


class CooperationActivityForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        # Users who may not publish see the flag read-only: the record's own value counts then.
        if cleaned_data.get("is_published", self.instance.is_published):
            for field, message in PUBLICATION_NEEDS.items():
                if field in cleaned_data and not cleaned_data[field]:
                    self.add_error(field, message)
        return cleaned_data


@admin.register(CooperationActivity)
class CooperationActivityAdmin(PublishActionsMixin, RegistryAdmin):
    form = CooperationActivityForm
    list_display = ["title", "status", "priority", "starts_on", "is_published", "updated_at", "last_changed_by"]
    list_filter = ["is_published", "status", "priority", HasSourcePassageFilter, "areas", "regions", "partners"]
    search_fields = ["title", "slug", "summary", "partners__acronym", "partners__name"]
    autocomplete_fields = ["partners", "areas", "regions", "agreement", "source"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "priority"]}),
        ("Who, what and where", {"fields": ["partners", "areas", "regions", "agreement"]}),
        ("Dates", {"fields": ["starts_on", "ends_on"]}),
        ("Source", {"fields": ["source", "source_passage"]}),
        ("Publication", {"fields": ["is_published"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish(self, request, queryset):
        incomplete = queryset.filter(Q(partners=None) | Q(areas=None), is_published=False).values("pk")
        if skipped := CooperationActivity.objects.filter(pk__in=incomplete).count():
            self.message_user(
                request,
                ngettext(
                    "%(count)d activity not published: it needs a partner organisation and an area first.",
                    "%(count)d activities not published: each needs a partner organisation and an area first.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        super().publish(request, queryset.exclude(pk__in=incomplete))
