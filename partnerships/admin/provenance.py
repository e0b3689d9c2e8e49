"""The admin of citations and dated facts (partnerships/provenance.py): the inlines that write
them on each record's form, and their own lists for review across records."""

from django.contrib import admin
from django.utils.text import Truncator

from ..models import Citation, DatedFact
from ..review import HasCitationFilter, HasPassageFilter
from .base import RECORD_KEEPING, RegistryAdmin
from .conflicts import VersionedAdminMixin, VersionedForm


class CitationForm(VersionedForm):
    """A citation on a record's form. A passage typed without its document is refused with a
    message that says what is missing, rather than the generic "This field is required"."""

    class Meta:
        error_messages = {"source": {"required": "Name the document the quoted passage comes from."}}


class CitationInline(VersionedAdminMixin, admin.StackedInline):
    """The citations of an organisation, agreement, activity or dated fact, edited on its form.
    Each save is kept in the citation's own history, with its author."""

    model = Citation
    form = CitationForm
    fields = ["source", "passage", "locator", "note", "position"]
    autocomplete_fields = ["source"]
    extra = 0
    classes = ["citations"]
    verbose_name_plural = "citations (where each statement comes from)"


class DatedFactInline(VersionedAdminMixin, admin.TabularInline):
    """The dated facts of an activity or an agreement. Their citations are edited on each fact's
    own page (the "change" link): the admin does not nest one inline in another."""

    model = DatedFact
    form = VersionedForm
    fields = ["date", "precision", "continuing", "statement", "slug"]
    prepopulated_fields = {"slug": ["statement"]}
    extra = 0
    show_change_link = True


class OrganisationDatedFactInline(admin.TabularInline):
    """The dated facts an organisation takes part in. A fact can concern several organisations,
    so it is chosen here and written (with its citations) on its own page."""

    model = DatedFact.organisations.through
    autocomplete_fields = ["datedfact"]
    extra = 0
    verbose_name = "dated fact"
    verbose_name_plural = "dated facts"


class OrganisationFactsMixin:
    """For the organisation's admin: its dated-fact rows saved through the facts themselves."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not DatedFact.organisations.through:
            return super().save_formset(request, form, formset, change)
        # Through the facts' own many-to-many field rather than as bare link rows, so that each
        # change enters the fact's history (with its author) like an edit on the fact's page.
        organisation = form.instance
        # What the admin's change message reads after a formset's save; the facts' history tells more.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.initial_forms + formset.extra_forms:
            if not row.has_changed() and row not in formset.deleted_forms:
                continue
            if earlier := row.initial.get("datedfact"):
                DatedFact.objects.get(pk=earlier).organisations.remove(organisation)
            chosen = row.cleaned_data.get("datedfact") if hasattr(row, "cleaned_data") else None
            if chosen is not None and row not in formset.deleted_forms:
                chosen.organisations.add(organisation)
        return None


@admin.register(DatedFact)
class DatedFactAdmin(RegistryAdmin):
    """Dated facts, each with its citations. A fact is public where a published record it belongs
    to is shown (partnerships/provenance.py)."""

    list_display = ["statement", "date", "precision", "activity", "agreement", "updated_at", "last_changed_by"]
    list_filter = ["precision", HasCitationFilter]
    list_select_related = ["activity", "agreement"]
    search_fields = ["statement", "slug", "organisations__acronym", "organisations__name"]
    autocomplete_fields = ["organisations", "activity", "agreement"]
    prepopulated_fields = {"slug": ["statement"]}
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["statement", "slug", "date", "precision", "continuing"]}),
        ("What it belongs to", {"fields": ["organisations", "activity", "agreement"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]


@admin.register(Citation)
class CitationAdmin(RegistryAdmin):
    """Every citation in one list, to review them across records (the review dashboard links
    here). Citations are written on their record's form; here each can be corrected too."""

    list_display = ["__str__", "record_link", "passage_start", "updated_at", "last_changed_by"]
    list_filter = [HasPassageFilter, "source"]
    list_select_related = ["source", "organisation", "agreement", "activity", "dated_fact"]
    search_fields = ["passage", "locator", "note", "source__title"]
    autocomplete_fields = ["source", "organisation", "agreement", "activity", "dated_fact"]
    form = CitationForm
    fieldsets = [
        (None, {"fields": ["source", "passage", "locator", "note", "position"]}),
        ("The record it supports (exactly one)", {"fields": ["organisation", "agreement", "activity", "dated_fact"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]

    @admin.display(description="supports")
    def record_link(self, citation):
        record = citation.record
        return f"{record._meta.verbose_name.capitalize()}: {record}" if record else "—"

    @admin.display(description="passage")
    def passage_start(self, citation):
        return Truncator(citation.passage).chars(80) or "(no passage quoted)"
