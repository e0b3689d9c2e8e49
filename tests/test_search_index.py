"""The search index follows every change to the registry, as the registry version does.

Saves, deletions, many-to-many changes from either side, bulk writes and fixture loads each
rewrite the entries they touch, including those of the records that name the changed one
(an activity names its partners) and those that a citation or a change of publication
reaches (passages, public sources, published areas and regions); the rebuild command and
bulk loads write it afresh.
"""

import datetime
import json
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    Region,
    SourceDocument,
)
from partnerships.search import documents, index
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
    region = Region.objects.create(name="Amber Coast", slug="amber", is_published=True)
    region.activities.set([record])
    assert activities("amber") == ["a"]
    area = CooperationArea.objects.create(name="Beryl safety", slug="beryl", is_published=True)
    area.organisations.add(partner)
    assert organisations("beryl") == ["opal"]
    area.organisations.clear()
    assert organisations("beryl") == []


def test_renaming_a_related_record_reaches_the_records_that_name_it(partner):
    area = CooperationArea.objects.create(name="Beryl safety", slug="beryl", is_published=True)
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
    area = CooperationArea.objects.create(name="Beryl safety", slug="beryl", is_published=True)
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


# Citations and the publication of vocabularies and sources ----------------------------------


def sources(q):
    return sorted(record.slug for record in search(SourceDocument.objects.public(), q))


def public_sources():
    return sorted(SourceDocument.objects.public().values_list("pk", flat=True))


def source(slug="annals", title="Annals of the coast", published=True):
    return SourceDocument.objects.create(slug=slug, title=title, publisher="Coast Office", is_published=published)


def test_a_passage_is_found_while_its_citation_is_public_and_no_longer_once_deleted(partner):
    record = activity("a", "Quartz training")
    citation = Citation.objects.create(activity=record, source=source(), passage="Patrols along the amber dunes.")
    assert activities("dunes") == ["a"]
    citation.passage = "Patrols along the cliffs."
    citation.save()
    assert activities("dunes") == [] and activities("cliffs") == ["a"]
    citation.delete()
    assert activities("cliffs") == []


def test_a_citation_moved_to_another_record_moves_its_passage(partner):
    first, second = activity("a", "Quartz training"), activity("b", "Garnet training")
    citation = Citation.objects.create(activity=first, source=source(), passage="Patrols along the amber dunes.")
    citation.activity = None
    citation.organisation = partner
    citation.save()
    assert activities("dunes") == [] and organisations("dunes") == ["opal"]
    assert second.pk not in {record.pk for record in search(CooperationActivity.objects.published(), "dunes")}


@pytest.mark.parametrize("how", ["save", "bulk update"])
def test_a_passage_of_a_draft_source_is_found_only_once_the_source_is_published(partner, how):
    annals = source(published=False)
    Citation.objects.create(organisation=partner, source=annals, passage="Patrols along the amber dunes.")
    assert organisations("dunes") == [] and sources("annals") == []
    if how == "save":
        annals.is_published = True
        annals.save()
    else:
        SourceDocument.objects.filter(pk=annals.pk).update(is_published=True)
    assert organisations("dunes") == ["opal"] and sources("annals") == ["annals"]
    SourceDocument.objects.filter(pk=annals.pk).update(is_published=False)
    assert organisations("dunes") == [] and sources("annals") == []


def test_a_source_is_found_only_while_a_public_citation_names_it(partner):
    annals = source()
    assert sources("annals") == []
    record = activity("draft", "Quartz training", published=False)
    citation = Citation.objects.create(activity=record, source=annals, passage="Patrols.")
    assert sources("annals") == []  # cited by a draft only
    record.is_published = True
    record.save()
    assert sources("annals") == ["annals"]
    CooperationActivity.objects.filter(pk=record.pk).update(is_published=False)
    assert sources("annals") == []
    citation.activity = None
    citation.organisation = partner
    citation.save()
    assert sources("annals") == ["annals"]
    partner.is_published = False
    partner.save()
    assert sources("annals") == []
    partner.is_published = True
    partner.save()
    citation.delete()
    assert sources("annals") == []


def test_a_source_cited_for_a_dated_fact_is_found_while_the_fact_belongs_to_a_public_record(partner):
    annals = source()
    fact = DatedFact.objects.create(slug="launch", date=datetime.date(2022, 4, 1), statement="Launched.")
    Citation.objects.create(dated_fact=fact, source=annals)
    assert sources("annals") == []
    fact.organisations.add(partner)
    assert sources("annals") == ["annals"]
    partner.dated_facts.clear()
    assert sources("annals") == []
    record = activity("a", "Quartz training")
    fact.activity = record
    fact.save()
    assert sources("annals") == ["annals"]
    fact.activity = None
    fact.save()
    assert sources("annals") == []


@pytest.mark.parametrize("how", ["save", "bulk update"])
def test_a_draft_area_or_region_makes_no_record_findable_until_published(partner, how):
    area = CooperationArea.objects.create(name="Beryl safety", slug="beryl")
    region = Region.objects.create(name="Amber Coast", slug="amber")
    activity("a", "Quartz training", areas=[area], regions=[region])
    partner.areas.add(area)
    assert activities("beryl") == [] and activities("amber") == [] and organisations("beryl") == []
    for record in (area, region):
        if how == "save":
            record.is_published = True
            record.save()
        else:
            type(record).objects.filter(pk=record.pk).update(is_published=True)
    assert activities("beryl") == ["a"] and activities("amber") == ["a"] and organisations("beryl") == ["opal"]
    assert sorted(area.slug for area in search(CooperationArea.objects.published(), "beryl")) == ["beryl"]
    CooperationArea.objects.filter(pk=area.pk).update(is_published=False)
    Region.objects.filter(pk=region.pk).update(is_published=False)
    assert activities("beryl") == [] and activities("amber") == [] and organisations("beryl") == []
    assert entries("partnerships_search_area") == []


