"""Search finds what people type, with the same results on SQLite and on PostgreSQL.

The suite runs on both databases (``make test``, ``make test-postgres``): every query of the
table below must return exactly the records listed, on each. The records are this module's own
(``searchable``), so that each class of match (related names, accents and case, dashes,
spellings, stems, beginnings of words, phrases, exclusions, ranking) has a record that only it
finds, and drafts stand beside each of them to prove that they are never found.
"""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
)
from partnerships.search import text
from partnerships.search.query import search


def organisation(slug, name, acronym, summary="", published=True, areas=()):
    record = Organisation.objects.create(
        slug=slug, name=name, acronym=acronym, summary=summary, kind="un-system", relationship="active",
        is_published=published,
    )  # fmt: skip
    record.areas.set(areas)
    return record


def activity(slug, title, summary="", partners=(), areas=(), regions=(), passage="", source=None, published=True):
    record = CooperationActivity.objects.create(slug=slug, title=title, summary=summary, is_published=published)
    if passage:
        Citation.objects.create(activity=record, source=source, passage=passage)
    record.partners.set(partners)
    record.areas.set(areas)
    record.regions.set(regions)
    return record


@pytest.fixture
def searchable(db):
    """A small registry written for search: one record per class of match, and drafts."""
    thb = CooperationArea.objects.create(name="Trafficking in human beings", slug="thb", is_published=True)
    coast = CooperationArea.objects.create(name="Coast guard cooperation", slug="coast", is_published=True)
    turkiye = Region.objects.create(name="Türkiye", slug="turkiye", kind="country", is_published=True)
    balkans = Region.objects.create(name="Western Balkans", slug="western-balkans", is_published=True)
    report = SourceDocument.objects.create(
        title="Annual cooperation report", slug="report", publisher="The Agency", is_published=True
    )
    iom = organisation(
        "iom", "International Organization for Migration", "IOM", "Labour migration programmes.", areas=[thb]
    )
    interpol = organisation("interpol", "International Criminal Police Organization", "INTERPOL", areas=[thb])
    who = organisation("who", "World Health Organisation", "WHO", "Health at the borders.")
    maoc = organisation("maoc-n", "Maritime Analysis and Operations Centre – Narcotics", "MAOC-N", areas=[coast])
    organisation("isb", "Iomega Standards Body", "ISB", "Standards for data exchange.")
    secret = organisation("spb", "Secret Partner Bureau", "SPB", "Zanzibar.", published=False)
    activity("a1", "Joint analysis of trafficking routes", "Analysing smuggling networks.", [interpol], [thb],
             passage="The partners organise joint patrols.", source=report)  # fmt: skip
    activity("a2", "Technical assistance", "Programme of technical support.", [iom], regions=[turkiye, balkans])
    activity("a3", "Frontex–INTERPOL document library", "Colour-coded reference documents.", [interpol])
    activity("a4", "Maritime surveillance", "A joint workshop.", [maoc], [coast])
    activity("a5", "A joint workshop", "Maritime surveillance of the Mediterranean.", [who])
    activity("a6", "Zanzibar maritime plan", "Maritime draft.", [iom], published=False)
    activity("a7", "Cooperation with a new partner", "Standardised training.", [secret])
    activity("a8", "Realising faster border checks", "A code of behaviour for border guards.")
    Agreement.objects.create(
        title="Working arrangement", organisation=iom, kind="other", status="in-force", is_published=True
    )
    Agreement.objects.create(
        title="Memorandum on maritime matters", organisation=secret, kind="other", status="in-force",
        is_published=True,  # but its organisation is a draft
    )  # fmt: skip
    Agreement.objects.create(
        title="Draft arrangement on labour", organisation=iom, kind="other", status="in-force", is_published=False
    )


KINDS = {
    "organisations": lambda: Organisation.objects.published(),
    "activities": lambda: CooperationActivity.objects.published(),
    "agreements": lambda: Agreement.objects.published(),
    "areas": lambda: CooperationArea.objects.published(),
    "sources": lambda: SourceDocument.objects.public(),
}


def found(kind, q):
    """What a search finds of one kind: slugs (agreements: titles), best first."""
    return [getattr(record, "slug", None) or record.title for record in search(KINDS[kind](), q)]


