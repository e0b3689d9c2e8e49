"""Reading the query parameters of the registers, their downloads, their feeds and the change log.

One definition for all of them, so the same bad parameter gets the same 400 answer, naming
the parameter, wherever it is given. (Requests refused before any view sees them, whatever
their address, are middleware.py's.)
"""

import re

from django.http import QueryDict

# Parameters that take one value; several of them make the request ambiguous.
SINGLE_VALUED = {"page", "format", "q", "signed_after", "signed_before"}
# Parameters that choose the page or the form of the answer, not the records.
PRESENTATION = {"page", "format"}
EXPORT_FORMATS = ("csv", "json")
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class BadRequest(Exception):
    """Query parameters that cannot be answered, with a message for each parameter."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def read_page_number(value):
    if value is None:
        return 1
    if not WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
        raise BadRequest({"page": ["The page number must be a whole number, 1 or more."]})
    return int(value)


def screen_parameters(query):
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
    if "format" not in errors and fmt and fmt not in EXPORT_FORMATS:
        errors["format"] = ["The format must be csv or json."]
    if errors:
        raise BadRequest(errors)
    data = QueryDict(mutable=True)
    for name in query:
        if name not in PRESENTATION:
            data.setlist(name, list(dict.fromkeys(v for v in query.getlist(name) if v.strip())))
    return data
