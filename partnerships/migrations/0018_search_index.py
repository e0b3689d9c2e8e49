"""The search index: one table per kind of record (partnerships/search/entries.py), built from
the records already there.

SQLite: FTS5 tables (porter stemming, accents and case folded; prefix indexes for the first
letters typed). PostgreSQL: tables of the same four texts with a weighted tsvector computed
from them (title A, related names B, summary C, passage D) under a GIN index, in
a text search configuration that folds accents (unaccent, a trusted extension that the
database's owner may create) and stems English words without dropping stop words, as SQLite
does. The expression indexes of 0003_search_indexes, which this index replaces, are dropped.

The tables' names and the configuration's are written out here rather than imported, so that
this migration keeps meaning what it meant when it ran.
"""

import importlib

import django.db.models.deletion
import partnerships.search.entries
from django.db import migrations, models

TABLES = {
    "organisation": "partnerships_search_organisation",
    "agreement": "partnerships_search_agreement",
    "activity": "partnerships_search_activity",
    "area": "partnerships_search_area",
    "source": "partnerships_search_source",
}
CONFIG = "partnerships_search"
PG_WORDS = "asciiword, word, hword_part, hword_asciipart, asciihword, hword"

search_indexes = importlib.import_module("partnerships.migrations.0003_search_indexes")


def sqlite_tables():
    for table in TABLES.values():
        yield (
            f"CREATE VIRTUAL TABLE {table} USING fts5(title, related, summary, passage, "
            "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')"
        )


def postgresql_tables():
    yield "CREATE EXTENSION IF NOT EXISTS unaccent"
    yield f"CREATE TEXT SEARCH DICTIONARY {CONFIG}_stem (TEMPLATE = snowball, language = english)"
    yield f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)"
    yield f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {PG_WORDS} WITH unaccent, {CONFIG}_stem"
    vector = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, {column}), '{weight}')"
        for column, weight in [("title", "A"), ("related", "B"), ("summary", "C"), ("passage", "D")]
    )
    for table in TABLES.values():
        yield (
            f"CREATE TABLE {table} (rowid bigint PRIMARY KEY, title text NOT NULL, related text NOT NULL, "
            f"summary text NOT NULL, passage text NOT NULL, document tsvector GENERATED ALWAYS AS ({vector}) STORED)"
        )
        yield f"CREATE INDEX {table}_document ON {table} USING gin (document)"


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        search_indexes.drop_search_indexes(apps, schema_editor)
        statements = postgresql_tables()
    elif vendor == "sqlite":
        statements = sqlite_tables()
    else:
        raise RuntimeError(f"The search index needs SQLite or PostgreSQL, not {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)
    from partnerships.search.index import rebuild

    rebuild(apps, schema_editor.connection.alias)


def drop_index(apps, schema_editor):
    for table in TABLES.values():
        schema_editor.execute(f"DROP TABLE {table}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION {CONFIG}")
        schema_editor.execute(f"DROP TEXT SEARCH DICTIONARY {CONFIG}_stem")
        search_indexes.create_search_indexes(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ('partnerships', '0017_publication_of_vocabularies_and_sources'),
    ]

    operations = [
        migrations.CreateModel(
            name='ActivityEntry',
            fields=[
                ('title', models.TextField()),
                ('related', models.TextField()),
                ('summary', models.TextField()),
                ('passage', models.TextField()),
                ('document', partnerships.search.entries.FullTextField(db_column='document')),
                ('record', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_entry', serialize=False, to='partnerships.cooperationactivity')),
                ('fts', partnerships.search.entries.FullTextField(db_column='partnerships_search_activity')),
            ],
            options={
                'db_table': 'partnerships_search_activity',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='AgreementEntry',
            fields=[
                ('title', models.TextField()),
                ('related', models.TextField()),
                ('summary', models.TextField()),
                ('passage', models.TextField()),
                ('document', partnerships.search.entries.FullTextField(db_column='document')),
                ('record', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_entry', serialize=False, to='partnerships.agreement')),
                ('fts', partnerships.search.entries.FullTextField(db_column='partnerships_search_agreement')),
            ],
            options={
                'db_table': 'partnerships_search_agreement',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='AreaEntry',
            fields=[
                ('title', models.TextField()),
                ('related', models.TextField()),
                ('summary', models.TextField()),
                ('passage', models.TextField()),
                ('document', partnerships.search.entries.FullTextField(db_column='document')),
                ('record', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_entry', serialize=False, to='partnerships.cooperationarea')),
                ('fts', partnerships.search.entries.FullTextField(db_column='partnerships_search_area')),
            ],
            options={
                'db_table': 'partnerships_search_area',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='OrganisationEntry',
            fields=[
                ('title', models.TextField()),
                ('related', models.TextField()),
                ('summary', models.TextField()),
                ('passage', models.TextField()),
                ('document', partnerships.search.entries.FullTextField(db_column='document')),
                ('record', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_entry', serialize=False, to='partnerships.organisation')),
                ('fts', partnerships.search.entries.FullTextField(db_column='partnerships_search_organisation')),
            ],
            options={
                'db_table': 'partnerships_search_organisation',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='SourceEntry',
            fields=[
                ('title', models.TextField()),
                ('related', models.TextField()),
                ('summary', models.TextField()),
                ('passage', models.TextField()),
                ('document', partnerships.search.entries.FullTextField(db_column='document')),
                ('record', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_entry', serialize=False, to='partnerships.sourcedocument')),
                ('fts', partnerships.search.entries.FullTextField(db_column='partnerships_search_source')),
            ],
            options={
                'db_table': 'partnerships_search_source',
                'managed': False,
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
