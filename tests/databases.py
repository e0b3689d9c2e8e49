"""Markers for behaviour that differs by database.

Full-text search and its indexes exist only on PostgreSQL, substring search only elsewhere.
`make test` runs the suite on SQLite and `make test-postgres` (CI runs both) on PostgreSQL,
so each of these tests runs in one of the two.
"""

import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: run `make test-postgres` with a DATABASE_URL"
)
not_postgres = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="substring search of SQLite; on PostgreSQL search is full-text"
)
