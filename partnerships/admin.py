"""The staff admin: where editors keep the registry current."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .admin_input import (
    RegistryChangeList,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    UnusableFilter,
    is_key,
)
from .models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    EditConflict,
    Organisation,
    Region,
    SourceDocument,
)
from .publication import PublicationRefused, PublicationWatch, can_publish
from .review import ExpiryFilter, HasAreasFilter, HasCitationFilter, HasPassageFilter

# Who created and who last changed a record, and when.
RECORD_KEEPING = ("created_at", "created_by", "updated_at", "last_changed_by")


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


class RegistryAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    """Defaults shared by every registry model's admin, including its edit history.

    The "History" button lists every change with its author and the fields' values before and
    after it.
    """

    form = VersionedForm
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

    def get_changelist(self, request, **kwargs):
        return RegistryChangeList

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            # Django answers with a redirect to a page that blames the database installation.
            raise UnusableFilter from error

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        if not is_key(self.model._meta.pk, unquote(object_id)):
            raise Http404(f"There is no {self.model._meta.verbose_name} {object_id}.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button: simple-history still saves a POST
        # to a past version as a revert. The history is for reading.
        if request.method == "POST":
            raise PermissionDenied
        history_key = self.model.history.model._meta.pk
        if not (is_key(self.model._meta.pk, unquote(object_id)) and is_key(history_key, version_id)):
            raise Http404(f"There is no such version of {self.model._meta.verbose_name} {object_id}.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Someone else's save landed between this form's version check and its save, and
            # everything this request wrote has been rolled back. Handled once more, the
            # request meets the new version in the form's check, which shows the conflict
            # with what the editor typed.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PublicationRefused as refusal:
            # The save would have made public what the editor may not publish, and has been
            # rolled back. Handled once more, the form shows why, with what the editor typed.
            request.publication_refused = str(refusal)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except PublicationRefused as refusal:  # an edit in the list, rolled back
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except UnusableFilter:
            context = {
                **self.admin_site.each_context(request),
                "title": "The list cannot be filtered this way",
                "opts": self.model._meta,
                "parameters": sorted(request.GET),
            }
            return TemplateResponse(request, "admin/unusable_filter.html", context, status=400)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "publication_refused", None)
        if refusal is None:
            return form

        class RefusedForm(form):
            def clean(self):
                cleaned_data = super().clean()
                self.add_error(None, refusal)
                return cleaned_data

        return RefusedForm

    # Whatever a save makes public needs the permission to publish it (partnerships/publication.py):
    # the records around the change are noted before it and checked after it, inlines included.

    def save_model(self, request, obj, form, change):
        request.publication_watch = PublicationWatch(self.model, [obj.pk] if obj.pk else [], form)
        super().save_model(request, obj, form, change)
        request.publication_watch.created = obj.pk

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        watch = getattr(request, "publication_watch", None)
        if watch is not None:
            del request.publication_watch
            watch.check(request.user, [watch.created])


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
        # One save per record, so that each change enters the edit history with its author, and
        # moves the record's version on: a form opened before cannot save the old flag back.
        records = list(queryset.exclude(is_published=value))
        try:
            with transaction.atomic(using=queryset.db):
                # Publishing one record can make others public too (an organisation's agreements,
                # the sources it cites): those need their own permission.
                watch = PublicationWatch(self.model, [record.pk for record in records])
                for record in records:
                    record.is_published = value
                    record._history_user = request.user
                    record._change_reason = "Published" if value else "Unpublished"
                    record.save(update_fields=["is_published"])
                watch.check(request.user)
        except PublicationRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
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
class CooperationAreaAdmin(PublishActionsMixin, RegistryAdmin):
    list_display = ["name", "slug", "display_order", "is_published", "updated_at", "last_changed_by"]
    list_editable = ["display_order"]
    list_filter = ["is_published"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Region)
class RegionAdmin(PublishActionsMixin, RegistryAdmin):
    list_display = ["name", "slug", "kind", "is_published", "updated_at", "last_changed_by"]
    list_filter = ["is_published", "kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SourceDocument)
class SourceDocumentAdmin(PublishActionsMixin, RegistryAdmin):
    """A published source is shown to the public once a published record cites it
    (``SourceDocument.objects.public()``)."""

    list_display = ["title", "publisher", "published_on", "url", "is_published", "updated_at", "last_changed_by"]
    list_filter = ["is_published", "publisher"]
    search_fields = ["title", "publisher", "url"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["title", "slug", "publisher", "published_on"]}),
        ("Where to find it", {"fields": ["url", "accessed_on"]}),
        ("Created and changed", {"fields": RECORD_KEEPING}),
    ]


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
    list_filter = ["is_published", "relationship", "kind", HasAreasFilter, HasCitationFilter, "areas"]
    list_select_related = ["parent"]
    search_fields = ["name", "acronym", "slug", "summary"]
    autocomplete_fields = ["parent", "areas"]
    prepopulated_fields = {"slug": ["acronym"]}
    inlines = [CitationInline, OrganisationDatedFactInline, AgreementInline]

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

    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "relationship", "parent", "areas", "summary"]}),
        ("Headquarters and website", {"fields": ["headquarters_city", "headquarters_country", "website"]}),
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
    list_filter = ["is_published", ExpiryFilter, "status", "kind", HasCitationFilter, "organisation", "areas"]
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


# Public pages find activities by partner, so a published one needs one. An area is not
# required: a source may state an activity without naming its field (the shipped "Reviewing and
# strengthening existing partnership frameworks" is one), and the registry records no area that
# its source does not state; the activity's page then says that the source names none.
PUBLICATION_NEEDS = {
    "partners": "A published activity needs at least one partner organisation.",
}


class CooperationActivityForm(VersionedForm):
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
    # No filter by partner: its list of every organisation (2,000 and more) took a third of the
    # changelist's time and was too long to use; the search finds activities by partner instead.
    # Planned start as a filter (this year, past 7 days, no date...) rather than a date_hierarchy:
    # the hierarchy's list of years reads every row, most of the changelist's time at 100,000.
    list_filter = ["is_published", "status", "priority", HasCitationFilter, "starts_on", "areas", "regions"]
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

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish(self, request, queryset):
        incomplete = queryset.filter(partners=None, is_published=False).values("pk")
        if skipped := CooperationActivity.objects.filter(pk__in=incomplete).count():
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
        super().publish(request, queryset.exclude(pk__in=incomplete))


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
