"""What the staff admin does with input it cannot use: an answer, never a server error.

Django's admin fails with a 500 on a few malformed values that only staff can send: a history
address with a malformed id, a date-hierarchy year too large for a date, and a form sent back
with a malformed choice in an autocomplete field. The pieces below turn each into a 404, a 400
or a form error (partnerships/admin/base.py uses them; partnerships/middleware.py keeps NUL
characters away).
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import connection


def is_key(field, value):
    """Whether ``value`` (from an address or a form) can be a value of the key ``field``: of
    its type, and for a number within what the database can compare."""
    try:
        value = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(value, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or value >= low) and (high is None or value <= high)
    return True


class ValidSelection:
    """An autocomplete widget that shows again only selected values its field can hold.

    Django's looks up every submitted value to show the choice selected, so a form sent back
    with ``parent=abc`` failed while it was being shown with its error, instead of showing it.
    """

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        to_field = getattr(self.field.remote_field, "field_name", None)
        key = opts.get_field(to_field) if to_field else opts.pk
        return super().optgroups(name, [v for v in value if is_key(key, v)], attr)


class SafeAutocompleteSelect(ValidSelection, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidSelection, AutocompleteSelectMultiple):
    pass


class UnusableFilter(Exception):
    """The changelist's query parameters cannot be turned into a query."""


class RegistryChangeList(ChangeList):
    def get_filters(self, request):
        # Django turns a malformed date of the date hierarchy into IncorrectLookupParameters, but
        # not a year too large for a date (?signed_on__year=99999999999999999999, or 9999,
        # whose following year does not exist).
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
