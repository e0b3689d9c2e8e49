"""The shipped fixtures say exactly what the public contract's tables say (docs/contract.md),
and every statement in them is cited from a source."""

import datetime
import re
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
    SourceDocument,
)

from .design import AREA_SLUGS

pytestmark = pytest.mark.usefixtures("registry")

SOURCE_TEXT = Path(__file__).resolve().parent.parent / "docs" / "sources" / "international-organisations.txt"

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


def test_every_quoted_passage_stands_word_for_word_in_the_source_text():
    source = normalise(SOURCE_TEXT.read_text(encoding="utf-8"))
    passages = list(
        Citation.objects.filter(source__slug="international-organisations").values_list("passage", flat=True)
    )
    assert len(passages) == 19  # one per organisation and per activity
    for passage in passages:
        assert passage and normalise(passage) in source, passage


def test_every_citation_of_the_source_text_names_the_paragraph_it_stands_in():
    paragraphs = [normalise(p) for p in re.split(r"\n\s*\n", SOURCE_TEXT.read_text(encoding="utf-8")) if p.strip()]
    for passage, locator in Citation.objects.filter(source__slug="international-organisations").values_list(
        "passage", "locator"
    ):
        heading, number = re.fullmatch(r"“(.+)”, paragraph (\d+)", locator).groups()
        section = paragraphs[paragraphs.index(heading) + 1 :]
        assert normalise(passage) in section[int(number) - 1], (locator, passage)


def test_every_organisation_and_activity_cites_the_source_text():
    for record in [*Organisation.objects.all(), *CooperationActivity.objects.all()]:
        assert list(record.citations.values_list("source__slug", flat=True)) == ["international-organisations"], record


SOURCES = {
    # slug: (title, publisher)
    "international-organisations": ("International organisations", "Frontex"),
    "eucrim-electronic-system-against-document-fraud-launched": (
        "Electronic System against Document Fraud Launched",
        "eucrim",
    ),
    "interpol-cooperation-with-frontex": ("Cooperation with Frontex", "interpol.int"),
    "maoc-who-we-are": ("Who we are", "maoc.eu"),
}


def test_it_ships_the_four_source_documents_with_their_publishers_and_no_guessed_link():
    assert {s.slug: (s.title, s.publisher) for s in SourceDocument.objects.all()} == SOURCES
    assert set(SourceDocument.objects.values_list("url", "published_on", "accessed_on")) == {("", None, None)}


def test_it_ships_the_three_dated_facts_each_with_its_own_source():
    facts = {
        fact.slug: (
            fact.date,
            fact.precision,
            fact.when,
            sorted(fact.organisations.values_list("slug", flat=True)),
            fact.activity.slug if fact.activity else None,
            list(fact.citations.values_list("source__slug", "passage")),
        )
        for fact in DatedFact.objects.all()
    }
    assert facts == {
        "fields-went-live": (
            datetime.date(2022, 4, 1),
            "day",
            "1 April 2022",
            ["interpol"],
            "fields-deployment",
            # The article's words are not known here: the citation quotes none.
            [("eucrim-electronic-system-against-document-fraud-launched", "")],
        ),
        "interpol-assists-frontex-operations": (
            datetime.date(2009, 1, 1),
            "year",
            "since 2009",
            ["interpol"],
            None,
            [("interpol-cooperation-with-frontex", "")],
        ),
        "maoc-n-inaugurated": (
            datetime.date(2007, 9, 30),
            "day",
            "30 September 2007",
            ["maoc-n"],
            None,
            [("maoc-who-we-are", "")],
        ),
    }


FIXTURE_MODELS = [CooperationArea, Region, SourceDocument, Organisation, CooperationActivity, DatedFact, Citation]


@pytest.mark.parametrize("model", FIXTURE_MODELS, ids=lambda model: model._meta.model_name)
def test_every_shipped_record_passes_the_models_own_validation(model):
    """An editor must be able to save every shipped record as it is shipped.

    The activity "Reviewing and strengthening existing partnership frameworks" names no
    cooperation area, because its source names none ("Frontex will continue reviewing and
    strengthening existing partnership frameworks"). Giving it one would state what no source
    says, so the rule changed instead: a published activity needs a partner organisation, and
    its areas are whatever its source states, possibly none (tests/test_validation.py saves it
    through the admin form unchanged).
    """
    records = list(model.objects.all())
    assert records
    for record in records:
        record.full_clean()


def test_the_registry_ships_no_agreement_that_no_source_states():
    assert Agreement.objects.count() == 0


def test_loading_the_fixtures_twice_changes_nothing():
    models = [*FIXTURE_MODELS, Organisation.areas.through, CooperationActivity.partners.through]
    models += [CooperationActivity.areas.through, CooperationActivity.regions.through, DatedFact.organisations.through]
    before = {model: list(model.objects.order_by("pk").values()) for model in models}
    call_command("loaddata", "fixtures/registry.json", verbosity=0)
    after = {model: list(model.objects.order_by("pk").values()) for model in before}
    assert after == before
