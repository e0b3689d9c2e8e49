"""Publishing from the admin: the permission it takes, and records that stay whole.

A record is published only together with the drafts its public page would show (its
partners, organisation, agreement, areas, regions, the sources its citations name;
``drafts_it_depends_on()`` on each model, partnerships/dependencies.py):
either those are published first, or an editor with the publish permission on each of them
publishes them together with it. Never a public page that silently drops half its record.
"""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import ngettext

from ..models import CooperationActivity
from ..publication import PublicationRefused, PublicationWatch, can_publish
from .conflicts import VersionedForm


def describe(records):
    """'IOM (organisation), Working arrangement (agreement)'."""
    return ", ".join(f"{record} ({record._meta.verbose_name})" for record in records)


def unpublishable(user, drafts):
    """The drafts among ``drafts`` that the user may not publish."""
    return [draft for draft in drafts if not can_publish(user, type(draft))]


def drafts_of(record, cited=True):
    """The drafts the record's public page would show (none for records that show no others)."""
    if not hasattr(record, "drafts_it_depends_on"):
        return []
    return record.drafts_it_depends_on(cited=cited)


def drafts_message(drafts, user):
    message = f"Its public page would leave out what is still a draft: {describe(drafts)}."
    if user is not None and (cannot := unpublishable(user, drafts)):
        return message + f" You may not publish {describe(cannot)}: ask an editor who may, or keep this a draft."
    return message + " Publish them first, or tick “Publish the drafts it shows too”."


class ShowsDrafts(PublicationRefused):
    """A published record would show drafts (found once its citations were saved)."""

    def __init__(self, drafts, user):
        self.records = drafts
        Exception.__init__(self, drafts_message(drafts, user))


def publish_together(user, drafts):
    """Publish the drafts a record depends on, each a save of its own in the edit history.

    Publishing them can make yet other records public (an organisation's agreements, the
    sources it cites): those need their own permission, as for any change (publication.py).
    """
    by_model = defaultdict(list)
    for draft in drafts:
        by_model[type(draft)].append(draft)
    watches = [PublicationWatch(model, [draft.pk for draft in records]) for model, records in by_model.items()]
    for draft in drafts:
        draft.is_published = True
        draft._history_user = user
        draft._change_reason = "Published"
        draft.save(update_fields=["is_published"])
    for watch in watches:
        watch.check(user)


class PublishableForm(VersionedForm):
    """For forms of publishable records: refuses to publish a record whose public page would show
    drafts, naming them, unless the editor ticks "publish them too" and may publish each.

    The admin sets ``request`` on the form class (``PublishActionsMixin.get_form``).
    """

    publish_drafts_too = forms.BooleanField(
        required=False,
        label="Publish the drafts it shows too",
        help_text="Partners, organisation, agreement, areas or sources it shows that are still drafts "
        "are published with it.",
    )
    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.drafts_to_publish = []
        self.was_published = self.instance.pk is not None and self.instance.is_published

    def publishes(self):
        """Whether this save puts the record before the public (the instance still holds the
        stored state while the form is cleaned and until it is saved)."""
        return bool(self.cleaned_data.get("is_published")) and not self.was_published

    def clean(self):
        cleaned_data = super().clean()
        self.was_published = self.instance.pk is not None and self.instance.is_published
        # Refused when it is being published. A record already public may still be linked to a
        # draft: nothing more becomes public, its page leaves the draft out, and the editor is
        # warned (PublishActionsMixin.save_related) and the review dashboard lists it.
        if self.errors or not self.publishes():
            return cleaned_data
        values = {name: cleaned_data[name] for name in self.instance.publication_dependencies if name in cleaned_data}
        # The sources its citations name are checked once the citations (an inline) are saved.
        drafts = self.instance.drafts_it_depends_on(cited=False, **values)
        if not drafts:
            return cleaned_data
        user = self.request.user if self.request else None
        if cleaned_data.get("publish_drafts_too") and user is not None and not unpublishable(user, drafts):
            self.drafts_to_publish = drafts
            return cleaned_data
        raise forms.ValidationError(drafts_message(drafts, user), code="drafts")


