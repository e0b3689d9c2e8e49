"""Migrating a database that holds records with sources: each source and passage becomes a
citation, unchanged, and the old fields go. Going back gives each record its first citation."""

import pytest

from .helpers import migrate, migrate_to_latest

# The database is flushed afterwards; tests that need the staff groups the migrations make get
# them back from conftest.py. (A serialized rollback collides with the content types that
# PostgreSQL's flush leaves re-created.)
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("partnerships", "0010_registry_version_changed_at")]
AFTER = [("partnerships", "0014_staff_rights_for_citations")]


@pytest.fixture
def old_registry():
    """A database at the last migration before citations, with records quoting sources."""
    apps = migrate(BEFORE)
    SourceDocument = apps.get_model("partnerships", "SourceDocument")
    Organisation = apps.get_model("partnerships", "Organisation")
    Activity = apps.get_model("partnerships", "CooperationActivity")
    text = SourceDocument.objects.create(title="International organisations", slug="io", publisher="Frontex")
    report = SourceDocument.objects.create(title="Annual report", slug="report")
    records = {
        "quoted": Organisation.objects.create(
            name="Quoted", acronym="Q", slug="q", kind="un-system", relationship="active",
            source=text, source_passage="The agency values its cooperation with Q.",
        ),
        "source only": Organisation.objects.create(
            name="Source only", acronym="S", slug="s", kind="un-system", relationship="active", source=report,
        ),
        "passage only": Organisation.objects.create(
            name="Passage only", acronym="P", slug="p", kind="un-system", relationship="active",
            source_passage="Words whose document was never named.",
        ),
        "nothing": Organisation.objects.create(
            name="Nothing", acronym="N", slug="n", kind="un-system", relationship="active",
        ),
        "activity": Activity.objects.create(
            title="Joint training", slug="joint-training", source=report, source_passage="Joint training ’24.",
        ),
    }  # fmt: skip
    yield {name: record.pk for name, record in records.items()}
    migrate_to_latest()  # the tests that follow expect every migration applied


def test_each_source_and_passage_becomes_a_citation_unchanged(old_registry):
    apps = migrate(AFTER)
    Citation = apps.get_model("partnerships", "Citation")
    rows = {
        (row["organisation_id"], row["activity_id"]): (row["source__slug"], row["passage"], row["locator"])
        for row in Citation.objects.values("organisation_id", "activity_id", "source__slug", "passage", "locator")
    }
    assert rows == {
        (old_registry["quoted"], None): ("io", "The agency values its cooperation with Q.", ""),
        (old_registry["source only"], None): ("report", "", ""),
        # Nothing quoted is lost: a passage without a document is cited from a placeholder
        # source that editors find and correct.
        (old_registry["passage only"], None): ("source-not-recorded", "Words whose document was never named.", ""),
        (None, old_registry["activity"]): ("report", "Joint training ’24.", ""),
    }
    SourceDocument = apps.get_model("partnerships", "SourceDocument")
    assert SourceDocument.objects.get(slug="source-not-recorded").title == "Source not recorded"
    Organisation = apps.get_model("partnerships", "Organisation")
    field_names = {field.name for field in Organisation._meta.get_fields()}
    assert "source" not in field_names and "source_passage" not in field_names


def test_going_back_gives_each_record_its_first_citation(old_registry):
    apps = migrate(AFTER)
    Citation = apps.get_model("partnerships", "Citation")
    SourceDocument = apps.get_model("partnerships", "SourceDocument")
    io = SourceDocument.objects.get(slug="io")
    # A second citation of the activity, placed first.
    Citation.objects.create(activity_id=old_registry["activity"], source=io, passage="Placed first.", position=0)
    Citation.objects.filter(activity_id=old_registry["activity"], source__slug="report").update(position=1)

    apps = migrate(BEFORE)
    Organisation = apps.get_model("partnerships", "Organisation")
    Activity = apps.get_model("partnerships", "CooperationActivity")
    quoted = Organisation.objects.get(pk=old_registry["quoted"])
    assert (quoted.source.slug, quoted.source_passage) == ("io", "The agency values its cooperation with Q.")
    activity = Activity.objects.get(pk=old_registry["activity"])
    assert (activity.source.slug, activity.source_passage) == ("io", "Placed first.")
    assert Organisation.objects.get(pk=old_registry["nothing"]).source is None
