"""Staff preview drafts on their public pages.

Staff who may view a kind of record in the admin see its drafts at their public address,
under a "Draft — not public" banner; everyone else gets the usual 404. The page cache serves
and stores anonymous requests only (caching.cache_public_page), and a draft's page is marked
``Cache-Control: private, no-store`` so that no shared cache on the way keeps it either.
"""

from django.contrib.auth import get_permission_codename
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .dependencies import is_public
from .renames import renamed_record

DRAFT_NOTICE = "Draft — not public"


def may_preview(request, model):
    user = request.user
    opts = model._meta
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}")
    )


def visible(request, queryset):
    """``published()`` for visitors; every record for staff who may preview this kind."""
    if may_preview(request, queryset.model):
        return queryset
    return queryset.published()


def found_or_renamed(request, queryset, **lookup):
    """The record of ``queryset`` (already limited to what the visitor may see) matching ``lookup``.

    A slug that finds nothing may be one the record had before a rename: then a permanent
    redirect to its current address is raised, keeping the query string.
    """
    record = queryset.filter(**lookup).first()
    if record is not None:
        return record
    if lookup.get("slug"):
        raise_if_renamed(request, queryset, lookup["slug"])
    raise Http404(f"No {queryset.model._meta.verbose_name} is published at this address.")


def raise_if_renamed(request, queryset, slug):
    """Raises ``Moved`` if ``slug`` is one a record of ``queryset`` had before a rename.

    The record must be in ``queryset``, what the visitor may see: the old slug of a record that
    is now a draft leads nowhere. The new address is the requested one (page, feed or API) with
    the record's current slug, and the same query string.
    """
    renamed = renamed_record(queryset.model, slug)
    if renamed is not None and queryset.filter(pk=renamed.pk).exists():
        raise Moved(address_with_slug(request, renamed.slug))


def address_with_slug(request, slug):
    """The address of this request with ``slug`` in place of its slug, query string kept."""
    match = request.resolver_match
    url = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "slug": slug})
    query = request.META.get("QUERY_STRING", "")
    return url + (f"?{query}" if query else "")


class Moved(Exception):
    """The record lives at another address now."""

    def __init__(self, url):
        super().__init__(url)
        self.url = url


def follow_renames(view):
    """Answers ``Moved`` raised by the view with a 301 to the record's current address."""

    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Moved as moved:
            return HttpResponsePermanentRedirect(moved.url)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def mark_draft(context, record):
    """Adds the banner to a draft's page context, with the drafts it shows that would have to be
    published with it (dependencies.py); returns whether the record is a draft."""
    draft = not is_public(record)
    context["draft_notice"] = DRAFT_NOTICE if draft else None
    if draft and hasattr(record, "drafts_it_depends_on"):
        # Read afresh: the page's own record holds only its published partners, areas and regions.
        stored = type(record)._base_manager.get(pk=record.pk)
        context["drafts_shown"] = [f"{other} ({other._meta.verbose_name})" for other in stored.drafts_it_depends_on()]
    return draft


def private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response
