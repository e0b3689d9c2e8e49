"""CSV and JSON downloads of the public registers.

A download carries every row the filters select, not just one page, so it is streamed:
rows are read from the database in chunks and written out as they come, and the memory
a download takes stays the same at ten rows or a hundred thousand.
"""

import csv
import json
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone

from .models import Organisation

CHUNK_SIZE = 2000

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def slugs(related):
    return [obj.slug for obj in related.all()]


def slug_of(obj):
    return obj.slug if obj is not None else None


def iso(value):
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Export:
    """How one register is written out: a file name, the columns, and what to prefetch."""

    name: str
    columns: dict  # column name -> function of a record
    select_related: tuple = ()
    prefetch_related: tuple = ()

    def rows(self, queryset):
        # The download fetches its own relations, whatever the page view prefetched.
        queryset = (
            queryset.select_related(*self.select_related)
            .prefetch_related(None)
            .prefetch_related(*self.prefetch_related)
        )
        for record in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield {column: value(record) for column, value in self.columns.items()}

    def response(self, queryset, fmt):
        stamp = timezone.localdate().isoformat()
        if fmt == "csv":
            body, content_type = self._csv(queryset), "text/csv; charset=utf-8"
        else:
            body, content_type = self._json(queryset), "application/json"
        response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.name}-{stamp}.{fmt}"'
        return response

    def _csv(self, queryset):
        class Line:
            def write(self, value):
                return value

        writer = csv.writer(Line())
        # A byte-order mark lets spreadsheet programs read the file as UTF-8.
        yield "\ufeff" + writer.writerow(list(self.columns))
        for row in self.rows(queryset):
            yield writer.writerow([csv_cell(value) for value in row.values()])

    def _json(self, queryset):
        yield "["
        separator = "\n"
        for row in self.rows(queryset):
            yield separator + json.dumps(row, ensure_ascii=False)
            separator = ",\n"
        yield "\n]\n"


def csv_cell(value):
    """A value as a spreadsheet cell: lists joined by semicolons, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


ORGANISATIONS = Export(
    name="organisations",
    columns={
        "slug": lambda o: o.slug,
        "acronym": lambda o: o.acronym,
        "name": lambda o: o.name,
        "kind": lambda o: o.kind,
        "relationship": lambda o: o.relationship,
        "parent": lambda o: slug_of(o.parent) if o.parent and o.parent.is_published else None,
        "areas": lambda o: slugs(o.areas),
        "headquarters_city": lambda o: o.headquarters_city,
        "headquarters_country": lambda o: o.headquarters_country,
        "website": lambda o: o.website,
        "summary": lambda o: o.summary,
        "source": lambda o: slug_of(o.source),
        "source_passage": lambda o: o.source_passage,
        "url": lambda o: o.get_absolute_url(),
    },
    select_related=("parent", "source"),
    prefetch_related=("areas",),
)

AGREEMENTS = Export(
    name="agreements",
    columns={
        "id": lambda a: a.pk,
        "title": lambda a: a.title,
        "organisation": lambda a: slug_of(a.organisation),
        "kind": lambda a: a.kind,
        "status": lambda a: a.status,
        "signed_on": lambda a: iso(a.signed_on),
        "in_force_from": lambda a: iso(a.in_force_from),
        "expires_on": lambda a: iso(a.expires_on),
        "areas": lambda a: slugs(a.areas),
        "supersedes": lambda a: a.supersedes_id if a.supersedes and a.supersedes.is_published else None,
        "document_url": lambda a: a.document_url,
        "summary": lambda a: a.summary,
        "url": lambda a: a.get_absolute_url(),
    },
    select_related=("organisation", "supersedes"),
    prefetch_related=("areas",),
)

ACTIVITIES = Export(
    name="cooperation",
    columns={
        "slug": lambda a: a.slug,
        "title": lambda a: a.title,
        "status": lambda a: a.status,
        "priority": lambda a: a.priority,
        "partners": lambda a: slugs(a.partners),
        "areas": lambda a: slugs(a.areas),
        "regions": lambda a: slugs(a.regions),
        "starts_on": lambda a: iso(a.starts_on),
        "ends_on": lambda a: iso(a.ends_on),
        "agreement": lambda a: a.agreement_id if a.agreement and a.agreement.is_published else None,
        "summary": lambda a: a.summary,
        "source": lambda a: slug_of(a.source),
        "source_passage": lambda a: a.source_passage,
        "url": lambda a: a.get_absolute_url(),
    },
    select_related=("agreement", "source"),
    # Partners that are not published yet stay out of the download.
    prefetch_related=(Prefetch("partners", queryset=Organisation.objects.published()), "areas", "regions"),
)
