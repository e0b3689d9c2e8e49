"""The admin of each registry model: lists, filters and forms.

Each changelist shows few enough columns, and short enough values (organisations by acronym),
to fit a 1,280 px screen beside its filters (tests/browser/test_admin_changelists.py).
"""

from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import ngettext

from ..models import Agreement, CooperationActivity, CooperationArea, Organisation, Region, SourceDocument
from ..review import ExpiryFilter, HasAreasFilter, HasCitationFilter, PointsAtDraftsFilter
from .base import RECORD_KEEPING, RegistryAdmin
from .conflicts import VersionedAdminMixin, VersionedForm
from .importing import RegistryImportMixin
from .provenance import CitationInline, DatedFactInline, OrganisationDatedFactInline, OrganisationFactsMixin
from .publishing import (
    PUBLICATION_NEEDS,
    PublishableForm,
    PublishActionsMixin,
    can_publish,
    incomplete_activities,
)


class LastChangeColumn:
    @admin.display(description="last changed", ordering="updated_at")
    def last_change(self, obj):
        """When and by whom, in one column: "2 Dec 2026, 17:05 by erin"."""
        when = formats.date_format(timezone.localtime(obj.updated_at), "SHORT_DATETIME_FORMAT")
        who = getattr(obj, "last_changed_by_name", None)
        return f"{when} by {who}" if who else when


class VocabularyPublishing(PublishActionsMixin):
    """Areas, regions and sources show no other records: publishing one takes no drafts along."""

    actions = ["publish", "unpublish"]


@admin.register(CooperationArea)
class CooperationAreaAdmin(VocabularyPublishing, LastChangeColumn, RegistryAdmin):
    list_display = ["name", "slug", "display_order", "is_published", "last_change"]
    list_editable = ["display_order"]
    list_filter = ["is_published"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(VocabularyPublishing, LastChangeColumn, RegistryAdmin):
    list_display = ["name", "slug", "kind", "is_published", "last_change"]
    list_filter = ["is_published", "kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SourceDocument)
class SourceDocumentAdmin(VocabularyPublishing, LastChangeColumn, RegistryAdmin):
    """A published source is shown to the public once a published record cites it
    (``SourceDocument.objects.public()``)."""

    list_display = ["title", "publisher", "published_on", "is_published", "last_change"]
    list_filter = ["is_published", "publisher"]
    search_fields = ["title", "publisher", "url"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "publisher", "published_on"]}),
        ("Where to find it", {"fields": ["url", "accessed_on"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]


class AgreementInline(VersionedAdminMixin, admin.TabularInline):
    model = Agreement
    form = VersionedForm
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
class OrganisationAdmin(
    OrganisationFactsMixin, RegistryImportMixin, PublishActionsMixin, LastChangeColumn, RegistryAdmin
):
    form = PublishableForm
    list_display = ["name", "acronym", "relationship", "parent_acronym", "is_published", "last_change"]
    list_filter = [
        "is_published",
        PointsAtDraftsFilter,
        "relationship",
        "kind",
        HasAreasFilter,
        HasCitationFilter,
        "areas",
    ]
    list_select_related = ["parent"]
    search_fields = ["name", "acronym", "slug", "summary"]
    autocomplete_fields = ["parent", "areas"]
    prepopulated_fields = {"slug": ["acronym"]}
    inlines = [CitationInline, OrganisationDatedFactInline, AgreementInline]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "relationship", "parent", "areas", "summary"]}),
        ("Headquarters and website", {"fields": ["headquarters_city", "headquarters_country", "website"]}),
        ("Publication", {"fields": ["is_published"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]

    @admin.display(description="part of", ordering="parent__acronym")
    def parent_acronym(self, obj):
        return obj.parent.acronym if obj.parent else None


@admin.register(Agreement)
class AgreementAdmin(RegistryImportMixin, PublishActionsMixin, LastChangeColumn, RegistryAdmin):
    form = PublishableForm
    list_display = ["title", "organisation_acronym", "status", "expires_on", "is_published", "last_change"]
    list_filter = [
        "is_published",
        PointsAtDraftsFilter,
        ExpiryFilter,
        "status",
        "kind",
        HasCitationFilter,
        "organisation",
        "areas",
    ]
    list_select_related = ["organisation"]
    search_fields = ["title", "summary", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation", "areas", "supersedes"]
    date_hierarchy = "signed_on"
    inlines = [CitationInline, DatedFactInline]
    fieldsets = [
        (None, {"fields": ["title", "organisation", "kind", "status", "areas", "summary"]}),
        ("Dates", {"fields": ["signed_on", "in_force_from", "expires_on"]}),
        ("Document", {"fields": ["document_url", "supersedes"]}),
        ("Publication", {"fields": ["is_published"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]

    @admin.display(description="organisation", ordering="organisation__acronym")
    def organisation_acronym(self, obj):
        return obj.organisation.acronym


class CooperationActivityForm(PublishableForm):
    def clean(self):
        cleaned_data = super().clean()
        # Users who may not publish see the flag read-only: the record's own value counts then.
        if cleaned_data.get("is_published", self.instance.is_published):
            for field, message in PUBLICATION_NEEDS.items():
                if field in cleaned_data and not cleaned_data[field]:
                    self.add_error(field, message)
        return cleaned_data


@admin.register(CooperationActivity)
class CooperationActivityAdmin(RegistryImportMixin, PublishActionsMixin, LastChangeColumn, RegistryAdmin):
    form = CooperationActivityForm
    list_display = ["title", "partner_list", "status", "starts_on", "is_published", "last_change"]
    # No filter by partner: its list of every organisation (2,000 and more) took a third of the
    # changelist's time and was too long to use; the search finds activities by partner instead.
    # Planned start as a filter (this year, past 7 days, no date...) rather than a date_hierarchy:
    # the hierarchy's list of years reads every row, most of the changelist's time at 100,000.
    list_filter = [
        "is_published",
        PointsAtDraftsFilter,
        "status",
        "priority",
        HasCitationFilter,
        "starts_on",
        "areas",
        "regions",
    ]
    search_fields = ["title", "slug", "summary", "partners__acronym", "partners__name"]
    autocomplete_fields = ["partners", "areas", "regions", "agreement"]
    inlines = [CitationInline, DatedFactInline]
    prepopulated_fields = {"slug": ["title"]}
    # A filtered page says "n of N" only when asked: N is a count of the whole table.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "priority"]}),
        ("Who, what and where", {"fields": ["partners", "areas", "regions", "agreement"]}),
        ("Dates", {"fields": ["starts_on", "ends_on"]}),
        ("Publication", {"fields": ["is_published"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]

    def get_queryset(self, request):
        # The partners column: one query for the page's partners, not one per row.
        partners = Organisation.objects.only("acronym", "name").order_by("acronym")
        return super().get_queryset(request).prefetch_related(Prefetch("partners", queryset=partners))

    @admin.display(description="partners")
    def partner_list(self, obj):
        return ", ".join(partner.acronym or partner.name for partner in obj.partners.all())

    def _publish(self, request, queryset, with_drafts):
        incomplete = incomplete_activities(queryset)
        if skipped := incomplete.count():
            self.message_user(
                request,
                ngettext(
                    "%(count)d activity not published: it needs a partner organisation first.",
                    "%(count)d activities not published: each needs a partner organisation first.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        super()._publish(request, queryset.exclude(pk__in=incomplete.values("pk")), with_drafts)
