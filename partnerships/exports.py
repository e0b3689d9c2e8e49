"""CSV and JSON downloads of the public registers.

A download carries every row the filters select, not just one page, so it is streamed:
rows are read from the database in chunks and written out as they come, and the memory
a download takes stays the same at ten rows or a hundred thousand. The full download of a
register (no filter) is written once per registry version to a file and served from there
(downloads.py).

A download of 100,000 activities must also finish well within a server worker's timeout, so
rows are read as plain values rather than model instances, and each many-to-many column
takes one query per chunk of rows (the link table joined to the slugs), not one per row.
"""

import csv
import datetime
import io
import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from .models import Citation, DatedFact
from .provenance import machine_date

CHUNK_SIZE = 2000

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A program that reads the file with another list separator (";" where the decimal mark is a
# comma, or a tab, or "|") starts a new cell after each of these, inside a value too: a formula
# can start there. "ok;=1+1" would be two cells, the second a formula.
FORMULA_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n]\s*)([=+\-@])")


@dataclass(frozen=True)
class Related:
    """A many-to-many column: the slugs of the related published records, in their usual order."""

    relation: str

    def slugs(self, model, ids):
        """{record id: [slug, ...]} for the records ``ids`` of ``model``, in one query."""
        field = model._meta.get_field(self.relation)
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = field.remote_field.through._base_manager.filter(
            **{f"{source}_id__in": ids, f"{target}__is_published": True}
        )
        ordering = [
            f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
            for name in field.related_model._meta.ordering
        ]
        found = defaultdict(list)
        for record_id, slug in links.order_by(*ordering).values_list(f"{source}_id", f"{target}__slug"):
            found[record_id].append(slug)
        return found

    def fetch(self, model, ids):
        return self.slugs(model, ids)


def citation_rows(model, ids, fields):
    """{record id: [citation values, ...]} for the records ``ids`` of ``model``, in their order."""
    owner = model._meta.get_field("citations").field.name
    found = defaultdict(list)
    # Only citations of published sources: a draft source is named nowhere public.
    rows = Citation.objects.filter(source__is_published=True, **{f"{owner}_id__in": ids}).order_by("position", "pk")
    for row in rows.values(f"{owner}_id", *fields):
        found[row.pop(f"{owner}_id")].append(row)
    return found


@dataclass(frozen=True)
class Citations:
    """A JSON column: the record's citations, each as its source's slug, passage and locator."""

    formats = frozenset({"json"})

    def fetch(self, model, ids):
        found = citation_rows(model, ids, ("source__slug", "passage", "locator"))
        return {
            record_id: [{"source": c["source__slug"], "passage": c["passage"], "locator": c["locator"]} for c in rows]
            for record_id, rows in found.items()
        }


@dataclass(frozen=True)
class FirstCitation:
    """A CSV column: one value of the record's first citation, as the single source columns were."""

    value: str
    formats = frozenset({"csv"})

    def fetch(self, model, ids):
        return {record_id: rows[0][self.value] for record_id, rows in citation_rows(model, ids, (self.value,)).items()}


@dataclass(frozen=True)
class DatedFacts:
    """A JSON column: the record's dated facts, each with its date at its precision and citations."""

    formats = frozenset({"json"})

    def fetch(self, model, ids):
        owner = model._meta.get_field("dated_facts").field.name
        facts = (
            DatedFact.objects.filter(**{f"{owner}__in": ids})
            .order_by("date", "pk")
            .values(owner, "pk", "slug", "date", "precision", "continuing", "statement")
        )
        facts = list(facts)
        fact_ids = list({fact["pk"] for fact in facts})
        citations = citation_rows(DatedFact, fact_ids, ("source__slug", "passage", "locator"))
        found = defaultdict(list)
        for fact in facts:
            found[fact[owner]].append(
                {
                    "slug": fact["slug"],
                    "date": machine_date(fact["date"], fact["precision"]),
                    "precision": fact["precision"],
                    "since": fact["continuing"],
                    "statement": fact["statement"],
                    "citations": [
                        {"source": c["source__slug"], "passage": c["passage"], "locator": c["locator"]}
                        for c in citations.get(fact["pk"], [])
                    ],
                }
            )
        return found


