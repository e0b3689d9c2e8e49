"""Requests the site refuses before any view sees them."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed

# Methods no page of the site serves. TRACE would echo the request back, headers included.
REFUSED_METHODS = {"TRACE", "CONNECT"}


class RequestScreening:
    """Answers 405 to TRACE and CONNECT on every URL, and 400 to an admin address whose query
    string holds a NUL character.

    PostgreSQL cannot compare text with a NUL character in it: a NUL in any filter, search
    term or autocomplete term of the admin would reach the database and fail there. The public
    registers check their parameters themselves and answer with the page and its message.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        if request.path.startswith(self.admin_prefix) and any(
            "\x00" in name or "\x00" in value for name, values in request.GET.lists() for value in values
        ):
            return HttpResponse(
                "The address holds a null character, which no value in the registry can contain.\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
