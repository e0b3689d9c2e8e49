"""What waits for an editor's attention: the review dashboard on the admin index.

Each item of the dashboard counts records and links to the admin changelist filtered to
exactly those records, through the list filters below; both use the same conditions.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .models import Agreement, Citation, CooperationActivity, DatedFact, Organisation

EXPIRY_NOTICE_DAYS = 180


def expiring_soon():
    """Agreements that expire from today to EXPIRY_NOTICE_DAYS days ahead, both days included."""
    today = timezone.localdate()
    return Q(expires_on__range=(today, today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)))


def expired_in_force():
    """Agreements marked in force whose expiry date has passed."""
    return Q(status=Agreement.Status.IN_FORCE, expires_on__lt=timezone.localdate())


def published_pointing_at_drafts(model):
    """Published records whose public page would show drafts (``drafts_it_depends_on``)."""
    return Q(is_published=True) & model.pointing_at_drafts()


def without_areas():
    """Organisations with no cooperation area."""
    return ~Exists(Organisation.areas.through.objects.filter(organisation=OuterRef("pk")))


def without_citation():
    """Records (organisations, agreements, activities or dated facts) that cite no source."""
    return Q(citations=None)


def without_passage():
    """Citations that quote no passage: allowed where a source's words are not known, but each
    one is worth a second look."""
    return Q(passage="")


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expires"

    def lookups(self, request, model_admin):
        return [("soon", f"Within {EXPIRY_NOTICE_DAYS} days"), ("passed", "In force, but expired")]

    def queryset(self, request, queryset):
        if self.value() == "soon":
            return queryset.filter(expiring_soon())
        if self.value() == "passed":
            return queryset.filter(expired_in_force())
        return None


class PointsAtDraftsFilter(admin.SimpleListFilter):
    title = "shows drafts"
    parameter_name = "shows_drafts"

    def lookups(self, request, model_admin):
        return [("yes", "Published, but shows drafts")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(published_pointing_at_drafts(queryset.model))
        return None


class LackingFilter(admin.SimpleListFilter):
    """Whether a record has something, yes or no."""

    def lacking(self):
        """The condition that selects the records without it."""
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(self.lacking())
        if self.value() == "yes":
            return queryset.exclude(self.lacking())
        return None


class HasAreasFilter(LackingFilter):
    title = "has cooperation areas"
    parameter_name = "has_areas"

    def lacking(self):
        return without_areas()


class HasCitationFilter(LackingFilter):
    title = "cites a source"
    parameter_name = "has_citation"

    def lacking(self):
        return without_citation()


class HasPassageFilter(LackingFilter):
    title = "quotes a passage"
    parameter_name = "has_passage"

    def lacking(self):
        return without_passage()


def changelist_url(model, **filters):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?" + urlencode(filters)


def dashboard(user):
    """The review items the user may look at: a label, how many records, and the link to them."""
    drafts = Q(is_published=False)
    items = [
        (
            Agreement,
            f"Agreements expiring within {EXPIRY_NOTICE_DAYS} days",
            expiring_soon(),
            {ExpiryFilter.parameter_name: "soon"},
        ),
        (
            Agreement,
            "Agreements in force past their expiry date",
            expired_in_force(),
            {ExpiryFilter.parameter_name: "passed"},
        ),
        *[
            (
                model,
                f"Published {model._meta.verbose_name_plural} that show drafts",
                published_pointing_at_drafts(model),
                {PointsAtDraftsFilter.parameter_name: "yes"},
            )
            for model in (Organisation, Agreement, CooperationActivity)
        ],
        (Organisation, "Organisations waiting for publication", drafts, {"is_published__exact": 0}),
        (Agreement, "Agreements waiting for publication", drafts, {"is_published__exact": 0}),
        (CooperationActivity, "Cooperation activities waiting for publication", drafts, {"is_published__exact": 0}),
        *(
            (
                model,
                f"Published {model._meta.verbose_name_plural} that cite no source",
                Q(is_published=True) & without_citation(),
                {"is_published__exact": 1, HasCitationFilter.parameter_name: "no"},
            )
            for model in (Organisation, Agreement, CooperationActivity)
        ),
        (DatedFact, "Dated facts that cite no source", without_citation(), {HasCitationFilter.parameter_name: "no"}),
        (Citation, "Citations that quote no passage", without_passage(), {HasPassageFilter.parameter_name: "no"}),
        (
            Organisation,
            "Organisations without a cooperation area",
            without_areas(),
            {HasAreasFilter.parameter_name: "no"},
        ),
    ]
    return [
        {
            "label": label,
            "count": model.objects.filter(condition).count(),
            "url": changelist_url(model, **filters),
        }
        for model, label, condition, filters in items
        if user.has_perm(f"{model._meta.app_label}.{get_permission_codename('view', model._meta)}")
    ]
