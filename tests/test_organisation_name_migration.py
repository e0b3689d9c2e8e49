"""Migrating to organisation names unique in any case: a database holding names that differ only
in case is refused with those names, before any constraint fails on its own."""

import pytest

from .helpers import migrate, migrate_to_latest

# The database is flushed afterwards, as in test_citation_migration.py.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("partnerships", "0021_staff_workflow")]
AFTER = [("partnerships", "0022_organisation_name_any_case")]


@pytest.fixture
def at_0021():
    apps = migrate(BEFORE)
    yield apps.get_model("partnerships", "Organisation")
    migrate_to_latest()  # the tests that follow expect every migration applied


def organisation(model, name, slug):
    return model.objects.create(name=name, acronym=slug.upper(), slug=slug, kind="un-system", relationship="active")


def test_names_differing_only_in_case_are_named_and_nothing_is_changed(at_0021):
    organisation(at_0021, "World Health Organization", "who")
    organisation(at_0021, "world health organization", "who-2")
    organisation(at_0021, "International Organization for Migration", "iom")

    with pytest.raises(RuntimeError) as refused:
        migrate(AFTER)

    assert str(refused.value) == (
        "Organisation names must be unique in any case; rename these organisations before migrating: "
        "World Health Organization; world health organization"
    )
    at_0021.objects.filter(slug="who-2").update(name="World Health Organization (regional office)")
    migrate(AFTER)  # once renamed, the migration goes through
