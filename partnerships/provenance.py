"""Where each record's statements come from, read in one place.

A record names its source document and the passage quoted from it. The API and the open-data
pages read citations and dated facts only through these functions, so that they follow the
records' provenance wherever it is kept.
"""

from dataclasses import dataclass

from .models import SourceDocument


@dataclass(frozen=True)
class Citation:
    source: SourceDocument | None
    passage: str
    locator: str = ""


def citations_of(record):
    """The record's citations: its source document and the passage quoted from it, if any."""
    source = getattr(record, "source", None)
    passage = getattr(record, "source_passage", "")
    if source is None and not passage:
        return []
    return [Citation(source=source, passage=passage)]


def dated_facts_of(record):
    """The dated facts stated about the record: none are recorded yet."""
    return []


def with_citations(queryset):
    """``queryset`` reading what ``citations_of`` needs in the same query."""
    if any(field.name == "source" for field in queryset.model._meta.get_fields()):
        return queryset.select_related("source")
    return queryset