def test_the_index_reads_the_public_citations_as_the_pages_do(registry):
    """The index writes out the rule of Citation.objects.published() for migrations, which have
    no custom querysets: both must name the same citations, drafts and draft sources included."""
    interpol = Organisation.objects.get(slug="interpol")
    interpol.is_published = False
    interpol.save()
    SourceDocument.objects.filter(slug="maoc-who-we-are").update(is_published=False)
    fact = DatedFact.objects.first()
    fact.organisations.set([interpol])
    expected = set(Citation.objects.published().values_list("pk", flat=True))
    assert expected and expected != set(Citation.objects.values_list("pk", flat=True))
    assert set(documents.public_citations(django_apps).values_list("pk", flat=True)) == expected
    assert entries("partnerships_search_source") == sorted(
        SourceDocument.objects.public().values_list("pk", flat=True)
    )


# Loads and restores --------------------------------------------------------------------------


def test_loading_the_shipped_data_builds_the_index(db):
    call_command("load_shipped_data", stdout=StringIO())
    assert activities("unhcr") == [
        "return-international-protection-and-fundamental-rights",
        "reviewing-and-strengthening-partnership-frameworks",
    ]
    assert entries() == sorted(CooperationActivity.objects.published().values_list("pk", flat=True))
    assert entries("partnerships_search_source") == sorted(
        SourceDocument.objects.public().values_list("pk", flat=True)
    )


def test_a_backup_leaves_the_index_out_and_a_restore_rebuilds_it(registry, tmp_path):
    path = tmp_path / "registry.json"
    call_command("backup_registry", str(path), stdout=StringIO())
    backed_up = {row["model"] for row in json.loads(path.read_text())["objects"]}
    assert "partnerships.citation" in backed_up
    assert not {model for model in backed_up if model.endswith("entry")}
    who = Organisation.objects.get(slug="who")
    who.name = "Worldwide Wellbeing Organisation"
    who.save()
    Organisation.objects.filter(slug="unhcr").update(is_published=False)
    assert organisations("wellbeing") == ["who"] and "unhcr" not in organisations("unhcr")
    call_command("restore_registry", str(path), "--replace", stdout=StringIO())
    assert organisations("wellbeing") == []
    assert organisations("health") == ["who"]
    assert "unhcr" in organisations("unhcr")
    assert entries("partnerships_search_organisation") == sorted(
        Organisation.objects.published().values_list("pk", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_leaves_no_entry_in_the_index(registry):
    """``flush`` empties the records' tables, not the index's (Django does not manage it): the
    index is written afresh afterwards, so a search never meets a record that is gone."""
    assert entries()
    call_command("flush", interactive=False, verbosity=0)
    assert entries() == []
    assert entries("partnerships_search_organisation") == []


def test_inside_batched_each_entry_is_written_once_at_the_end(partner):
    with index.batched():
        record = activity("a", "Quartz training")
        CooperationActivity.partners.through.objects.create(cooperationactivity=record, organisation=partner)
        partner.name = "Garnet Maritime Council"
        partner.save()
        assert activities("quartz") == []
    assert activities("quartz") == ["a"] and activities("garnet") == ["a"] and activities("opal") == ["a"]


def test_a_discarded_batch_or_one_ended_by_an_error_writes_nothing(partner):
    with index.batched(discard=True):
        activity("a", "Quartz training", partners=[partner])
    with pytest.raises(RuntimeError), index.batched():
        activity("b", "Quartz drills", partners=[partner])
        raise RuntimeError
    assert activities("quartz") == []
    activity("c", "Quartz lessons", partners=[partner])  # after the block, entries are written as they change
    assert activities("quartz") == ["c"]


def test_a_batch_inside_deferred_leaves_the_index_to_its_rebuild(partner):
    with index.deferred():
        with index.batched():
            activity("a", "Quartz training", partners=[partner])
        assert activities("quartz") == []
    assert activities("quartz") == ["a"]


def test_deleting_selected_records_in_the_admin_writes_their_entries_once(partner, admin_client):
    annals = source()
    records = [activity(slug, "Quartz training", partners=[partner]) for slug in ("a", "b", "c")]
    for record in records[:2]:
        Citation.objects.create(activity=record, source=annals, passage="Patrols along the amber dunes.")
    assert sources("annals") == ["annals"] and activities("quartz") == ["a", "b", "c"]

    with CaptureQueriesContext(connection) as deleting:
        response = admin_client.post(
            reverse("admin:partnerships_cooperationactivity_changelist"),
            {"action": "delete_selected", "_selected_action": [r.pk for r in records[:2]], "post": "yes"},
        )

    assert response.status_code == 302
    assert activities("quartz") == ["c"] and activities("dunes") == []
    assert sources("annals") == []  # no public record cites it any more
    rewrites = [q["sql"] for q in deleting.captured_queries if q["sql"].startswith("DELETE FROM")]
    assert sum("partnerships_search_source" in sql for sql in rewrites) == 1  # not one per record
