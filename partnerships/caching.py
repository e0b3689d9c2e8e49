"""HTTP caching of the public site: the page cache and the validators browsers and proxies use.

Two layers, both keyed on the registry version (models.RegistryVersion), which every change to
the registry changes (to a random number, so that no key is met again with other contents, even
after a restore) and which is read from the database once per request:

- **The page cache.** Anonymous answers of public pages are kept in whatever cache backend
  ``CACHES["default"]`` names (each process's memory by default, Redis when shared). After any
  change the very next request to any server process looks under a new key and renders afresh,
  even when each process has a cache of its own; entries of earlier versions are never read
  again and leave the cache as it evicts or expires them.
- **Validators.** Every public answer carries a strong ``ETag`` derived from the registry
  version and the representation (the canonical address), ``Last-Modified`` from the registry's
  last change, and ``Cache-Control`` that lets browsers and shared caches keep a copy but
  revalidate it before each use. A conditional GET whose validators still match is answered
  304 without rendering, and without reading the page cache.

``PublicCacheMiddleware`` does both before the session, authentication, CSRF and message
middleware, for requests that carry no session cookie: such a request is anonymous, so a
cached answer costs what ``/healthz`` costs — one small query for the version. Logged-in staff
always get fresh pages, marked ``private, no-store``, and nothing they are shown is stored.

A view takes part by being marked with ``cache_public_page``, which also names the query
parameters the view reads: the key holds only those, in a fixed order, so unknown parameters
neither bypass the cache nor create entries of their own (and the view never sees them).

A kept page is kept gzip-compressed too, and given so to clients that accept gzip (every
browser): compressed once per registry version instead of on every request by the server in
front, and sent in a tenth of the bytes. Its ``ETag`` names the encoding; a client holding
either encoding's copy of the current version is answered 304, as both say the same.

While the database is unreachable the version cannot be read: the pages cached under the last
version this process (or, with a shared cache, any process) read are served instead (outage.py,
``page_from_before_the_outage``).
"""

import datetime
import gzip
import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from .models import RegistryVersion

# Entries of the current version are correct until the next change, so they could stay longer;
# the limit only bounds what a rarely requested page occupies.
SECONDS = 600
LAST_STATE_KEY = "partnerships:last-registry-state"
_last_state = None  # the last registry state this process read

# What lets browsers and shared caches keep a public answer but ask before each use whether it
# is still current (a 304 when it is): the very next request after an edit sees the edit.
PUBLIC_CACHE_CONTROL = {"public": True, "no_cache": True}
# Staff see drafts and their own forms: nothing of theirs may be kept anywhere.
STAFF_CACHE_CONTROL = {"private": True, "no_store": True}
# The answer differs for a logged-in member of staff (the session cookie), and a proxy that
# compresses it keeps one copy per encoding.
VARY = ("Cookie", "Accept-Encoding")
# Answers worth compressing: text of some size (a compressed tiny answer is no smaller).
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml", "application/ld+json")
COMPRESS_FROM_BYTES = 1024
GZIP_SUFFIX = "-gzip"


class PublicPage:
    """What ``cache_public_page`` records about a view: the query parameters it reads.

    ``parameters`` is a collection of names, or a callable giving it (evaluated once, so a
    view can derive it from its filter set); ``None`` means every parameter counts.
    """

    def __init__(self, parameters=None):
        self._parameters = parameters

    @property
    def parameters(self):
        if callable(self._parameters):
            self._parameters = frozenset(self._parameters())
        return self._parameters

    def canonical_query(self, query):
        """The parameters that count, sorted by name; each keeps its values in the order sent
        (a filter's values in another order render links in that order)."""
        names = sorted(query if self.parameters is None else (name for name in query if name in self.parameters))
        canonical = QueryDict(mutable=True)
        for name in names:
            canonical.setlist(name, query.getlist(name))
        return canonical


def read_state():
    """The registry's state from the database, remembered for the time it cannot be read."""
    global _last_state
    state = RegistryVersion.state()
    if state != _last_state:
        _last_state = state
        cache.set(LAST_STATE_KEY, state, None)  # once per change and process
    return state


def registry_state(request=None):
    """``(version, last change)`` of the registry, read once per request and remembered on it."""
    if request is None:
        return read_state()
    if not hasattr(request, "_registry_state"):
        request._registry_state = read_state()
    return request._registry_state


