"""Finding records: the ``q`` of the public registers and of the search page, alike on SQLite
and PostgreSQL.

The query is parsed once in Python (text.py) and matched against the search index
(entries.py), joined to the records on their primary key: SQLite's FTS5 ``MATCH`` ranked by
bm25, PostgreSQL's ``@@`` on the weighted vector ranked by ``ts_rank``. Either way a match in
a name, acronym or title ranks above one in related names, a summary or a passage, and an
organisation whose acronym is exactly the query comes first.
"""

from django.db import connections
from django.db.models import Case, F, FloatField, Func, Value, When

from . import text
from .entries import TEXT_SEARCH_CONFIG


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


def _rank(connection, expression):
    if connection.vendor == "postgresql":
        query = Func(Value(TEXT_SEARCH_CONFIG), Value(expression), function="to_tsquery")
        return Func(F("search_entry__document"), query, function="ts_rank", output_field=FloatField())
    # FTS5's rank (bm25 with the column weights of migration 0010): lower is better.
    return -F("search_entry__rank")


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
    results = results.annotate(search_rank=_rank(connection, expression))
    order = ["-search_rank", *model._meta.ordering]
    if any(field.name == "acronym" for field in model._meta.fields):
        exact = Case(When(acronym__iexact=text.clean(q), then=Value(1)), default=Value(0))
        results = results.alias(exact_acronym=exact)
        order.insert(0, "-exact_acronym")
    return results.order_by(*order)
