"""The shipped fixtures say exactly what the product design's tables say."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from partnerships.models import CooperationActivity, CooperationArea, Organisation, Region, SourceDocument

from .design import AREA_SLUGS

pytestmark = pytest.mark.usefixtures("registry")

SOURCE_TEXT = Path(__file__).resolve().parent.parent.parent / "shared" / "source" / "international-organisations.txt"

ORGANISATIONS = {
    # slug: (relationship, kind, areas, parent)
    "unhcr": ("structured", "un-system", {"return", "international-protection", "fundamental-rights"}, None),
    "iom": (
        "structured",
        "un-system",
        {
            "return",
            "international-protection",
            "fundamental-rights",
            "capacity-building",
            "risk-analysis",
            "trafficking-in-human-beings",
        },
        None,
    ),
    "unodc": ("structured", "un-system", {"cross-border-crime"}, None),
    "interpol": (
        "structured",
        "law-enforcement",
        {
            "cross-border-crime",
            "border-management",
            "capacity-building",
            "irregular-migration",
            "migrant-smuggling",
            "trafficking-in-human-beings",
            "terrorism",
            "document-fraud",
        },
        None,
    ),
    "osce": ("structured", "intergovernmental", {"cross-border-crime"}, None),
    "odihr": ("active", "institution", {"return", "international-protection", "fundamental-rights"}, "osce"),
    "coe": ("active", "intergovernmental", {"return", "international-protection", "fundamental-rights"}, None),
    "maoc-n": ("active", "law-enforcement", {"cross-border-crime"}, None),
    "imo": ("closer-partnership-sought", "un-system", {"coast-guard"}, None),
    "who": ("exploring", "un-system", {"health-at-borders"}, None),
}

HEADQUARTERS = {
    "unhcr": ("Geneva", "https://unhcr.org"),
    "iom": ("Geneva", "https://iom.int"),
    "unodc": ("Vienna", "https://unodc.org"),
    "interpol": ("Lyon", "https://interpol.int"),
    "osce": ("Vienna", "https://osce.org"),
    "odihr": ("Warsaw", "https://osce.org/odihr"),
    "coe": ("Strasbourg", "https://coe.int"),
    "maoc-n": ("Lisbon", "https://maoc.eu"),
    "imo": ("London", "https://imo.org"),
    "who": ("Geneva", "https://who.int"),
}

ACTIVITIES = {
    # slug: (partners, status, priority, regions)
    "return-international-protection-and-fundamental-rights": (
        {"iom", "unhcr", "odihr", "coe"},
        "ongoing",
        "normal",
        set(),
    ),
    "operational-cooperation-against-cross-border-crime": (
        {"interpol", "unodc", "osce", "maoc-n"},
        "ongoing",
        "normal",
        set(),
    ),
    "preventing-fraudulent-ship-registration-and-seafarer-certification": ({"imo"}, "planned", "normal", set()),
    "health-and-safety-measures-at-the-borders": ({"who"}, "exploring", "normal", set()),
    "border-management-and-cross-border-crime-prevention": ({"interpol"}, "ongoing", "normal", set()),
    "fields-deployment": ({"interpol"}, "ongoing", "major", set()),
    "technical-assistance-eastern-partnership-western-balkans-turkiye": (
        {"iom"},
        "ongoing",
        "normal",
        {"eastern-partnership", "western-balkans", "turkiye"},
    ),
    "risk-analysis-trafficking-and-unaccompanied-minors": ({"iom"}, "ongoing", "normal", set()),
    "reviewing-and-strengthening-partnership-frameworks": (
        {"unhcr", "iom", "unodc", "interpol", "osce"},
        "ongoing",
        "normal",
        set(),
    ),
}


def normalise(text):
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


def test_it_ships_the_fourteen_areas_and_three_regions():
    assert list(CooperationArea.objects.values_list("slug", flat=True)) == AREA_SLUGS  # in display order
    assert dict(Region.objects.values_list("slug", "kind")) == {
        "eastern-partnership": "region",
        "western-balkans": "region",
        "turkiye": "country",
    }


@pytest.mark.parametrize("slug", sorted(ORGANISATIONS))
def test_each_organisation_matches_the_design_table(slug):
    relationship, kind, areas, parent = ORGANISATIONS[slug]
    organisation = Organisation.objects.get(slug=slug)
    assert organisation.acronym.lower() == slug
    assert organisation.relationship == relationship
    assert organisation.kind == kind
    assert set(organisation.areas.values_list("slug", flat=True)) == areas
    assert (organisation.parent.slug if organisation.parent else None) == parent
    assert (organisation.headquarters_city, organisation.website) == HEADQUARTERS[slug]
    assert organisation.is_published


def test_it_ships_exactly_the_ten_organisations():
    assert set(Organisation.objects.values_list("slug", flat=True)) == set(ORGANISATIONS)


@pytest.mark.parametrize("slug", sorted(ACTIVITIES))
def test_each_activity_matches_the_design_list(slug):
    partners, status, priority, regions = ACTIVITIES[slug]
    activity = CooperationActivity.objects.get(slug=slug)
    assert set(activity.partners.values_list("slug", flat=True)) == partners
    assert activity.status == status
    assert activity.priority == priority
    assert set(activity.regions.values_list("slug", flat=True)) == regions
    assert activity.is_published


def test_it_ships_exactly_the_nine_activities():
    assert set(CooperationActivity.objects.values_list("slug", flat=True)) == set(ACTIVITIES)


def test_fields_is_the_only_major_priority():
    assert list(CooperationActivity.objects.filter(priority="major").values_list("slug", flat=True)) == [
        "fields-deployment"
    ]


@pytest.mark.skipif(not SOURCE_TEXT.exists(), reason="the shared source text is not beside the checkout")
def test_every_quoted_passage_stands_word_for_word_in_the_source_text():
    source = normalise(SOURCE_TEXT.read_text(encoding="utf-8"))
    passages = [
        *CooperationActivity.objects.values_list("source_passage", flat=True),
        *Organisation.objects.values_list("source_passage", flat=True),
    ]
    assert len(passages) == 19
    for passage in passages:
        assert passage and normalise(passage) in source, passage


def test_every_statement_names_its_source_document():
    source = SourceDocument.objects.get(slug="international-organisations")
    assert set(CooperationActivity.objects.values_list("source", flat=True)) == {source.pk}
    assert set(Organisation.objects.values_list("source", flat=True)) == {source.pk}


def test_the_registry_ships_no_agreement_that_no_source_states():
    from partnerships.models import Agreement

    assert Agreement.objects.count() == 0


def test_loading_the_fixtures_twice_changes_nothing():
    before = {
        model: list(model.objects.order_by("pk").values())
        for model in (CooperationArea, Region, SourceDocument, Organisation, CooperationActivity)
    }
    call_command("loaddata", "fixtures/registry.json", verbosity=0)
    after = {model: list(model.objects.order_by("pk").values()) for model in before}
    assert after == before
