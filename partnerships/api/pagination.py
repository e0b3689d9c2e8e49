"""The API's pages: ``page`` from 1, ``page_size`` from 1 to 100, answering count/next/previous/results."""

from django.core.paginator import Paginator
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ..parameters import read_page_number, read_whole_number
from .errors import NotFoundOnPage

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class RegistryPagination(BasePagination):
    """Pages of ``page_size`` records (1 to 100, 25 by default), numbered from 1."""

    def paginate_queryset(self, queryset, request, view=None):
        number = read_page_number(request.query_params.get("page"))
        size = read_whole_number("page_size", request.query_params.get("page_size"), PAGE_SIZE, "page size", 100)
        paginator = Paginator(queryset, size)
        if number > paginator.num_pages:
            raise NotFoundOnPage(f"There is no page {number} of these results.")
        self.page = paginator.page(number)
        self.request = request
        return list(self.page)

    def link(self, number):
        url = self.request.build_absolute_uri()
        return remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.link(self.page.next_page_number()) if self.page.has_next() else None,
                "previous": self.link(self.page.previous_page_number()) if self.page.has_previous() else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "How many records match, on all pages."},
                "next": {"type": "string", "format": "uri", "nullable": True, "description": "The next page."},
                "previous": {"type": "string", "format": "uri", "nullable": True, "description": "The page before."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "The page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 999999999, "default": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"How many records a page holds, from 1 to {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
            },
        ]
