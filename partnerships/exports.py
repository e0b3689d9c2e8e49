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
from django.utils.text import slugify

from .models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    Region,
    SourceDocument,
)
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
    """A many-to-many column: the slugs (or names) of the related published records, in their usual order."""

    relation: str
    attribute: str = "slug"
    meaning: str = ""

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
        for record_id, slug in links.order_by(*ordering).values_list(f"{source}_id", f"{target}__{self.attribute}"):
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
    """The absolute URL of the record's public page (or of its page in the API), from its slug or id."""

    url_name: str
    key: str
    meaning: str = "The address of the record's public page."

    def maker(self, base_url=""):
        """A function of a key, made with a single ``reverse()``: one per row would cost seconds."""
        placeholder = "987654321987654321"  # valid both as a slug and as a record id
        before, after = reverse(self.url_name, args=[placeholder]).split(placeholder)
        before = base_url + before
        return lambda key: f"{before}{key}{after}"


@dataclass(frozen=True)
class Computed:
    """A column computed from the row's values (``reads``: the field paths it needs)."""

    compute: object
    reads: tuple = ()
    meaning: str = ""
    values: str = ""


def label(field_name, choices, meaning=""):
    """The label people see for a choice, beside its value."""
    labels = dict(choices.choices)
    return Computed(
        lambda row: labels.get(row[field_name], row[field_name]),
        (field_name,),
        meaning or f"The label of {field_name}, as the site shows it.",
        values=", ".join(f"“{text}”" for text in labels.values()),
    )


def last_changed_on():
    return Computed(
        lambda row: timezone.localdate(row["public_changed_at"]) if row["public_changed_at"] else None,
        ("public_changed_at",),
        "The day what the public sees of the record last changed (the registry's time zone).",
        values="a date, YYYY-MM-DD",
    )


def if_public(value, *flags):
    """``value`` when every one of the publication flags is set, else None."""
    return value if all(flags) else None


