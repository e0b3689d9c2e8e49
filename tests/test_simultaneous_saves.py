"""Simultaneous saves never answer 500 or lose what was typed: on SQLite and on PostgreSQL, two
saves at the same instant either both go through or the second gets the edit-conflict message.

On SQLite this needs transactions that take the write lock when they begin (config/settings.py):
a transaction that read first and then asked for the lock would be refused at once with
"database is locked", because the writer ahead of it may be waiting for it to finish reading.
"""

import json
import subprocess
import sys

import pytest

from partnerships.models import Organisation

from .databases import postgres_only
from .processes import ROOT, environment, sqlite_url
from .simultaneous_saves import REFUSED, SAVED, two_editors_save


def saves_on_sqlite(path, which):
    result = subprocess.run(
        [sys.executable, "-m", "tests.simultaneous_saves", which],
        cwd=ROOT,
        env=environment(sqlite_url(path)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return [tuple(outcome) for outcome in json.loads(result.stdout)]


def test_sqlite_of_two_simultaneous_saves_of_one_record_the_second_gets_the_conflict_message(sqlite_registry):
    outcomes = saves_on_sqlite(sqlite_registry, "same")
    assert sorted(outcome for _, _, outcome in outcomes) == sorted([SAVED, REFUSED])


def test_sqlite_two_simultaneous_saves_of_different_records_both_go_through(sqlite_registry):
    assert saves_on_sqlite(sqlite_registry, "different") == [
        ("iom", "Summary typed by the second editor.", SAVED),
        ("who", "Summary typed by the first editor.", SAVED),
    ]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_of_two_simultaneous_saves_of_one_record_the_second_gets_the_conflict_message(registry):
    outcomes = two_editors_save(["who", "who"])
    assert sorted(outcome for _, _, outcome in outcomes) == sorted([SAVED, REFUSED])
    winner = next(summary for _, summary, outcome in outcomes if outcome == SAVED)
    assert Organisation.objects.get(slug="who").summary == winner


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_two_simultaneous_saves_of_different_records_both_go_through(registry):
    assert two_editors_save(["who", "iom"]) == [
        ("iom", "Summary typed by the second editor.", SAVED),
        ("who", "Summary typed by the first editor.", SAVED),
    ]
