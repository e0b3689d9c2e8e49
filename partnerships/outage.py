"""While the database is unreachable: an honest, friendly 503 instead of the server-error page.

- Anonymous visitors still get the public pages the cache holds, as cached under the last
  registry version this server saw (caching.page_from_before_the_outage), for as long as the
  cache keeps them. Nothing can change in the registry while its database is down, so those
  pages are the current ones; a page cached before the last change is not served.
- Every other request gets a 503 with ``Retry-After``: a page (HTML), or JSON for the downloads
  (``format=csv|json``) and the API (``/api/``). The staff admin gets the same page; a form
  sent to it comes back on that page with what was typed, ready to be sent again.
- Each server process logs the outage once when it starts and once when it ends, instead of
  a traceback per request; the next request that reaches the database ends it, without a restart.
"""

import logging
import sys
import threading

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from .caching import page_from_before_the_outage

logger = logging.getLogger(__name__)

# Errors of a database that cannot be reached or used at the moment: refused or dropped
# connections, a server shutting down, a locked or missing SQLite file. Errors in the queries
# themselves (ProgrammingError, IntegrityError...) are bugs, and stay server errors.
UNREACHABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
MESSAGE = "The registry's database is unavailable for a moment. Please try again shortly."
# Long values are sent back in a text area, short ones in a text box.
LONG_VALUE = 80


class _Outage:
    """This process's view of the database: down since the first failure, until it answers again."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down = False

    def failed(self, error):
        with self._lock:
            if self.down:
                return
            self.down = True
        logger.error(
            "The database is unreachable (%s: %s). Answering 503, and cached pages where there are any, until it "
            "answers again.",
            type(error).__name__,
            " ".join(str(error).split()),  # one line, whatever the driver's message
        )

    def answered(self):
        with self._lock:
            if not self.down:
                return
            self.down = False
        logger.warning("The database answers again.")


outage = _Outage()


def database_failed(request, error):
    """Note that this request found the database unreachable."""
    request._database_unreachable = True
    outage.failed(error)


def wants_json(request):
    return request.path.startswith("/api/") or request.GET.get("format") in ("csv", "json")


def anonymous(request):
    """No session: a visitor, never a member of staff (telling them apart needs the database)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def what_was_sent(request):
    """The fields of a form sent with this request, passwords left out, to send again."""
    fields, left_out = [], False
    for name in request.POST:
        if name == "csrfmiddlewaretoken":
            continue
        if "password" in name.lower():
            left_out = True
            continue
        for value in request.POST.getlist(name):
            fields.append({"name": name, "value": value, "long": len(value) > LONG_VALUE or "\n" in value})
    return fields, left_out


def unavailable(request):
    """The 503 answer: JSON for the downloads and the API, a page for everything else."""
    if wants_json(request):
        response = JsonResponse({"error": MESSAGE, "retry_after": RETRY_AFTER_SECONDS}, status=503)
    else:
        sent, left_out = what_was_sent(request) if request.method == "POST" else ([], False)
        context = {
            "sent": sent,
            "left_out": left_out,
            "action": request.get_full_path(),
            "csrf_token_sent": request.POST.get("csrfmiddlewaretoken", "") if sent else "",
        }
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Answers the requests whose views find the database unreachable, and notices its return.

    Failures before any view runs (the page cache reads the registry version first) reach
    ``server_error`` instead, Django's handler for exceptions raised in a middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if outage.down and not getattr(request, "_database_unreachable", False) and connection.connection is not None:
            outage.answered()  # this request used the database
        return response

    def process_exception(self, request, exception):
        """A view found the database unreachable."""
        if not isinstance(exception, UNREACHABLE):
            return None
        return without_the_database(request, exception)


def without_the_database(request, error):
    """The answer to a request that found the database unreachable: the cached public page for
    a visitor, when the cache holds it, or the 503."""
    database_failed(request, error)
    response = None
    if request.method in ("GET", "HEAD") and anonymous(request):
        response = page_from_before_the_outage(request)
    if response is None:
        response = unavailable(request)
    # Logged once per outage, not once per request (Django logs every answer to an exception).
    response._has_been_logged = True
    return response


def server_error(request):
    """The server-error view (``handler500``), which also answers when the database failed
    outside a view: in the page cache's middleware (caching.PublicCacheMiddleware, which reads
    the registry version before any view runs), or while an error page was being rendered."""
    error = sys.exc_info()[1]
    if isinstance(error, UNREACHABLE):
        return without_the_database(request, error)
    return defaults.server_error(request)
