"""The search index: one table per kind of record, one row per published record.

The tables are made by migration 0018_search_index, differently on each database: on SQLite an
FTS5 table (``porter unicode61 remove_diacritics 2``), on PostgreSQL a table with a weighted
``tsvector`` column computed from the same four texts, under a GIN index. Django neither creates
nor flushes them (``managed = False``); partnerships/search/index.py keeps them in step.

Each row's ``rowid`` is the record's id, so a search is a join on the record's primary key,
which either side of the join can drive. The four texts, most telling first:

- ``title``: name, acronym or title;
- ``related``: names and acronyms of related records (partners, areas, regions, organisation);
- ``summary``: summary or description;
- ``passage``: the quoted source passages.
"""

from django.db import models
from django.db.models import Lookup

COLUMNS = ("title", "related", "summary", "passage")
# PostgreSQL's text search configuration for the index (migration 0018_search_index): unaccent,
# then the English snowball stemmer without stop words, as SQLite's porter tokenizer has none.
TEXT_SEARCH_CONFIG = "partnerships_search"


class FullTextField(models.TextField):
    """A column that can be searched with ``__match``: FTS5's MATCH, PostgreSQL's @@."""


@FullTextField.register_lookup
class Match(Lookup):
    """``entry__fts__match=expression`` (SQLite) or ``entry__document__match=tsquery`` (PostgreSQL);
    the expression is written by partnerships/search/text.py."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} @@ to_tsquery('{TEXT_SEARCH_CONFIG}', {rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SearchEntry(models.Model):
    title = models.TextField()
    related = models.TextField()
    summary = models.TextField()
    passage = models.TextField()
    # PostgreSQL: the weighted vector computed from the four texts (A to D).
    document = FullTextField(db_column="document")

    class Meta:
        abstract = True
        managed = False


def entry_model(name, record_model, table):
    """A search entry model for one kind of record, joined to it as ``record.search_entry``."""

    class Meta:
        managed = False
        db_table = table
        app_label = "partnerships"

    return type(
        name,
        (SearchEntry,),
        {
            "__module__": __name__,
            "Meta": Meta,
            "record": models.OneToOneField(
                record_model,
                primary_key=True,
                db_column="rowid",
                on_delete=models.DO_NOTHING,  # the index is kept by the signals, not by cascades
                db_constraint=False,
                related_name="search_entry",
            ),
            # The FTS5 table's own hidden column: "<table>"."<table>" MATCH '...'.
            "fts": FullTextField(db_column=table),
        },
    )


OrganisationEntry = entry_model("OrganisationEntry", "partnerships.Organisation", "partnerships_search_organisation")
AgreementEntry = entry_model("AgreementEntry", "partnerships.Agreement", "partnerships_search_agreement")
ActivityEntry = entry_model("ActivityEntry", "partnerships.CooperationActivity", "partnerships_search_activity")
AreaEntry = entry_model("AreaEntry", "partnerships.CooperationArea", "partnerships_search_area")
SourceEntry = entry_model("SourceEntry", "partnerships.SourceDocument", "partnerships_search_source")

ENTRIES = [OrganisationEntry, AgreementEntry, ActivityEntry, AreaEntry, SourceEntry]


class SearchIndexRouter:
    """The index is derived from the records, so it is never dumped or loaded with them
    (``dumpdata`` would otherwise read these tables, whose columns differ by database); its
    tables are made by migration 0018_search_index itself."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "partnerships" and model_name in {entry._meta.model_name for entry in ENTRIES}:
            return False
        return None
