"""Every error the API answers, as JSON: ``{"error": ..., "parameters": {name: [message, ...]}}``.

Django REST framework calls ``exception_handler`` (settings.REST_FRAMEWORK) for every exception
a view raises; what it does not answer here becomes a 500, which the site's handler reports.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from ..parameters import BadRequest


class NotFoundOnPage(exceptions.NotFound):
    """A page number past the last page of the results."""


def error_body(message, parameters=None):
    return {"error": message, "parameters": parameters or {}}


def exception_handler(exc, context):
    """Every error the API answers, as ``{"error": ..., "parameters": {name: [message, ...]}}``."""
    if isinstance(exc, BadRequest):
        return Response(exc.as_json(), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    if isinstance(exc, NotFoundOnPage):
        return Response(error_body(str(exc.detail), {"page": [str(exc.detail)]}), status=404)
    if isinstance(exc, exceptions.APIException):
        headers = {"Allow": "GET, HEAD, OPTIONS"} if isinstance(exc, exceptions.MethodNotAllowed) else {}
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        return Response(error_body(str(detail)), status=exc.status_code, headers=headers)
    return None


ERROR = inline_serializer(
    name="Error",
    fields={
        "error": serializers.CharField(help_text="What went wrong."),
        "parameters": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="For each query parameter that cannot be used, what is wrong with it.",
        ),
    },
)
BAD_PARAMETERS = OpenApiResponse(ERROR, description="A query parameter cannot be used; the answer names it.")
NOT_FOUND = OpenApiResponse(ERROR, description="No published record has this key, or the page is past the last.")
