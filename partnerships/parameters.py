"""Reading the query parameters of the registers, their downloads and the API.

One definition for all of them, so the same bad parameter gets the same 400 answer, naming
the parameter, from the HTML register, its CSV or JSON download and the API.
"""

import re

from django.http import QueryDict

# Parameters that take one value; several of them make the request ambiguous.
SINGLE_VALUED = {"page", "page_size", "format", "q", "signed_after", "signed_before", "sort", "expand"}
# Parameters that choose the page or the form of the answer, not the records (``expand``: which
# filter of a register page lists all its options).
PRESENTATION = {"page", "page_size", "format", "expand"}
EXPORT_FORMATS = ("csv", "json")
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
# What a bad request answers in JSON (downloads and the API), besides the messages per parameter.
BAD_PARAMETERS = "Some query parameters cannot be used."


class BadRequest(Exception):
    """Query parameters that cannot be answered, with a message for each parameter."""

    def __init__(self, errors, filterset=None):
        super().__init__(errors)
        self.errors = errors
        self.filterset = filterset  # the filters as given, for a page to show them back with the errors

    def as_json(self):
        """The body of a 400 answer in JSON: ``{"error": ..., "parameters": {name: [message, ...]}}``."""
        parameters = {name: list(messages) for name, messages in self.errors.items()}
        return {"error": BAD_PARAMETERS, "parameters": parameters}


def read_whole_number(name, value, default, what, maximum=None):
    """A whole number from 1 to ``maximum`` given as parameter ``name``, or ``default`` when absent."""
    if value is None:
        return default
    if maximum is None:
        if not WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
            raise BadRequest({name: [f"The {what} must be a whole number, 1 or more."]})
    elif not WHOLE_NUMBER.fullmatch(value) or not 1 <= int(value) <= maximum:
        raise BadRequest({name: [f"The {what} must be a whole number from 1 to {maximum}."]})
    return int(value)


def read_page_number(value):
    return read_whole_number("page", value, 1, "page number")


def screen_parameters(query, formats=EXPORT_FORMATS):
    """Check what every register takes alike; return the filter parameters without blanks.

    Blank values are what a filter form sends for "any", so they mean no filter.
    """
    errors = {}
    for name in query:
        values = query.getlist(name)
        if name in SINGLE_VALUED and len(values) > 1:
            errors[name] = [f"Give the {name} parameter once, not {len(values)} times."]
        elif any("\x00" in value for value in values):
            errors[name] = ["The value contains a null character."]
    fmt = query.get("format", "")
    if "format" not in errors and fmt and fmt not in formats:
        errors["format"] = [f"The format must be {' or '.join(formats)}."]
    if errors:
        raise BadRequest(errors)
    data = QueryDict(mutable=True)
    for name in query:
        if name not in PRESENTATION:
            data.setlist(name, list(dict.fromkeys(v for v in query.getlist(name) if v.strip())))
    return data


def filtered(filterset_class, query, queryset, request=None, formats=EXPORT_FORMATS):
    """The valid filter set of ``query`` over ``queryset``; BadRequest names each bad parameter."""
    filterset = filterset_class(screen_parameters(query, formats), queryset=queryset, request=request)
    if not filterset.is_valid():
        raise BadRequest(filterset.errors, filterset)
    return filterset