def registry_version(request=None):
    """The registry version, read once per request and remembered on it."""
    return registry_state(request)[0]


def cached(request, name, compute):
    """``compute()``, computed once per registry version (for parts that several pages share)."""
    return cache.get_or_set(f"partnerships:{name}:v{registry_version(request)}", compute, SECONDS)


def public_page_of(request):
    """The ``PublicPage`` of the view this request is for, or None for any other view."""
    try:
        func = resolve(request.path_info).func
    except Resolver404:
        return None
    # A class-based view (Django's view_class, REST framework's cls) is marked on its class.
    view_class = getattr(func, "view_class", None) or getattr(func, "cls", None)
    return getattr(func, "public_page", None) or getattr(view_class, "public_page", None)


class Representation:
    """One public answer's identity: its canonical address and, from it, the cache key and the ETag."""

    def __init__(self, request, page):
        self.query = page.canonical_query(request.GET)
        encoded = self.query.urlencode()
        # The scheme and host are part of it: the sitemap and downloads write absolute URLs.
        address = f"{request.scheme}://{request.get_host()}{request.path}" + (f"?{encoded}" if encoded else "")
        version, changed_at = registry_state(request)
        digest = hashlib.sha256(f"{version}\n{address}".encode()).hexdigest()
        self.key = f"partnerships:page:{digest}"
        self.etag = f'"{digest[:32]}"'
        self.gzip_etag = f'"{digest[:32]}{GZIP_SUFFIX}"'
        # Whole seconds, as HTTP dates carry them: a client's If-Modified-Since can then match.
        self.last_modified = int(changed_at.timestamp()) if changed_at else None


def accepts_gzip(request):
    """Whether the client takes gzip (``Accept-Encoding``, with ``q=0`` refusing it)."""
    for coding in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        name, _, parameters = coding.partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            quality = parameters.strip().lower().removeprefix("q=")
            try:
                return float(quality) > 0 if parameters.strip() else True
            except ValueError:
                return False
    return False


def compressed(response):
    """The answer's body gzip-compressed, or None where that is not worth it. The same body
    always gives the same bytes (no time in the gzip header), as a strong ETag needs."""
    content_type = response.get("Content-Type", "")
    if response.has_header("Content-Encoding") or not content_type.startswith(COMPRESSIBLE_TYPES):
        return None
    content = response.content
    if len(content) < COMPRESS_FROM_BYTES:
        return None
    packed = gzip.compress(content, compresslevel=6, mtime=0)
    return packed if len(packed) < len(content) else None


def add_validators(response, representation):
    gzipped = response.get("Content-Encoding") == "gzip"
    response["ETag"] = representation.gzip_etag if gzipped else representation.etag
    # nginx does not store an answer marked no-cache, but stores one that has already expired
    # and then revalidates it before each use: the same meaning, said its way (deploy/nginx/).
    # nginx removes the header before the answer leaves it; other caches ignore it.
    response["X-Accel-Expires"] = "@1"
    if representation.last_modified is not None:
        response["Last-Modified"] = http_date(representation.last_modified)
    patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
    patch_vary_headers(response, VARY)
    return response


def not_modified(request, representation):
    """A 304 carrying the validators when the client's copy is current, else None. The client
    may hold the gzip-compressed copy or the other: either is current."""
    etag = representation.etag
    if representation.gzip_etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        etag = representation.gzip_etag
    response = get_conditional_response(request, etag=etag, last_modified=representation.last_modified)
    if response is not None:
        add_validators(response, representation)
        response["ETag"] = etag
    return response


def cacheable(request, response):
    return (
        response.status_code == 200
        and not response.streaming  # downloads: too big to keep, and streamed as they are read
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a page with a form token is per visitor
        and not {"private", "no-store", "no-cache"} & set(response.get("Cache-Control", "").replace(",", " ").split())
    )


def gzip_key(key):
    return f"{key}:gzip"


def store(key, response, representation):
    """Keep the answer as it is and as a client taking gzip gets it, each ready to be given (a
    hit reads only the body it gives); returns the compressed body, or None."""
    packed = compressed(response)
    headers = dict(response.items())
    gzip_entry = (response.content, headers)
    if packed is not None:
        gzip_entry = (packed, {**headers, **gzip_headers(packed, representation)})
    cache.set_many({key: (response.content, headers), gzip_key(key): gzip_entry}, SECONDS)
    return packed


