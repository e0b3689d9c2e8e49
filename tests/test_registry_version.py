"""The registry version changes with every kind of change, so that no cached page outlives one, and
never comes back to a number pages were cached under: not after a restore, a fresh load or a
change made outside the application."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    Region,
    RegistryVersion,
    SourceDocument,
)

from .processes import manage, run_django, sqlite_url

pytestmark = pytest.mark.usefixtures("registry")


@pytest.fixture
def moved():
    """A check that the version has changed since the last check, to a number never seen before."""
    seen = [RegistryVersion.current()]

    def check():
        now = RegistryVersion.current()
        changed = now != seen[-1]
        if changed:
            assert now not in seen, "the version came back to an earlier number"
            seen.append(now)
        return changed

    return check


def test_saving_and_deleting_any_registry_record_moves_the_version(moved):
    for model in [CooperationArea, Region, SourceDocument, Organisation, CooperationActivity, Citation, DatedFact]:
        record = model.objects.order_by("pk").first()
        record.save()
        assert moved(), model
    agreement = Agreement.objects.create(
        title="Working arrangement", organisation=Organisation.objects.get(slug="iom"), kind="other", status="in-force"
    )
    assert moved()
    agreement.delete()
    assert moved()
    CooperationActivity.objects.get(slug="fields-deployment").delete()
    assert moved()


def test_citations_dated_facts_and_their_links_move_the_version(moved):
    fact = DatedFact.objects.get(slug="maoc-n-inaugurated")
    fact.citations.get().delete()
    assert moved()
    fact.organisations.add(Organisation.objects.get(slug="who"))
    assert moved()
    fact.delete()
    assert moved()


def test_changing_many_to_many_links_from_either_side_moves_the_version(moved):
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    who = Organisation.objects.get(slug="who")
    activity.partners.add(who)
    assert moved()
    activity.partners.remove(who)
    assert moved()
    CooperationArea.objects.get(slug="terrorism").activities.clear()
    assert moved()
    Region.objects.get(slug="turkiye").activities.set([activity])
    assert moved()


def test_bulk_updates_which_send_no_signals_move_the_version_too(moved):
    Organisation.objects.filter(slug="who").update(is_published=False)
    assert moved()
    CooperationArea.objects.filter(slug="terrorism").update(display_order=99)
    assert moved()
    Organisation.objects.filter(slug="nobody").update(is_published=False)
    assert not moved(), "an update that changes no row changes nothing"


def test_loading_a_dump_never_takes_the_version_back(tmp_path, moved):
    dump = tmp_path / "everything.json"
    call_command("dumpdata", "partnerships", output=str(dump))
    dumped = next(r for r in json.loads(dump.read_text()) if r["model"] == "partnerships.registryversion")
    CooperationArea.objects.filter(slug="terrorism").update(display_order=99)
    assert moved()
    call_command("loaddata", str(dump), verbosity=0)
    assert moved()
    assert RegistryVersion.current() != dumped["fields"]["number"]


def test_a_restore_followed_by_an_edit_never_meets_a_version_of_before(moved):
    """A counter would go back with a restore, and the next edits would count up through the
    numbers that pages were cached under before it."""
    numbers = {RegistryVersion.current()}
    RegistryVersion.objects.filter(pk=1).update(number=0)  # what a counter restored to its start would hold
    for _ in range(5):
        CooperationArea.objects.filter(slug="terrorism").update(display_order=F("display_order") + 1)
        numbers.add(RegistryVersion.current())
    assert len(numbers) == 6 and 0 not in numbers and 1 not in numbers


def test_each_migrated_database_starts_at_a_number_of_its_own(tmp_path):
    """Two databases made afresh never share a number that pages of the first were cached under."""
    numbers = []
    for name in ("one", "two"):
        url = sqlite_url(tmp_path / f"{name}.sqlite3")
        manage(url, "migrate", "--noinput", "-v0")
        read = "from partnerships.models import RegistryVersion; print(json.dumps(RegistryVersion.current()))"
        numbers.append(run_django(url, read))
    assert numbers[0] != numbers[1]
    assert 0 not in numbers


def test_invalidate_public_cache_changes_the_version(moved):
    """For changes the application cannot see: made directly in SQL, or by restoring a backup."""
    out = StringIO()
    call_command("invalidate_public_cache", stdout=out)
    assert moved()
    assert "rendered afresh" in out.getvalue()


def test_loading_the_same_fixtures_again_leaves_the_version_as_it_was(moved):
    """Like the rest of the data: `loaddata` of unchanged fixtures changes nothing."""
    moved()
    call_command("loaddata", "fixtures/registry.json", verbosity=0)
    assert not moved()


def test_loading_fixtures_that_change_a_record_moves_the_version(moved, tmp_path):
    changed = tmp_path / "registry.json"
    records = json.loads((Path("fixtures") / "registry.json").read_text(encoding="utf-8"))
    who = next(r for r in records if r["model"] == "partnerships.organisation" and r["fields"]["slug"] == "who")
    who["fields"]["summary"] = "A changed summary."
    changed.write_text(json.dumps(records), encoding="utf-8")
    moved()
    call_command("loaddata", str(changed), verbosity=0)
    assert moved()
    assert Organisation.objects.get(slug="who").summary == "A changed summary."
