"""What every registry model's admin shares: who created and changed a record, one readable
history entry per save, edit conflicts handled, old links kept when a slug changes, whatever a
save makes public checked against the publish permission (partnerships/publication.py), and
malformed staff input answered (partnerships/admin_input.py)."""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from ..admin_input import (
    RegistryChangeList,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    UnusableFilter,
    is_key,
)
from ..dependencies import is_public
from ..models import EditConflict, one_registry_change
from ..publication import PublicationRefused, PublicationWatch, targets_in_formsets
from ..renames import SlugHistory
from ..search import index as search_index
from .conflicts import VersionedAdminMixin, VersionedForm
from .history import ReadableHistoryMixin

# Who created and who last changed a record, and when.
RECORD_KEEPING = ("created_at", "created_by", "updated_at", "last_changed_by")

SLUG_HELP = (
    "Part of the record's public link. If you change it later, the old link keeps working: "
    "it redirects to the new one."
)


class RegistryAdmin(VersionedAdminMixin, ReadableHistoryMixin, SimpleHistoryAdmin):
    """Defaults shared by every registry model's admin, including its edit history.

    The "History" button lists every save with its author and what it changed.
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

    def delete_queryset(self, request, queryset):
        # "Delete selected": the registry version moves once and the search index's entries
        # that the deletions reach are written once, at the end, not once per record deleted.
        with (
            transaction.atomic(using=router.db_for_write(self.model)),
            one_registry_change(),
            search_index.batched(),
        ):
            super().delete_queryset(request, queryset)

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if issubclass(self.model, SlugHistory) and "slug" in form.base_fields:
            form.base_fields["slug"].help_text = SLUG_HELP
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
        if change and not form.has_changed():
            # Only inline rows changed (or nothing): the record itself is not saved again, so
            # its version stays, and a form someone else has open on it is not made stale.
            request.publication_watch.created = obj.pk
            return
        # The history entry is written once the many-to-many links are saved (save_related).
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)
        request.publication_watch.created = obj.pk
        if change and "slug" in form.changed_data and isinstance(obj, SlugHistory) and is_public(obj):
            old_link = type(obj)(slug=form.initial.get("slug")).get_absolute_url()
            self.message_user(
                request,
                f"The old link {old_link} keeps working: it now redirects to {obj.get_absolute_url()}.",
                messages.INFO,
            )

    def save_related(self, request, form, formsets, change):
        watch = getattr(request, "publication_watch", None)
        if watch is not None:
            # What the inlines' rows point at, as it stands before they are saved.
            watch.note(targets_in_formsets(formsets))
        super().save_related(request, form, formsets, change)
        record = form.instance
        if hasattr(record, "skip_history_when_saving"):
            del record.skip_history_when_saving
            record._history_user = request.user
            type(record).registry_history.record_save(record, created=not change)
        if watch is not None:
            del request.publication_watch
            watch.check(request.user, [watch.created])

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
            # request meets the new version in the form's check, which merges or shows the
            # conflict with what the editor typed.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PublicationRefused as refusal:
            # The save would have made public what the editor may not publish (or what shows
            # drafts), and has been rolled back. Handled once more, the form shows why, with
            # what the editor typed.
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
