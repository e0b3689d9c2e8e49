"""Text search over organisations, agreements and cooperation activities: the ``q`` of the public lists.

On PostgreSQL, full-text search: English stemming ("trafficked" finds "trafficking"), names,
acronyms and titles weighted above summaries, results ranked by relevance, served by the GIN
indexes of migration 0003_search_indexes. On other databases (SQLite on a developer's
machine), a case-insensitive substring match over the same fields.
"""

import functools
import operator

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, Q

from .models import Agreement, CooperationActivity, Organisation

# What each model is searched on: (field, weight, PostgreSQL text search configuration).
# Acronyms use "simple" (no stemming, no stop words) because "english" drops WHO as a stop word.
# Migration 0003_search_indexes indexes exactly these vectors: PostgreSQL uses an index only
# for the very expression it was built on, so change both together (tests/test_search.py
# checks the plans).
SEARCHED_FIELDS = {
    Organisation: [("name", "A", "english"), ("acronym", "A", "simple"), ("summary", "B", "english")],
    Agreement: [("title", "A", "english"), ("summary", "B", "english")],
    CooperationActivity: [("title", "A", "english"), ("summary", "B", "english")],
}


def searched_fields(model):
    try:
        return SEARCHED_FIELDS[model._meta.concrete_model]
    except KeyError:
        raise TypeError(f"{model._meta.label} records are not searchable.") from None


def search_vector(model):
    """The weighted tsvector of a record, as the search indexes store it."""
    return functools.reduce(
        operator.add,
        (SearchVector(field, weight=weight, config=config) for field, weight, config in searched_fields(model)),
    )


def clean_search_text(q):
    """The text as the database can take it: PostgreSQL refuses NUL characters in text, and
    neither driver can encode the lone surrogates a Python string may carry."""
    return (q or "").replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()


def search(queryset, q):
    """Filter `queryset` (of Organisation, Agreement or CooperationActivity) to rows matching the text `q`.

    On PostgreSQL full-text with a weighted vector and ranked by relevance (annotation
    ``search_rank``, ordered by -search_rank then the model's stable ordering, name/title then
    pk); on other databases a case-insensitive substring match over the same fields (ordering
    untouched). Any text is accepted; an empty or blank `q` returns the queryset unchanged.
    """
    model = queryset.model
    fields = searched_fields(model)
    q = clean_search_text(q)
    if not q:
        return queryset

    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(
            functools.reduce(operator.or_, [Q(**{f"{field}__icontains": q}) for field, *_ in fields])
        )

    # websearch_to_tsquery accepts any input ("quoted phrases", or, -exclusions) without a
    # syntax error. The "simple" reading of the same words is what lets an acronym that
    # English drops as a stop word (WHO) match the acronym field.
    query = SearchQuery(q, config="english", search_type="websearch") | SearchQuery(
        q, config="simple", search_type="websearch"
    )
    return (
        # alias(), not annotate(): the vector is needed in WHERE, not in every fetched row.
        queryset.alias(search_vector=search_vector(model))
        .filter(search_vector=query)
        .annotate(search_rank=SearchRank(F("search_vector"), query))
        .order_by("-search_rank", *model._meta.ordering)
    )
