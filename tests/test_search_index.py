"""The search index follows every change to the registry, as the registry version does.

Saves, deletions, many-to-many changes from either side, bulk writes and fixture loads each
rewrite the entries they touch, including those of the records that name the changed one
(an activity names its partners); the rebuild command and bulk loads write it afresh.
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.models import Agreement, CooperationActivity, CooperationArea, Organisation, Region
from partnerships.search import index
from partnerships.search.query import search

from .test_search import activity, organisation


def activities(q):
    return sorted(record.slug for record in search(CooperationActivity.objects.published(), q))


def organisations(q):
    return sorted(record.slug for record in search(Organisation.objects.published(), q))


def agreements(q):
    return sorted(record.title for record in search(Agreement.objects.published(), q))


@pytest.fixture
def partner(db):
    return organisation("opal", "Opal Maritime Council", "OPAL")


def test_a_new_record_is_found_once_published(partner):
    record = activity("draft", "Quartz training", partners=[partner], published=False)
    assert activities("quartz") == []
    record.is_published = True
    record.save()
    assert activities("quartz") == ["draft"]
    assert activities("opal") == ["draft"]


def test_an_edit_is_found_by_its_new_words_only(partner):
    record = activity("a", "Quartz training", partners=[partner])
    record.title = "Garnet training"
    record.save()
    assert activities("quartz") == []
    assert activities("garnet") == ["a"]


def test_links_added_or_removed_from_either_side_are_followed(partner):
    record = activity("a", "Quartz training")
    assert activities("opal") == []
    record.partners.add(partner)
    assert activities("opal") == ["a"]
    record.partners.remove(partner)
    assert activities("opal") == []
    partner.activities.add(record)
    assert activities("opal") == ["a"]
    partner.activities.clear()
    assert activities("opal") == []
    region = Region.objects.create(name="Amber Coast", slug="amber")
    region.activities.set([record])
    assert activities("amber") == ["a"]
    area = CooperationArea.objects.create(name="Beryl safety", slug="beryl")
    area.organisations.add(partner)
    assert organisations("beryl") == ["opal"]
    area.organisations.clear()
    assert organisations("beryl") == []


def test_renaming_a_related_record_reaches_the_records_that_name_it(partner):
    area = CooperationArea.objects.create(name="Beryl safety", slug="beryl")
    record = activity("a", "Quartz training", partners=[partner], areas=[area])
    partner.areas.add(area)
    Agreement.objects.create(
        title="Arrangement", organisation=partner, kind="other", status="in-force", is_published=True
    )
    partner.name = "Onyx Naval Council"
    partner.save()
    area.name = "Jasper safety"
    area.save()
    assert activities("maritime") == [] and activities("onyx") == [record.slug]
    assert agreements("onyx") == ["Arrangement"] and agreements("maritime") == []
    assert activities("jasper") == ["a"] and organisations("jasper") == ["opal"] and activities("beryl") == []


@pytest.mark.parametrize("how", ["save", "bulk update"])
def test_an_unpublished_partner_no_longer_makes_its_records_findable(partner, how):
    activity("a", "Quartz training", partners=[partner])
    Agreement.objects.create(
        title="Arrangement", organisation=partner, kind="other", status="in-force", is_published=True
    )
    assert activities("opal") == ["a"] and agreements("arrangement") == ["Arrangement"]
    if how == "save":
        partner.is_published = False
        partner.save()
    else:
        Organisation.objects.filter(slug="opal").update(is_published=False)
    assert organisations("opal") == []
    assert activities("opal") == []
    assert activities("quartz") == ["a"]  # still published itself
    assert agreements("arrangement") == []  # public only with its organisation


def test_bulk_created_and_bulk_updated_records_are_indexed(db):
    CooperationActivity.objects.bulk_create(
        [CooperationActivity(slug=f"b{n}", title=f"Topaz {n}", is_published=True) for n in range(3)]
    )
    assert activities("topaz") == ["b0", "b1", "b2"]
    records = list(CooperationActivity.objects.filter(slug="b1"))
    records[0].title = "Citrine"
    CooperationActivity.objects.bulk_update(records, ["title"])
    assert activities("topaz") == ["b0", "b2"] and activities("citrine") == ["b1"]


def test_deleted_records_leave_the_index(partner):
    record = activity("a", "Quartz training", partners=[partner])
    area = CooperationArea.objects.create(name="Beryl safety", slug="beryl")
    partner.areas.add(area)
    area.delete()
    assert organisations("beryl") == []
    record.partners.clear()
    partner.delete()
    assert organisations("opal") == []
    record.partners.add(organisation("onyx", "Onyx Council", "ONYX"))
    Organisation.objects.get(slug="onyx").delete()
    assert activities("onyx") == []
    record.delete()
    assert activities("quartz") == []


def test_loading_a_fixture_indexes_what_it_loads(db, tmp_path):
    call_command("loaddata", "fixtures/registry.json", verbosity=0)
    assert activities("unhcr") == [
        "return-international-protection-and-fundamental-rights",
        "reviewing-and-strengthening-partnership-frameworks",
    ]
    with open("fixtures/registry.json") as shipped:
        records = json.load(shipped)
    who = next(r for r in records if r["model"] == "partnerships.organisation" and r["fields"]["slug"] == "who")
    who["fields"]["name"] = "Worldwide Wellbeing Organisation"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps([who]))
    call_command("loaddata", str(changed), verbosity=0)
    assert organisations("wellbeing") == ["who"]
    assert activities("wellbeing") == ["health-and-safety-measures-at-the-borders"]


def entries(table="partnerships_search_activity"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {table} ORDER BY rowid")
        return [row[0] for row in cursor.fetchall()]


def test_the_index_holds_the_published_records_only(registry):
    activity("draft", "Draft", published=False)
    assert entries() == sorted(CooperationActivity.objects.published().values_list("pk", flat=True))
    assert entries("partnerships_search_organisation") == sorted(
        Organisation.objects.published().values_list("pk", flat=True)
    )


def test_the_rebuild_command_writes_the_index_afresh(registry, capsys):
    expected = entries()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM partnerships_search_activity")
    assert activities("unhcr") == []
    call_command("rebuild_search_index")
    assert entries() == expected
    assert "9 cooperation activities" in capsys.readouterr().out


def test_inside_deferred_nothing_is_indexed_until_the_end(partner):
    with index.deferred():
        record = activity("a", "Quartz training")
        CooperationActivity.partners.through.objects.create(cooperationactivity=record, organisation=partner)
        assert activities("quartz") == []
    assert activities("quartz") == ["a"] and activities("opal") == ["a"]


def test_a_save_that_changes_nothing_others_show_rewrites_only_its_own_entry(partner):
    for number in range(30):
        activity(f"a{number}", f"Quartz {number}", partners=[partner])
    partner.summary = "A new summary."
    with CaptureQueriesContext(connection) as captured:
        partner.save()
    assert not [query for query in captured if "partnerships_search_activity" in query["sql"]]
    assert organisations("summary") == ["opal"]
    partner.acronym = "OPL"
    partner.save()
    assert len(activities("opl")) == 30