class PublishActionsMixin:
    """Publish and unpublish actions for models with an ``is_published`` flag.

    Changing the flag, by the actions or on the form, takes the model's "publish" permission:
    "change" alone lets a user edit drafts but not put them before the public.
    """

    actions = ["publish", "publish_with_drafts", "unpublish"]

    def has_publish_permission(self, request):
        return can_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        readonly_fields = super().get_readonly_fields(request, obj)
        if not self.has_publish_permission(request):
            return [*readonly_fields, "is_published"]
        return readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request = request  # a class made for this request by modelform_factory
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not (self.has_publish_permission(request) and issubclass(self.form, PublishableForm)):
            return fieldsets
        return [
            (name, {**options, "fields": [*options["fields"], "publish_drafts_too"]})
            if "is_published" in options["fields"]
            else (name, options)
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        publish_together(request.user, getattr(form, "drafts_to_publish", []))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Now that its citations are saved too: what its public page would leave out.
        record = form.instance
        if not (isinstance(form, PublishableForm) and record.is_published):
            return
        drafts = drafts_of(record)
        if not drafts:
            return
        if not form.publishes():
            self.message_user(
                request,
                f"“{record}” is public, and its page leaves out what is still a draft: {describe(drafts)}.",
                messages.WARNING,
            )
        elif form.cleaned_data.get("publish_drafts_too") and not unpublishable(request.user, drafts):
            publish_together(request.user, drafts)
        else:
            raise ShowsDrafts(drafts, request.user)

    def publishable(self, request, queryset, with_drafts):
        """The records of ``queryset`` that can be published whole, and the drafts to publish with them."""
        ready, drafts, refused = [], [], []
        for record in queryset.exclude(is_published=True):
            needed = drafts_of(record)
            if needed and (not with_drafts or unpublishable(request.user, needed)):
                refused.append((record, needed))
                continue
            ready.append(record)
            drafts += [draft for draft in needed if draft not in drafts]
        for record, needed in refused:
            self.message_user(
                request,
                f"“{record}” not published: its public page would leave out what is still a draft: "
                f"{describe(needed)}.",
                messages.WARNING,
            )
        return ready, drafts

    def _set_published(self, request, records, value):
        # One save per record, so that each change enters the edit history with its author, and
        # moves the record's version on: a form opened before cannot save the old flag back.
        records = [record for record in records if record.is_published != value]
        # Publishing one record can make others public too (an organisation's agreements, the
        # sources it cites): those need their own permission (publication.py).
        watch = PublicationWatch(self.model, [record.pk for record in records])
        for record in records:
            record.is_published = value
            record._history_user = request.user
            record._change_reason = "Published" if value else "Unpublished"
            record.save(update_fields=["is_published"])
        watch.check(request.user)
        return len(records)

    def announce(self, request, changed, value):
        verb = "published" if value else "withdrawn from the public site"
        self.message_user(
            request,
            ngettext("%(count)d record %(verb)s.", "%(count)d records %(verb)s.", changed)
            % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )

    def _publish(self, request, queryset, with_drafts):
        ready, drafts = self.publishable(request, queryset, with_drafts)
        try:
            # All or nothing: a refusal rolls back the drafts published with the records too.
            with transaction.atomic(using=queryset.db):
                if drafts:
                    publish_together(request.user, drafts)
                self._set_published(request, ready, True)
        except PublicationRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        if drafts:
            self.message_user(request, f"Published with them: {describe(drafts)}.", messages.SUCCESS)
        self.announce(request, len(ready), True)

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish(self, request, queryset):
        self._publish(request, queryset, with_drafts=False)

    @admin.action(description="Publish the selected records with the drafts they show", permissions=["publish"])
    def publish_with_drafts(self, request, queryset):
        self._publish(request, queryset, with_drafts=True)

    @admin.action(description="Unpublish the selected records", permissions=["publish"])
    def unpublish(self, request, queryset):
        try:
            with transaction.atomic(using=queryset.db):
                changed = self._set_published(request, list(queryset.filter(is_published=True)), False)
        except PublicationRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        self.announce(request, changed, False)


# Public pages find activities by partner, so a published one needs one. An area is not
# required: a source may state an activity without naming its field (the shipped "Reviewing and
# strengthening existing partnership frameworks" is one), and the registry records no area that
# its source does not state; the activity's page then says that the source names none.
PUBLICATION_NEEDS = {
    "partners": "A published activity needs at least one partner organisation.",
}


def incomplete_activities(queryset):
    """Activities of ``queryset`` that lack a partner, so cannot be published."""
    return CooperationActivity.objects.filter(pk__in=queryset.filter(partners=None, is_published=False).values("pk"))
