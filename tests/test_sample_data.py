"""The sample-data generator behind `make bench`: exact counts, every vocabulary value, some drafts."""

import pytest
from django.core.management import CommandError, call_command

from partnerships.models import Agreement, CooperationActivity, CooperationArea, Organisation, Region

SHIPPED = {"organisations": 10, "activities": 9}


def generate(**counts):
    call_command("generate_sample_data", seed=7, verbosity=0, **counts)


def shipped():
    """The records of the shipped fixtures: all quote the one source text."""
    return {"citations__source__slug": "international-organisations"}


def test_it_adds_exactly_the_numbers_asked_for_on_top_of_the_shipped_records(registry):
    generate(organisations=6, agreements=12, activities=40)
    assert Organisation.objects.count() == SHIPPED["organisations"] + 6
    assert Agreement.objects.count() == 12
    assert CooperationActivity.objects.count() == SHIPPED["activities"] + 40


def test_it_can_run_again_and_adds_as_many_again(registry):
    """Slugs and acronyms stay unique when the same seed runs twice on one database."""
    generate(organisations=6, agreements=12, activities=40)
    generate(organisations=6, agreements=12, activities=40)
    assert Organisation.objects.count() == SHIPPED["organisations"] + 12
    assert CooperationActivity.objects.count() == SHIPPED["activities"] + 80


def test_it_leaves_the_shipped_records_and_their_links_alone(registry):
    iom = Organisation.objects.get(slug="iom")
    before = (iom.updated_at, set(iom.activities.values_list("slug", flat=True)), set(iom.areas.all()))
    generate(organisations=6, agreements=12, activities=40)
    iom = Organisation.objects.get(slug="iom")
    assert (iom.updated_at, set(iom.activities.values_list("slug", flat=True)), set(iom.areas.all())) == before
    assert not Agreement.objects.filter(organisation__citations__source__slug="international-organisations").exists()


def test_it_uses_every_value_of_every_vocabulary(registry):
    generate(organisations=6, agreements=12, activities=40)
    organisations = Organisation.objects.exclude(**shipped())
    activities = CooperationActivity.objects.exclude(**shipped())

    def used(queryset, field):
        return set(queryset.values_list(field, flat=True).distinct()) - {None}

    assert used(organisations, "kind") == set(Organisation.Kind.values)
    assert used(organisations, "relationship") == set(Organisation.Relationship.values)
    assert used(Agreement.objects.all(), "kind") == set(Agreement.Kind.values)
    assert used(Agreement.objects.all(), "status") == set(Agreement.Status.values)
    assert used(activities, "status") == set(CooperationActivity.Status.values)
    assert used(activities, "priority") == set(CooperationActivity.Priority.values)
    assert used(activities, "areas__slug") == set(CooperationArea.objects.values_list("slug", flat=True))
    assert used(activities, "regions__slug") == set(Region.objects.values_list("slug", flat=True))


def test_activities_have_several_partners_areas_and_regions_and_some_are_drafts(registry):
    generate(organisations=6, agreements=12, activities=40)
    activities = CooperationActivity.objects.exclude(**shipped())
    assert activities.filter(partners__isnull=True).count() == 0
    assert activities.filter(areas__isnull=True).count() == 0
    most = {
        relation: max(len(getattr(activity, relation).all()) for activity in activities.prefetch_related(relation))
        for relation in ["partners", "areas", "regions"]
    }
    assert most["partners"] > 1 and most["areas"] > 1 and most["regions"] > 1
    for queryset in [
        activities,
        Agreement.objects.all(),
        Organisation.objects.exclude(**shipped()),
    ]:
        drafts = queryset.filter(is_published=False).count()
        assert 0 < drafts < queryset.count() / 2, queryset.model


def test_generated_activities_name_only_generated_partners(registry):
    generate(organisations=6, agreements=12, activities=40)
    real = set(Organisation.objects.filter(**shipped()))
    generated = CooperationActivity.objects.exclude(**shipped())
    assert not real & {p for a in generated.prefetch_related("partners") for p in a.partners.all()}


def test_it_stops_with_a_message_when_the_vocabularies_are_not_loaded(db):
    with pytest.raises(CommandError, match="loaddata fixtures/registry.json"):
        generate(organisations=2, agreements=2, activities=2)