# (query, kind, the records found; a tuple when their order is part of what is checked)
TABLE = [
    # Names, acronyms, titles; an exact acronym first.
    ("IOM", "organisations", ("iom", "isb")),
    ("Maritime Analysis", "organisations", ("maoc-n",)),
    # Related names: an activity by its partners, areas and regions; an organisation by its
    # areas; an agreement by its organisation.
    ("IOM", "activities", ("a2",)),
    ("Narcotics", "activities", ("a4",)),
    ("coast guard", "activities", ("a4",)),
    ("coast guard", "organisations", ("maoc-n",)),
    ("Western Balkans", "activities", ("a2",)),
    ("human beings", "organisations", {"iom", "interpol"}),
    ("migration", "agreements", ("Working arrangement",)),
    # The quoted passages.
    ("patrols", "activities", ("a1",)),
    # Accents and case.
    ("Türkiye", "activities", ("a2",)),
    ("turkiye", "activities", ("a2",)),
    ("TÜRKIYE", "activities", ("a2",)),
    # Any dash or apostrophe is a word break: an en dash is found with a hyphen.
    ("Frontex-INTERPOL", "activities", ("a3",)),
    ("frontex interpol", "activities", ("a3",)),
    ("MAOC-N", "organisations", ("maoc-n",)),
    ("colour coded", "activities", ("a3",)),
    # British and American spellings.
    ("Organization", "organisations", {"iom", "interpol", "who"}),
    ("Organisation", "organisations", {"iom", "interpol", "who"}),
    ("program", "activities", ("a2",)),
    ("programmes", "organisations", ("iom",)),
    ("labor", "organisations", ("iom",)),
    ("behavior", "activities", ("a8",)),
    ("realize", "activities", ("a8",)),
    ("analyze", "activities", ("a1",)),
    ("analysed", "activities", ("a1",)),
    ("color", "activities", ("a3",)),
    ("standardized", "activities", ("a7",)),  # its own summary, though its only partner is a draft
    # Stems.
    ("trafficked", "activities", ("a1",)),
    ("trafficked", "organisations", {"iom", "interpol"}),
    ("workshops", "activities", ("a5", "a4")),
    # The beginning of a word.
    ("traff", "activities", ("a1",)),
    ("mari", "activities", ("a4", "a5")),
    ("mari", "organisations", ("maoc-n",)),
    ("Iomeg", "organisations", ("isb",)),
    # Quoted phrases, exclusions, alternatives.
    ('"joint workshop"', "activities", ("a5", "a4")),
    ('"workshop joint"', "activities", ()),
    ("joint -workshop", "activities", ("a1",)),
    ("-maritime", "organisations", {"iom", "interpol", "who", "isb"}),
    ("narcotics or colour", "activities", {"a3", "a4"}),
    # Areas and sources.
    ("trafficking", "areas", ("thb",)),
    ("agency", "sources", ("report",)),
    ("annual report", "sources", ("report",)),
    # Drafts, and records that are public only through a draft, are never found.
    ("Zanzibar", "activities", ()),
    ("Zanzibar", "organisations", ()),
    ("Secret Partner", "activities", ()),
    ("SPB", "organisations", ()),
    ("memorandum", "agreements", ()),
    ("labour", "agreements", ()),
    ("zanzibar maritime", "activities", ()),
]


@pytest.mark.parametrize(
    "q, kind, expected", TABLE, ids=[f"{kind}:{q}" for q, kind, _ in TABLE]
)  # fmt: skip
def test_each_query_finds_exactly_its_records(searchable, q, kind, expected):
    results = found(kind, q)
    if isinstance(expected, set):
        assert sorted(results) == sorted(expected)
    else:
        assert results == list(expected)


def test_the_issue_examples_work_on_the_shipped_registry(registry, client):
    """The searches that used to miss on the quick-start database."""
    assert sorted(found("activities", "UNHCR")) == [
        "return-international-protection-and-fundamental-rights",
        "reviewing-and-strengthening-partnership-frameworks",
    ]
    assert "interpol" in found("organisations", "trafficking")
    for q in ["Turkiye", "TÜRKIYE", "Türkiye"]:
        assert found("activities", q) == ["technical-assistance-eastern-partnership-western-balkans-turkiye"]
    assert found("activities", "Frontex-INTERPOL")[0] == "fields-deployment"
    assert set(found("organisations", "Organisation")) >= {"iom", "interpol", "osce", "imo", "who"}
    assert found("activities", "trafficked")[0] == "risk-analysis-trafficking-and-unaccompanied-minors"
    assert found("organisations", "WHO")[0] == "who"


def test_a_match_in_the_title_ranks_above_one_in_the_summary(searchable):
    results = list(search(CooperationActivity.objects.published(), "maritime"))
    assert [record.slug for record in results] == ["a4", "a5"]
    assert results[0].search_rank > results[1].search_rank


def test_an_exact_acronym_comes_before_names_that_begin_with_it(searchable):
    organisation("iomx", "IOM Partners Network of IOM offices", "IOMX", "IOM IOM IOM")
    assert found("organisations", "iom")[0] == "iom"


def test_equally_relevant_results_keep_the_stable_order_title_then_pk(db):
    older = activity("older", "Training basics")
    newer = activity("newer", "Training basics")
    first = activity("first", "Training abroad")
    results = list(search(CooperationActivity.objects.all(), "training"))
    assert len({result.search_rank for result in results}) == 1
    assert results == [first, older, newer]


def test_search_keeps_the_filters_already_applied(searchable):
    assert found("activities", "maritime") == ["a4", "a5"]
    assert [
        a.slug for a in search(CooperationActivity.objects.published().filter(areas__slug="coast"), "maritime")
    ] == ["a4"]