@dataclass(frozen=True)
class Export:
    """How one register is written out.

    Each column is a field path read with ``values()`` ("slug", "source__slug"), a Related
    many-to-many column, a RecordURL, or a function of the row's values; ``reads`` lists the
    further field paths the functions need.
    """

    name: str
    columns: dict
    reads: tuple = ()
    title: str = ""
    model: object = None

    def columns_for(self, fmt):
        """The columns a download in ``fmt`` writes: the citation columns differ between CSV and JSON."""
        return {
            column: spec for column, spec in self.columns.items() if fmt in getattr(spec, "formats", {"csv", "json"})
        }

    def rows(self, queryset, fmt="json", base_url=""):
        """Lists of column values, in the queryset's order; URLs made absolute with ``base_url``."""
        columns = self.columns_for(fmt)
        paths = set(self.reads)
        paths |= {spec for spec in columns.values() if isinstance(spec, str)}
        paths |= {spec.key for spec in columns.values() if isinstance(spec, RecordURL)}
        paths |= {path for spec in columns.values() if isinstance(spec, Computed) for path in spec.reads}
        related = {column: spec for column, spec in columns.items() if hasattr(spec, "fetch")}
        getters = [self.getter(column, spec, base_url) for column, spec in columns.items()]
        # The download reads what it writes, whatever the page view selected or prefetched.
        records = queryset.prefetch_related(None).values("pk", *sorted(paths)).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(itertools.islice(records, CHUNK_SIZE)):
            ids = [record["pk"] for record in chunk]
            links = {column: spec.fetch(queryset.model, ids) for column, spec in related.items()}
            for record in chunk:
                yield [get(record, links) for get in getters]

    @staticmethod
    def getter(column, spec, base_url=""):
        """A function of a record's values and its chunk's links, giving the column's value."""
        if isinstance(spec, str):
            return lambda record, links: plain(record[spec])
        if isinstance(spec, FirstCitation):
            return lambda record, links: links[column].get(record["pk"], "")
        if hasattr(spec, "fetch"):
            return lambda record, links: links[column].get(record["pk"], [])
        if isinstance(spec, RecordURL):
            url = spec.maker(base_url)
            return lambda record, links: url(record[spec.key])
        if isinstance(spec, Computed):
            return lambda record, links: plain(spec.compute(record))
        return lambda record, links: plain(spec(record))

    def chunks(self, queryset, fmt, base_url=""):
        """The rows in lists of up to CHUNK_SIZE, so that the response is written in large pieces."""
        rows = self.rows(queryset, fmt, base_url)
        while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
            yield chunk

    def body(self, queryset, fmt, base_url=""):
        """The download as pieces of text, read from the database as they are written out."""
        return self._csv(queryset, base_url) if fmt == "csv" else self._json(queryset, base_url)

    @staticmethod
    def content_type(fmt):
        return "text/csv; charset=utf-8" if fmt == "csv" else "application/json"

    def response(self, queryset, fmt, request, filters=None):
        """A streamed download of exactly these rows (a filtered one: full ones are files, downloads.py),
        its file name saying what was filtered and when."""
        base_url = request.build_absolute_uri("/").rstrip("/")
        response = StreamingHttpResponse(self.body(queryset, fmt, base_url), content_type=self.content_type(fmt))
        response["Content-Disposition"] = f'attachment; filename="{self.file_name(fmt, filters)}"'
        return response

    def file_name(self, fmt, filters=None):
        """e.g. ``cooperation-area-return-status-ongoing-planned-2026-12-02.csv``."""
        parts = [self.name]
        for name, values in filters.lists() if filters else ():
            if values:
                parts.append(slugify(f"{name} {' '.join(values)}")[:60].strip("-"))
        stem = "-".join(part for part in parts if part)[:180].rstrip("-")
        return f"{stem}-{timezone.localdate().isoformat()}.{fmt}"

    def _csv(self, queryset, base_url=""):
        # A byte-order mark lets spreadsheet programs read the file as UTF-8.
        columns = self.columns_for("csv")
        yield "\ufeff" + csv_lines([list(columns)])
        cells = [csv_list if isinstance(spec, Related) else csv_cell for spec in columns.values()]
        for chunk in self.chunks(queryset, "csv", base_url):
            yield csv_lines([[cell(value) for cell, value in zip(cells, row, strict=True)] for row in chunk])

    def _json(self, queryset, base_url=""):
        yield "["
        separator = "\n"
        names = list(self.columns_for("json"))
        for chunk in self.chunks(queryset, "json", base_url):
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
    title="Organisations",
    model=Organisation,
    columns={
        "slug": "slug",
        "acronym": "acronym",
        "name": "name",
        "kind": "kind",
        "kind_label": label("kind", Organisation.Kind),
        "relationship": "relationship",
        "relationship_label": label("relationship", Organisation.Relationship),
        "parent": Computed(
            lambda o: if_public(o["parent__slug"], o["parent__is_published"]),
            ("parent__slug", "parent__is_published"),
            "The slug of the organisation this one is a body of.",
            values="an organisation's slug, or empty",
        ),
        "parent_name": Computed(
            lambda o: if_public(o["parent__name"], o["parent__is_published"]),
            ("parent__name", "parent__is_published"),
            "The name of the organisation this one is a body of.",
        ),
        "areas": Related("areas", meaning="The slugs of its cooperation areas."),
        "area_names": Related("areas", attribute="name", meaning="The names of its cooperation areas."),
        "headquarters_city": "headquarters_city",
        "headquarters_country": "headquarters_country",
        "website": "website",
        "summary": "summary",
        "source": FirstCitation("source__slug"),
        "source_passage": FirstCitation("passage"),
        "citations": Citations(),
        "dated_facts": DatedFacts(),
        "last_changed_on": last_changed_on(),
        "url": RecordURL("partnerships:organisation-detail", "slug"),
    },
)

