"""What the OpenAPI document says about the registers' filters, beyond what drf-spectacular infers.

drf-spectacular describes each filter of a filter set (django-filter) on its own; here the
filters over a vocabulary (cooperation areas, regions) list the slugs they accept as an enum,
read from the same queryset the filter checks values against, and the search term its length.
"""

from django.db import OperationalError, ProgrammingError
from django.db.models import QuerySet
from drf_spectacular.contrib.django_filters import DjangoFilterExtension

from ..filters import SEARCH_MAX_LENGTH, RelatedSlugsFilter, SearchFilter


class RegisterFilterExtension(DjangoFilterExtension):
    target_class = "partnerships.api.views.RegisterFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(filter_field, RelatedSlugsFilter):
                queryset = filter_field.queryset
                if isinstance(queryset, QuerySet):  # a vocabulary; organisations are too many to list
                    slugs = vocabulary(queryset, filter_field.field.to_field_name)
                    if slugs is not None:
                        schema["items"]["enum"] = slugs
                        schema["items"].pop("pattern", None)
                        schema["items"].pop("maxLength", None)
            elif isinstance(filter_field, SearchFilter):
                schema["maxLength"] = SEARCH_MAX_LENGTH
        return parameters


def vocabulary(queryset, field_name):
    """The vocabulary's values, or None before the database has its tables.

    ``manage.py check --deploy`` generates the document, and runs before the first migration.
    """
    try:
        return list(queryset.values_list(field_name, flat=True))
    except (OperationalError, ProgrammingError):
        return None
