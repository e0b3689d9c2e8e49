"""The registry version moves on with every kind of change, so that no cached page outlives one."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

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

pytestmark = pytest.mark.usefixtures("registry")


@pytest.fixture
def moved():
    """A check that the version has moved on since the last check."""
    last = [RegistryVersion.current()]

    def check():
        now = RegistryVersion.current()
        changed, last[0] = now > last[0], now
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
    assert any(record["model"] == "partnerships.registryversion" for record in json.loads(dump.read_text()))
    CooperationArea.objects.filter(slug="terrorism").update(display_order=99)
    before = RegistryVersion.current()
    call_command("loaddata", str(dump), verbosity=0)
    assert RegistryVersion.current() > before


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