AGREEMENTS = Export(
    name="agreements",
    title="Agreements",
    model=Agreement,
    columns={
        "id": "pk",
        "title": "title",
        "organisation": "organisation__slug",
        "organisation_name": Computed(
            lambda a: a["organisation__name"], ("organisation__name",), "The name of the organisation.", "text"
        ),
        "kind": "kind",
        "kind_label": label("kind", Agreement.Kind),
        "status": "status",
        "status_label": label("status", Agreement.Status),
        "signed_on": "signed_on",
        "in_force_from": "in_force_from",
        "expires_on": "expires_on",
        "areas": Related("areas", meaning="The slugs of the cooperation areas it covers."),
        "area_names": Related("areas", attribute="name", meaning="The names of the cooperation areas it covers."),
        # Only an agreement that is public itself (with its organisation) is named.
        "supersedes": Computed(
            lambda a: if_public(
                a["supersedes_id"], a["supersedes__is_published"], a["supersedes__organisation__is_published"]
            ),
            ("supersedes_id", "supersedes__is_published", "supersedes__organisation__is_published"),
            "The id of the earlier agreement this one replaces.",
            values="an agreement id, or empty",
        ),
        "document_url": "document_url",
        "summary": "summary",
        "citations": Citations(),
        "dated_facts": DatedFacts(),
        "last_changed_on": last_changed_on(),
        "url": RecordURL("partnerships:agreement-detail", "pk"),
    },
)

ACTIVITIES = Export(
    name="cooperation",
    title="Cooperation activities",
    model=CooperationActivity,
    columns={
        "slug": "slug",
        "title": "title",
        "status": "status",
        "status_label": label("status", CooperationActivity.Status),
        "priority": "priority",
        "priority_label": label("priority", CooperationActivity.Priority),
        # Partners, areas and regions that are not published yet stay out of the download.
        "partners": Related("partners", meaning="The slugs of the partner organisations."),
        "partner_names": Related("partners", attribute="name", meaning="The names of the partner organisations."),
        "areas": Related("areas", meaning="The slugs of its cooperation areas."),
        "area_names": Related("areas", attribute="name", meaning="The names of its cooperation areas."),
        "regions": Related("regions", meaning="The slugs of the regions or countries it concerns."),
        "region_names": Related("regions", attribute="name", meaning="The names of the regions or countries."),
        "starts_on": "starts_on",
        "ends_on": "ends_on",
        # Only an agreement that is public itself (with its organisation) is named.
        "agreement": Computed(
            lambda a: if_public(
                a["agreement_id"], a["agreement__is_published"], a["agreement__organisation__is_published"]
            ),
            ("agreement_id", "agreement__is_published", "agreement__organisation__is_published"),
            "The id of the agreement the activity runs under.",
            values="an agreement id, or empty",
        ),
        "summary": "summary",
        "source": FirstCitation("source__slug"),
        "source_passage": FirstCitation("passage"),
        "citations": Citations(),
        "dated_facts": DatedFacts(),
        "last_changed_on": last_changed_on(),
        "url": RecordURL("partnerships:activity-detail", "slug"),
    },
)

# The vocabularies, to join the registers' slugs against.
AREAS = Export(
    name="areas",
    title="Cooperation areas",
    model=CooperationArea,
    columns={
        "slug": "slug",
        "name": "name",
        "description": "description",
        "display_order": "display_order",
        "last_changed_on": last_changed_on(),
        "url": RecordURL("partnerships:area-detail", "slug"),
    },
)

REGIONS = Export(
    name="regions",
    title="Regions",
    model=Region,
    columns={
        "slug": "slug",
        "name": "name",
        "kind": "kind",
        "kind_label": label("kind", Region.Kind),
        "last_changed_on": last_changed_on(),
        "api_url": RecordURL(
            "api:region-detail", "slug", "The region in the API (regions have no page of their own)."
        ),
    },
)

SOURCES = Export(
    name="sources",
    title="Source documents",
    model=SourceDocument,
    columns={
        "slug": "slug",
        "title": "title",
        "publisher": "publisher",
        "published_on": "published_on",
        "url": "url",
        "last_changed_on": last_changed_on(),
    },
)

REGISTERS = {"organisations": ORGANISATIONS, "agreements": AGREEMENTS, "cooperation": ACTIVITIES}
VOCABULARIES = {"areas": AREAS, "regions": REGIONS, "sources": SOURCES}
