"""Finding records: the ``q`` of the public registers and of the search page, alike on SQLite
and PostgreSQL.

The query is parsed once in Python (text.py) and matched against the search index
(entries.py), joined to the records on their primary key: SQLite's FTS5 ``MATCH``,
PostgreSQL's ``@@`` on the weighted vector. Results are ranked in tiers, the same on both
databases: an organisation whose acronym is exactly the query first, then records the query
matches within their name, acronym or title, then within those and the related names, then
the rest (summaries, passages); within a tier, in the model's own order (title or name, then
id). Tiers rank by where the words are, which is what a visitor can see and predict; they are
also cheaper than a relevance score (bm25, ts_rank), which must be computed for every match
before the first page can be shown.
"""

from django.db import connections
from django.db.models import Case, Q, Value, When

from . import text

# The tiers, best first (the annotation ``search_rank``: higher is better).
IN_TITLE, IN_NAMES, ELSEWHERE = 3, 2, 1


def entry_model(model):
    try:
        return model._meta.concrete_model._meta.get_field("search_entry").related_model
    except Exception:
        raise TypeError(f"{model._meta.label} records are not searchable.") from None


def _match(connection, expression, prefix=""):
    column = "document" if connection.vendor == "postgresql" else "fts"
    return {f"{prefix}{column}__match": expression}


def _expression(connection, query, excluded=True):
    return text.tsquery(query, excluded) if connection.vendor == "postgresql" else text.fts5(query, excluded)


def _tier(connection, entries, query):
    """Where the query matches: within the title, within the title and related names, or elsewhere."""
    if connection.vendor == "postgresql":
        # Words weighted A (title) or B (related names) in the vector: labelled in the query,
        # so that the vector is matched as it is (filtering it by weight first copies it).

        def within(weights):
            return Q(search_entry__document__match=text.tsquery(query, excluded=False, weights=weights))

        title, names = within("A"), within("AB")
    else:
        # FTS5 cannot MATCH outside WHERE: ask which matching rows have the words in those columns.
        expression = text.fts5(query, excluded=False)

        def within(columns):
            rows = entries.objects.filter(fts__match=f"{{{columns}}}: ({expression})").values("record")
            return Q(pk__in=rows)

        title, names = within("title"), within("title related")
    return Case(When(title, then=Value(IN_TITLE)), When(names, then=Value(IN_NAMES)), default=Value(ELSEWHERE))


def search(queryset, q):
    """Filter ``queryset`` (organisations, agreements, activities, areas or sources) to the records
    matching the text ``q``, best first (annotation ``search_rank``), then in the model's order.

    Any text is accepted; a ``q`` with no word in it returns the queryset unchanged.
    """
    model = queryset.model
    entries = entry_model(model)
    query = text.parse(q)
    if not query:
        return queryset
    connection = connections[queryset.db]
    if not query.alternatives:  # only exclusions: everything else
        excluded = entries.objects.filter(**_match(connection, _expression(connection, query))).values("record")
        return queryset.exclude(pk__in=excluded)

    expression = _expression(connection, query)
    results = queryset.filter(**_match(connection, expression, prefix="search_entry__"))
    results = results.annotate(search_rank=_tier(connection, entries, query))
    order = ["-search_rank", *model._meta.ordering]
    if any(field.name == "acronym" for field in model._meta.fields):
        exact = Case(When(acronym__iexact=text.clean(q), then=Value(1)), default=Value(0))
        results = results.alias(exact_acronym=exact)
        order.insert(0, "-exact_acronym")
    return results.order_by(*order)
