"""Text search (the `q` of the public lists): full-text and ranked on PostgreSQL, served by
GIN indexes; a substring match elsewhere; any text accepted on both."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships.models import Agreement, CooperationActivity, Organisation, Region
from partnerships.search import search

from .databases import not_postgres, postgres_only

pytestmark = pytest.mark.usefixtures("registry")

search_indexes_migration = importlib.import_module("partnerships.migrations.0003_search_indexes")


def slugs(queryset):
    return [record.slug for record in queryset]


def make_activity(slug, title, summary=""):
    return CooperationActivity.objects.create(slug=slug, title=title, summary=summary, is_published=True)


# Both databases.


@pytest.mark.parametrize("q", [None, "", "   ", "\x00", " \x00 \t\n"])
def test_a_blank_query_returns_the_queryset_unchanged(q):
    organisations = Organisation.objects.published()
    assert search(organisations, q) is organisations


@pytest.mark.parametrize(
    "q, expected",
    [("INTERPOL", "interpol"), ("iom", "iom"), ("WHO", "who"), ("Maritime Analysis", "maoc-n"), ("ODIHR", "odihr")],
)
def test_organisations_are_found_by_name_and_acronym(q, expected):
    assert slugs(search(Organisation.objects.all(), q))[0] == expected


def test_organisations_are_found_by_their_summary():
    assert "imo" in slugs(search(Organisation.objects.all(), "seafarers"))


def test_activities_are_found_by_title_and_summary():
    assert slugs(search(CooperationActivity.objects.all(), "Electronic Library")) == ["fields-deployment"]
    assert slugs(search(CooperationActivity.objects.all(), "unaccompanied minors")) == [
        "risk-analysis-trafficking-and-unaccompanied-minors"
    ]


def test_agreements_are_found_by_title_and_summary():
    iom = Organisation.objects.get(slug="iom")
    by_title = Agreement.objects.create(
        title="Working arrangement on returns", organisation=iom, kind="other", status="in-force"
    )
    by_summary = Agreement.objects.create(
        title="Letter of intent",
        summary="Joint training of escort officers.",
        organisation=iom,
        kind="other",
        status="in-force",
    )
    Agreement.objects.create(title="Exchange of letters", organisation=iom, kind="other", status="in-force")
    assert list(search(Agreement.objects.all(), "arrangement")) == [by_title]
    assert list(search(Agreement.objects.all(), "escort")) == [by_summary]


def test_search_keeps_the_filters_already_applied():
    Organisation.objects.filter(slug="imo").update(is_published=False)
    assert "imo" not in slugs(search(Organisation.objects.published(), "maritime"))
    assert "maoc-n" in slugs(search(Organisation.objects.published(), "maritime"))


def test_a_model_without_search_is_refused_clearly():
    with pytest.raises(TypeError, match="partnerships.Region records are not searchable"):
        search(Region.objects.all(), "balkans")


STRANGE_QUERIES = [
    "x" * 10_000,
    "word " * 2_000,
    "trafficking\x00 in human beings",
    "\x00" * 50 + "IOM",
    "'; DROP TABLE partnerships_organisation; --",
    "\" ' ` \\ \\\\ %s %(q)s {} ?",
    "<script>alert(1)</script> &amp; &lt;",
    "cross-border & | ! : * ( ) <-> <2> \\",
    '"unbalanced quote',
    "OR AND NOT - -- or",
    "\ud800 lone surrogate",
    "Türkiye – Frontex‐INTERPOL ‘quoted’ 日本語 🚢",
    "%_%",
]


@pytest.mark.parametrize("q", STRANGE_QUERIES, ids=range(len(STRANGE_QUERIES)))
@pytest.mark.parametrize("model", [Organisation, Agreement, CooperationActivity], ids=lambda m: m._meta.model_name)
def test_any_text_is_searched_without_an_error(model, q):
    results = search(model.objects.all(), q)
    assert len(list(results)) == results.count()


def test_nul_characters_are_ignored_rather_than_refused():
    assert "iom" in slugs(search(Organisation.objects.all(), "\x00IOM\x00"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=200))
def test_generated_text_is_searched_without_an_error(q):
    results = search(CooperationActivity.objects.all(), q)
    assert len(list(results[:5])) <= 5


def test_results_are_fetched_in_a_fixed_number_of_queries(django_assert_num_queries):
    """The public lists count, paginate, export (iterator) and prefetch search results: none of
    it may cost a query per row."""
    results = search(Organisation.objects.prefetch_related("areas").select_related("parent"), "cooperation")
    with django_assert_num_queries(1):
        assert results.count() >= 5
    with django_assert_num_queries(2):
        page = list(results[1:4])
        assert [len(organisation.areas.all()) > 0 for organisation in page] == [True] * 3
    with django_assert_num_queries(2):
        exported = [(o.slug, [a.slug for a in o.areas.all()]) for o in results.iterator(chunk_size=100)]
    assert len(exported) == results.count()


# PostgreSQL: full-text search, ranked, on the GIN indexes.


@postgres_only
def test_english_stemming_finds_other_forms_of_a_word():
    assert slugs(search(CooperationActivity.objects.all(), "trafficked"))[0] == (
        "risk-analysis-trafficking-and-unaccompanied-minors"
    )
    assert "iom" in slugs(search(Organisation.objects.all(), "trafficked"))
    assert "fields-deployment" in slugs(search(CooperationActivity.objects.all(), "deploying"))


@postgres_only
def test_a_match_in_the_title_ranks_above_a_match_in_the_summary():
    in_summary = make_activity("a-summary", "A joint workshop", "Maritime surveillance of the Mediterranean.")
    in_title = make_activity("b-title", "Maritime surveillance", "A joint workshop.")
    results = list(search(CooperationActivity.objects.filter(slug__in=["a-summary", "b-title"]), "maritime"))
    assert results == [in_title, in_summary]
    assert results[0].search_rank > results[1].search_rank


@postgres_only
def test_equally_relevant_results_keep_the_stable_order_title_then_pk():
    older = make_activity("older", "Training")
    newer = make_activity("newer", "Training")
    basic = make_activity("basic", "Basic: training")
    results = list(search(CooperationActivity.objects.filter(slug__in=["older", "newer", "basic"]), "training"))
    assert len({result.search_rank for result in results}) == 1
    assert results == [basic, older, newer]


@postgres_only
@pytest.mark.parametrize(
    "q, found, not_found",
    [
        ('"fraudulent registration"', "imo", "who"),
        ("coast guard -narcotics", "imo", "maoc-n"),
        ("narcotics or seafarers", "maoc-n", "who"),
    ],
)
def test_web_search_syntax_quotes_exclusions_and_or(q, found, not_found):
    results = slugs(search(Organisation.objects.all(), q))
    assert found in results
    assert not_found not in results


@postgres_only
def test_a_query_of_english_stop_words_only_finds_nothing_rather_than_failing():
    assert list(search(Organisation.objects.all(), "the of and")) == []


@postgres_only
@pytest.mark.parametrize(
    "model, index",
    [
        (Organisation, "partnerships_org_search"),
        (Agreement, "partnerships_agreement_search"),
        (CooperationActivity, "partnerships_activity_search"),
    ],
)
def test_search_uses_the_gin_index_built_on_its_own_expression(model, index):
    """PostgreSQL uses an expression index only for the very expression it was built on: if
    search.py and migration 0003 drift apart, the plan falls back to reading every row."""
    iom = Organisation.objects.get(slug="iom")
    filler = "Regular exchange of information and staff between the two organisations."
    if model is Organisation:
        records = [
            Organisation(name=f"Partner {n}", acronym=f"P{n}", slug=f"p{n}", kind="un-system", relationship="active")
            for n in range(2_000)
        ]
    elif model is Agreement:
        records = [
            Agreement(title=f"Arrangement {n}", summary=filler, organisation=iom, kind="other", status="in-force")
            for n in range(2_000)
        ]
    else:
        records = [
            CooperationActivity(title=f"Activity {n}", slug=f"activity-{n}", summary=filler) for n in range(2_000)
        ]
    model.objects.bulk_create(records)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")
        # Only for this test's transaction: take any other plan as a last resort.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search(model.objects.all(), "smuggling of migrants").explain()
    assert f"Bitmap Index Scan on {index}" in plan, plan


@postgres_only
def test_the_index_migration_drops_and_recreates_the_indexes():
    def search_indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'partnerships_%%_search'")
            return {name for (name,) in cursor.fetchall()}

    expected = {"partnerships_org_search", "partnerships_agreement_search", "partnerships_activity_search"}
    assert search_indexes() == expected
    with connection.schema_editor() as editor:
        search_indexes_migration.drop_search_indexes(apps, editor)
    assert search_indexes() == set()
    with connection.schema_editor() as editor:
        search_indexes_migration.create_search_indexes(apps, editor)
    assert search_indexes() == expected


# Other databases: a substring match.


@not_postgres
def test_elsewhere_any_part_of_a_word_matches_in_any_case():
    assert slugs(search(CooperationActivity.objects.all(), "TRAFF")) == [
        "border-management-and-cross-border-crime-prevention",
        "risk-analysis-trafficking-and-unaccompanied-minors",
    ]
    assert slugs(search(Organisation.objects.all(), "aoc-")) == ["maoc-n"]


@not_postgres
def test_elsewhere_the_order_of_the_queryset_is_kept():
    organisations = Organisation.objects.order_by("-acronym")
    results = search(organisations, "international")
    assert [o.acronym for o in results] == sorted((o.acronym for o in results), reverse=True)
    assert not hasattr(results.first(), "search_rank")


@not_postgres
def test_elsewhere_the_migration_creates_no_search_index():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Organisation._meta.db_table)
    assert "partnerships_org_search" not in indexes