def test_a_query_with_no_word_returns_the_queryset_unchanged(searchable):
    for q in [None, "", "   ", "\x00", " \x00 \t\n", "!!! --- ???", '""']:
        activities = CooperationActivity.objects.published()
        assert search(activities, q) is activities


def test_a_model_without_search_is_refused_clearly():
    with pytest.raises(TypeError, match="partnerships.Region records are not searchable"):
        search(Region.objects.all(), "balkans")


# How a query is read.


@pytest.mark.parametrize(
    "q, fts5, tsquery",
    [
        ("Trafficking", '"trafficking" *', "'trafficking':*"),
        ("Frontex–INTERPOL", '"frontex interpol" *', "'frontex' <-> 'interpol':*"),
        ('"Joint  workshop" -narcotics', '("joint workshop") NOT ("narcotics")',
         "('joint' <-> 'workshop') & !('narcotics')"),
        ("a or b", '("a" *) OR ("b" *)', "('a':*) | ('b':*)"),
        ("organis", '("organis" * OR "organiz" *)', "('organis':* | 'organiz':*)"),
        ("-x", '"x"', "'x'"),
    ],
)  # fmt: skip
def test_a_query_is_read_once_and_written_for_each_database(q, fts5, tsquery):
    query = text.parse(q)
    assert text.fts5(query) == fts5
    assert text.tsquery(query) == tsquery


@pytest.mark.parametrize(
    "written, read",
    [
        ("Organisation's programmes", "organization s programs"),
        ("TÜRKIYE – Øresund, Łódź", "turkiye oresund lodz"),
        ("labour colours behavioural", "labor colors behavioral"),
        ("analyse realised paralysing", "analyze realized paralyzing"),
        ("centre defence catalogue travelled", "center defense catalog traveled"),
        ("cross-border seafarers’ certification", "cross border seafarers certification"),
    ],
)
def test_indexed_text_and_queries_are_folded_and_spelled_alike(written, read):
    assert text.indexed(written) == read


# Any text is accepted.

STRANGE_QUERIES = [
    "x" * 10_000,
    "word " * 2_000,
    "trafficking\x00 in human beings",
    "\x00" * 50 + "IOM",
    "'; DROP TABLE partnerships_organisation; --",
    "\" ' ` \\ \\\\ %s %(q)s {} ?",
    "<script>alert(1)</script> &amp; &lt;",
    "cross-border & | ! : * ( ) <-> <2> \\ NEAR(a b) {title}: ^x",
    '"unbalanced quote',
    "OR AND NOT - -- or",
    "or or -or",
    "\ud800 lone surrogate",
    "Türkiye – Frontex‐INTERPOL ‘quoted’ 日本語 🚢",
    "%_%",
]


@pytest.mark.parametrize("q", STRANGE_QUERIES, ids=range(len(STRANGE_QUERIES)))
def test_any_text_is_searched_without_an_error(searchable, q):
    for kind, records in KINDS.items():
        results = search(records(), q)
        assert len(list(results)) == results.count(), kind


def test_nul_characters_are_ignored_rather_than_refused(searchable):
    assert found("organisations", "\x00IOM\x00")[0] == "iom"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=200))
def test_generated_text_is_searched_without_an_error(searchable, q):
    results = search(CooperationActivity.objects.published(), q)
    assert len(list(results[:5])) <= 5


def test_results_are_fetched_in_a_fixed_number_of_queries(searchable, django_assert_num_queries):
    """The public lists count, paginate, export (iterator) and prefetch search results: none of
    it may cost a query per row."""
    results = search(Organisation.objects.published().prefetch_related("areas"), "organization")
    with django_assert_num_queries(1):
        assert results.count() == 3
    with django_assert_num_queries(2):
        page = list(results[0:3])
        assert sorted(len(record.areas.all()) for record in page) == [0, 1, 1]
    with django_assert_num_queries(2):
        exported = [(o.slug, [a.slug for a in o.areas.all()]) for o in results.iterator(chunk_size=100)]
    assert len(exported) == 3


def test_the_search_joins_the_index_on_the_record_id(searchable):
    """The index is read through its full-text index, not row by row."""
    plan = search(CooperationActivity.objects.published(), "maritime").explain()
    if connection.vendor == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan, plan
    else:
        assert "partnerships_search_activity" in plan, plan


@pytest.mark.parametrize(
    "q, weights, tsquery",
    [
        ("Trafficking", "A", "'trafficking':*A"),
        ("Frontex–INTERPOL", "AB", "'frontex':AB <-> 'interpol':*AB"),
        ('"Joint  workshop" -narcotics', "A", "'joint':A <-> 'workshop':A"),
        ("organis", "AB", "('organis':*AB | 'organiz':*AB)"),
    ],
)  # fmt: skip
def test_postgresql_matches_within_columns_by_the_weights_the_query_names(q, weights, tsquery):
    assert text.tsquery(text.parse(q), excluded=False, weights=weights) == tsquery