def gzip_headers(packed, representation):
    return {"Content-Encoding": "gzip", "Content-Length": str(len(packed)), "ETag": representation.gzip_etag}


def encoded(request, response, packed, representation):
    """The answer as the client takes it: gzip-compressed when it accepts that and ``packed`` is
    the compressed body, else as it is."""
    if packed is not None and accepts_gzip(request):
        response.content = packed
        for name, value in gzip_headers(packed, representation).items():
            response[name] = value
    return response


def kept(request, representation):
    """The kept answer the client takes, or None: the compressed one if it accepts gzip (an
    entry kept by an earlier release has none: then the other)."""
    hit = cache.get(gzip_key(representation.key)) if accepts_gzip(request) else None
    return hit if hit is not None else cache.get(representation.key)


def replay(request, hit):
    content, headers = hit
    response = HttpResponse(content, headers=headers)
    if request.method == "HEAD":
        response.content = b""
        response["Content-Length"] = str(len(content))
    return response


def page_from_before_the_outage(request):
    """The public answer as cached under the last registry state seen, or None: for the time
    the database cannot be asked for the current one."""
    page = public_page_of(request)
    if page is None:
        return None
    try:
        state = cache.get(LAST_STATE_KEY, _last_state)
        if state is None:
            return None
        request._registry_state = tuple(state)
        hit = kept(request, Representation(request, page))
    except Exception:  # a cache kept in the unreachable database (db://), or unreachable itself
        return None
    return None if hit is None else replay(request, hit)


def answer(request, page, get_response):
    """The public answer: a 304, the cached copy, or a fresh one (then kept when it can be).

    A copy is kept with its validators, so that a cached answer is replayed as it is.
    """
    representation = Representation(request, page)
    response = not_modified(request, representation)
    if response is not None:
        return response
    hit = kept(request, representation)
    if hit is not None:
        return replay(request, hit)
    # The view reads only the parameters that count, so its answer is the same for every
    # address that shares the key.
    request.GET = representation.query
    response = get_response(request)
    user = getattr(request, "user", None)  # absent when a middleware answered before authentication
    if user is not None and user.is_authenticated:  # a session cookie the middleware did not see
        return response
    keep = cacheable(request, response)
    if response.status_code == 200:
        add_validators(response, representation)
    if keep:
        # Given compressed, as the copies kept will be, so that one ETag always means one body.
        if getattr(response, "is_rendered", True):
            encoded(request, response, store(representation.key, response, representation), representation)
        else:  # a TemplateResponse (the sitemap's) is stored once it is rendered
            response.add_post_render_callback(
                lambda rendered: encoded(
                    request, rendered, store(representation.key, rendered, representation), representation
                )
            )
    return response


class PublicCacheMiddleware:
    """The page cache and the validators, for anonymous visitors, before any session is read.

    It stands after the security and CSP middleware, whose headers every answer gets, and
    before the session middleware: a request without a session cookie is anonymous, and a
    cached or not-modified answer to it is given without touching the session, the user,
    the CSRF token or the messages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page = None
        if request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            page = public_page_of(request)
        if page is not None:
            request._public_cache_handled = True
            return answer(request, page, self.get_response)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.pop("ETag", None)
            response.headers.pop("Last-Modified", None)
            patch_cache_control(response, **STAFF_CACHE_CONTROL)
            patch_vary_headers(response, ("Cookie",))
        return response


def cache_public_page(view=None, *, parameters=None):
    """Mark a view as a public page that anonymous visitors may be given from the cache.

    ``parameters``: the query parameters the view reads (a collection of names, or a callable
    giving it); ``None`` keys the cache on every parameter. ``PublicCacheMiddleware`` serves
    marked views; a request it let through (one with a session cookie whose session turns out
    anonymous) is served here by the same rules, so such a visitor gets public answers too.
    """

    def mark(view):
        page = PublicPage(parameters)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if getattr(request, "_public_cache_handled", False) or request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            request._public_cache_handled = True
            return answer(request, public_page_of(request) or page, lambda request: view(request, *args, **kwargs))

        wrapper.public_page = page
        return wrapper

    return mark if view is None else mark(view)


def last_change(request=None):
    """When the registry last changed (an aware datetime), or None before its first change."""
    changed_at = registry_state(request)[1]
    if changed_at is not None and changed_at.tzinfo is None:
        changed_at = changed_at.replace(tzinfo=datetime.UTC)
    return changed_at