@dataclass(frozen=True)
class RecordURL:
    """The URL of the record's public page, from its slug or id."""

    url_name: str
    key: str

    def maker(self):
        """A function of a key, made with a single ``reverse()``: one per row would cost seconds."""
        placeholder = "987654321987654321"  # valid both as a slug and as a record id
        before, after = reverse(self.url_name, args=[placeholder]).split(placeholder)
        return lambda key: f"{before}{key}{after}"


def if_public(value, *flags):
    """``value`` when every one of the publication flags is set, else None."""
    return value if all(flags) else None


@dataclass(frozen=True)
class Export:
    """How one register is written out.

    Each column is a field path read with ``values()`` ("slug", "organisation__slug"), a column
    fetched per chunk of rows (Related many-to-many slugs, Citations, FirstCitation, DatedFacts:
    one or two queries per chunk, whatever its size), a RecordURL, or a function of the row's
    values; ``reads`` lists the further field paths the functions need. A column with
    ``formats`` appears only in those downloads: JSON carries every citation, CSV keeps the
    ``source`` and ``source_passage`` columns, holding the first citation.
    """

    name: str
    columns: dict
    reads: tuple = ()

    def columns_for(self, fmt):
        """The columns a download in ``fmt`` writes: the citation columns differ between CSV and JSON."""
        return {
            column: spec for column, spec in self.columns.items() if fmt in getattr(spec, "formats", {"csv", "json"})
        }

    def rows(self, queryset, fmt="json"):
        """Lists of column values, in the queryset's order."""
        columns = self.columns_for(fmt)
        paths = set(self.reads)
        paths |= {spec for spec in columns.values() if isinstance(spec, str)}
        paths |= {spec.key for spec in columns.values() if isinstance(spec, RecordURL)}
        related = {column: spec for column, spec in columns.items() if hasattr(spec, "fetch")}
        getters = [self.getter(column, spec) for column, spec in columns.items()]
        # The download reads what it writes, whatever the page view selected or prefetched.
        records = queryset.prefetch_related(None).values("pk", *sorted(paths)).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(itertools.islice(records, CHUNK_SIZE)):
            ids = [record["pk"] for record in chunk]
            links = {column: spec.fetch(queryset.model, ids) for column, spec in related.items()}
            for record in chunk:
                yield [get(record, links) for get in getters]

    @staticmethod
    def getter(column, spec):
        """A function of a record's values and its chunk's links, giving the column's value."""
        if isinstance(spec, str):
            return lambda record, links: plain(record[spec])
        if isinstance(spec, FirstCitation):
            return lambda record, links: links[column].get(record["pk"], "")
        if hasattr(spec, "fetch"):
            return lambda record, links: links[column].get(record["pk"], [])
        if isinstance(spec, RecordURL):
            url = spec.maker()
            return lambda record, links: url(record[spec.key])
        return lambda record, links: plain(spec(record))

    def chunks(self, queryset, fmt):
        """The rows in lists of up to CHUNK_SIZE, so that the response is written in large pieces."""
        rows = self.rows(queryset, fmt)
        while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
            yield chunk

    def body(self, queryset, fmt):
        """The download as pieces of text, read from the database as they are written out."""
        return self._csv(queryset) if fmt == "csv" else self._json(queryset)

    @staticmethod
    def content_type(fmt):
        return "text/csv; charset=utf-8" if fmt == "csv" else "application/json"

    def file_name(self, fmt):
        return f"{self.name}-{timezone.localdate().isoformat()}.{fmt}"

    def response(self, queryset, fmt):
        """A streamed download of exactly these rows (a filtered one: full ones are files, downloads.py)."""
        response = StreamingHttpResponse(self.body(queryset, fmt), content_type=self.content_type(fmt))
        response["Content-Disposition"] = f'attachment; filename="{self.file_name(fmt)}"'
        return response

    def _csv(self, queryset):
        # A byte-order mark lets spreadsheet programs read the file as UTF-8.
        columns = self.columns_for("csv")
        yield "\ufeff" + csv_lines([list(columns)])
        cells = [csv_list if isinstance(spec, Related) else csv_cell for spec in columns.values()]
        for chunk in self.chunks(queryset, "csv"):
            yield csv_lines([[cell(value) for cell, value in zip(cells, row, strict=True)] for row in chunk])

    def _json(self, queryset):
        yield "["
        separator = "\n"
        names = list(self.columns_for("json"))
        for chunk in self.chunks(queryset, "json"):
            parts = []
            for row in chunk:
                parts.append(separator + json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
                separator = ",\n"
            yield "".join(parts)
        yield "\n]\n"


def plain(value):
    """Dates as ISO 8601 text; everything else as read."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def csv_lines(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def csv_cell(value):
    """A value as a spreadsheet cell, with every place a formula could start defused by a
    leading apostrophe: the start of the cell, and the start of whatever follows a character a
    spreadsheet program may take as its list separator."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    value = FORMULA_AFTER_SEPARATOR.sub(r"\1'\2", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_list(values):
    """A list of slugs as one cell, joined by semicolons; each part is a place a cell can start."""
    return csv_cell(";".join(values))


ORGANISATIONS = Export(
    name="organisations",
    columns={
        "slug": "slug",
        "acronym": "acronym",
        "name": "name",
        "kind": "kind",
        "relationship": "relationship",
        "parent": lambda o: if_public(o["parent__slug"], o["parent__is_published"]),
        "areas": Related("areas"),
        "headquarters_city": "headquarters_city",
        "headquarters_country": "headquarters_country",
        "website": "website",
        "summary": "summary",
        "source": FirstCitation("source__slug"),
        "source_passage": FirstCitation("passage"),
        "citations": Citations(),
        "dated_facts": DatedFacts(),
        "url": RecordURL("partnerships:organisation-detail", "slug"),
    },
    reads=("parent__slug", "parent__is_published"),
)

AGREEMENTS = Export(
    name="agreements",
    columns={
        "id": "pk",
        "title": "title",
        "organisation": "organisation__slug",
        "kind": "kind",
        "status": "status",
        "signed_on": "signed_on",
        "in_force_from": "in_force_from",
        "expires_on": "expires_on",
        "areas": Related("areas"),
        # Only an agreement that is public itself (with its organisation) is named.
        "supersedes": lambda a: if_public(
            a["supersedes_id"], a["supersedes__is_published"], a["supersedes__organisation__is_published"]
        ),
        "document_url": "document_url",
        "summary": "summary",
        "citations": Citations(),
        "dated_facts": DatedFacts(),
        "url": RecordURL("partnerships:agreement-detail", "pk"),
    },
    reads=("supersedes_id", "supersedes__is_published", "supersedes__organisation__is_published"),
)

ACTIVITIES = Export(
    name="cooperation",
    columns={
        "slug": "slug",
        "title": "title",
        "status": "status",
        "priority": "priority",
        # Partners, areas and regions that are not published yet stay out of the download.
        "partners": Related("partners"),
        "areas": Related("areas"),
        "regions": Related("regions"),
        "starts_on": "starts_on",
        "ends_on": "ends_on",
        # Only an agreement that is public itself (with its organisation) is named.
        "agreement": lambda a: if_public(
            a["agreement_id"], a["agreement__is_published"], a["agreement__organisation__is_published"]
        ),
        "summary": "summary",
        "source": FirstCitation("source__slug"),
        "source_passage": FirstCitation("passage"),
        "citations": Citations(),
        "dated_facts": DatedFacts(),
        "url": RecordURL("partnerships:activity-detail", "slug"),
    },
    reads=("agreement_id", "agreement__is_published", "agreement__organisation__is_published"),
)
