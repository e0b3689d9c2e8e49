"""Helpers for reading responses in tests, and for putting the database back as migrations left it."""

import json
import re
from html import unescape
from importlib import import_module

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def body(response):
    """The whole body of a response, streamed or not, as text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def export_json(client, url, params=None):
    """The JSON download of a register URL as a list of rows."""
    response = client.get(url, {**(params or {}), "format": "json"})
    assert response.status_code == 200, body(response)
    return json.loads(body(response))


def status_text(response):
    """The sentence above a register's results, as a sighted reader sees it (no hidden words, no tags)."""
    html = response.content.decode("utf-8")
    sentence = re.search(r'<p class="count" role="status">(.*?)</p>', html, re.S).group(1)
    sentence = re.sub(r'<span class="visually-hidden">.*?</span>', "", sentence)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", sentence)).split())


def migrate(targets):
    """Migrates the test database to ``targets``; the historical apps at that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Every migration applied again, as the tests after a migration test expect."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# The migrations that give the staff groups their rights, and the function of each that does.
STAFF_RIGHTS = [
    ("0005_staff_groups", "create_groups"),
    ("0014_staff_rights_for_citations", "grant"),
    ("0017_publication_of_vocabularies_and_sources", "let_editors_publish"),
]


def restore_staff_groups():
    """The staff groups with every right their migrations give them, by those migrations' own functions."""
    loader = MigrationExecutor(connection).loader
    for name, function in STAFF_RIGHTS:
        state = loader.project_state(("partnerships", name))
        getattr(import_module(f"partnerships.migrations.{name}"), function)(state.apps, None)
