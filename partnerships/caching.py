"""Caching of the public pages for anonymous visitors.

Whatever cache backend ``CACHES["default"]`` names is used (Django's per-process local memory
when nothing is configured). Every key includes the registry version (models.RegistryVersion),
read from the database once per request: any change to the registry moves the version on, so
the very next request to any server process looks under a new key and renders afresh, even
when each process has a cache of its own. Entries of earlier versions are never read again
and leave the cache as it evicts or expires them. The version is a random number, new on every
change, so no key is ever met again with other contents, even after a restore.

While the database is unreachable, the version cannot be read: pages cached under the last
version this process (or, with a shared cache, any process) saw are served instead (outage.py).
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse

from .models import RegistryVersion

# Entries of the current version are correct until the next change, so they could stay longer;
# the limit only bounds what a rarely requested page occupies.
SECONDS = 600
LAST_VERSION_KEY = "partnerships:last-version"
_last_version = None  # the last version this process read


def read_version():
    """The registry version from the database, remembered for the time it cannot be read."""
    global _last_version
    version = RegistryVersion.current()
    if version != _last_version:
        _last_version = version
        cache.set(LAST_VERSION_KEY, version, None)  # once per change and process
    return version


def registry_version(request=None):
    """The registry version, read once per request and remembered on it."""
    if request is None:
        return read_version()
    if not hasattr(request, "_registry_version"):
        request._registry_version = read_version()
    return request._registry_version


def cached(request, name, compute):
    """``compute()``, computed once per registry version (for parts that several pages share)."""
    return cache.get_or_set(f"partnerships:{name}:v{registry_version(request)}", compute, SECONDS)


def page_key(request, version=None):
    # The whole address: scheme and host (the sitemap writes absolute URLs), and the query
    # string as sent (the same filters in another order render other links).
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"partnerships:page:v{registry_version(request) if version is None else version}:{digest}"


def page_from_before_the_outage(request):
    """The page as cached under the last registry version seen, or None: for the time the
    database cannot be asked for the current one."""
    try:
        version = cache.get(LAST_VERSION_KEY, _last_version)
        hit = cache.get(page_key(request, version)) if version is not None else None
    except Exception:  # a cache kept in the unreachable database (db://), or unreachable itself
        return None
    if hit is None:
        return None
    content, headers = hit
    return HttpResponse(content, headers=headers)


def cacheable(request, response):
    return (
        response.status_code == 200
        and not response.streaming  # downloads: too big to keep, and streamed as they are read
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a page with a form token is per visitor
        and not {"private", "no-store", "no-cache"} & set(response.get("Cache-Control", "").replace(",", " ").split())
    )


def store(key, response):
    cache.set(key, (response.content, dict(response.items())), SECONDS)


def cache_public_page(view):
    """Serve anonymous GET (and HEAD) requests of a public page from the cache.

    Staff who are logged in always get a fresh page, and nothing they are shown is stored.
    Only complete 200 answers are stored: no errors, no streamed downloads, nothing that sets
    a cookie. Headers the middleware adds (security headers, Vary) are added on every answer,
    cached or not, because the cache holds what the view returned.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = page_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if cacheable(request, response):
            if getattr(response, "is_rendered", True):
                store(key, response)
            else:  # a TemplateResponse (the sitemap's) is stored once it is rendered
                response.add_post_render_callback(lambda rendered: store(key, rendered))
        return response

    return wrapper
