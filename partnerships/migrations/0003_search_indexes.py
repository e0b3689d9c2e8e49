"""GIN indexes for the full-text search of partnerships/search.py, on PostgreSQL only.

PostgreSQL uses an expression index only for the very expression it was built on, so each
vector here repeats search.SEARCHED_FIELDS (copied rather than imported, so that this migration
keeps meaning what it meant when it ran); tests/test_search.py checks that the search uses
them. SQLite has neither GIN indexes nor full-text search: there the migration does nothing.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

SEARCH_INDEXES = {
    "organisation": GinIndex(
        SearchVector("name", weight="A", config="english")
        + SearchVector("acronym", weight="A", config="simple")
        + SearchVector("summary", weight="B", config="english"),
        name="partnerships_org_search",
    ),
    "agreement": GinIndex(
        SearchVector("title", weight="A", config="english") + SearchVector("summary", weight="B", config="english"),
        name="partnerships_agreement_search",
    ),
    "cooperationactivity": GinIndex(
        SearchVector("title", weight="A", config="english") + SearchVector("summary", weight="B", config="english"),
        name="partnerships_activity_search",
    ),
}


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in SEARCH_INDEXES.items():
        schema_editor.add_index(apps.get_model("partnerships", model_name), index)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in SEARCH_INDEXES.items():
        schema_editor.remove_index(apps.get_model("partnerships", model_name), index)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0002_record_versions"),
    ]

    operations = [
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
