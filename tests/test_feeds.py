"""Atom feeds: of each register for its own filters, of one organisation and of one area.

Each feed lists the published records its page would show, latest public change first; a bad
filter is refused as the register refuses it; the feeds parse as valid Atom; every register
page links the feed of exactly the filters it shows.
"""

import datetime

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.feeds import FEED_LENGTH
from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    PublicChange,
    SourceDocument,
)

from .admin_forms import activity_form
from .helpers import body, export_json

FEEDS = [
    "/organisations/feed/",
    "/organisations/feed/?area=return&kind=un-system",
    "/agreements/feed/",
    "/agreements/feed/?organisation=iom&status=in-force",
    "/cooperation/feed/",
    "/cooperation/feed/?area=cross-border-crime&status=ongoing",
    "/organisations/iom/feed/",
    "/areas/return/feed/",
    "/changes/feed/",
]


@pytest.fixture
def staff(superuser):
    browser = Client()
    browser.force_login(superuser)
    return browser


@pytest.fixture
def dated(registry):
    """The shipped records with distinct last public changes (a day apart, in pk order), and
    two agreements with the IOM."""
    iom = Organisation.objects.get(slug="iom")
    for number, area in enumerate(CooperationArea.objects.filter(slug__in=["return", "fundamental-rights"])):
        agreement = Agreement.objects.create(
            title=f"Agreement {number}", organisation=iom, kind="other", status="in-force", is_published=True
        )
        agreement.areas.add(area)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for model in (Organisation, Agreement, CooperationActivity):
        # Not in title order, so that the feed's order cannot be the register's by accident.
        for number, pk in enumerate(model.objects.order_by("-pk").values_list("pk", flat=True)):
            model._base_manager.filter(pk=pk).update(
                published_at=start, public_changed_at=start + datetime.timedelta(days=number)
            )


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, body(response)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return feedparser.parse(response.content)


def links(feed):
    return [entry.link.removeprefix("http://testserver") for entry in feed.entries]


def record_links(feed):
    """The links of the entries that are records (not dated facts)."""
    return [link for link in links(feed) if "#fact-" not in link]


def latest_changed_first(queryset):
    return [record.get_absolute_url() for record in queryset.order_by("-public_changed_at", "-pk")]


@pytest.mark.parametrize(
    ("register", "model", "query"),
    [
        ("/organisations/", Organisation, {"area": "return", "kind": "un-system"}),
        ("/organisations/", Organisation, {"relationship": ["structured", "active"], "q": "migration"}),
        ("/agreements/", Agreement, {"organisation": "iom", "area": "return"}),
        ("/agreements/", Agreement, {}),
        ("/cooperation/", CooperationActivity, {"area": "cross-border-crime", "status": "ongoing"}),
        ("/cooperation/", CooperationActivity, {"organisation": ["iom", "interpol"]}),
        ("/cooperation/", CooperationActivity, {}),
    ],
)
def test_a_register_feed_lists_the_registers_records_latest_change_first(client, dated, register, model, query):
    """The same records as the register's download for the same filters, latest change first."""
    rows = export_json(client, register, query)
    key = "id" if model is Agreement else "slug"
    expected = latest_changed_first(model.objects.filter(**{f"{key}__in": [row[key] for row in rows]}))
    assert expected, "the filters should select some records"

    feed = parse(client, f"{register}feed/?" + "&".join(f"{k}={v}" for k, vs in query.items() for v in _list(vs)))

    assert links(feed) == expected


def _list(value):
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize(
    ("register", "model"),
    [("/organisations/", Organisation), ("/agreements/", Agreement), ("/cooperation/", CooperationActivity)],
)
def test_a_register_feed_is_in_the_order_of_the_register_sorted_by_last_update(client, registry, register, model):
    """``sort=-updated`` on the page and in the download lists the records as the feed does,
    records changed at the same moment included."""
    iom = Organisation.objects.get(slug="iom")
    for number in range(4):
        Agreement.objects.create(
            title=f"Agreement {number}", organisation=iom, kind="other", status="in-force", is_published=True
        )
    together = timezone.now() - datetime.timedelta(days=1)
    model._base_manager.update(public_changed_at=together)
    model._base_manager.filter(pk=model.objects.published().order_by("pk").first().pk).update(
        public_changed_at=timezone.now()
    )

    feed = links(parse(client, f"{register}feed/"))
    page = client.get(register, {"sort": "-updated"}).context["page"].object_list
    downloaded = [
        row["url"].removeprefix("http://testserver") for row in export_json(client, register, {"sort": "-updated"})
    ]

    assert len(feed) > 2
    assert [record.get_absolute_url() for record in page] == feed[: len(page)]
    assert downloaded[:FEED_LENGTH] == feed


def test_a_feed_carries_the_latest_fifty(client, registry):
    iom = Organisation.objects.get(slug="iom")
    Agreement.objects.bulk_create(
        Agreement(
            title=f"Agreement {n:02d}",
            organisation=iom,
            kind="other",
            status="in-force",
            is_published=True,
            published_at=timezone.now(),
            public_changed_at=timezone.now() + datetime.timedelta(minutes=n),
        )
        for n in range(60)
    )

    feed = parse(client, "/agreements/feed/")

    assert [entry.title for entry in feed.entries] == [f"Agreement {n:02d}" for n in range(59, 9, -1)]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/cooperation/feed/?status=bogus", "status"),
        ("/cooperation/feed/?organisation=no-such-organisation", "organisation"),
        ("/cooperation/feed/?q=one&q=two", "q"),
        ("/organisations/feed/?area=nowhere", "area"),
        ("/organisations/feed/?kind=bogus", "kind"),
        ("/agreements/feed/?signed_after=yesterday", "signed_after"),
        ("/agreements/feed/?q=" + "x" * 201, "q"),
        ("/cooperation/feed/?area=re%00turn", "area"),
    ],
)
def test_a_bad_filter_on_a_feed_is_a_400_naming_the_parameter(client, registry, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert f"<code>{parameter}</code>" in body(response)


def test_a_feed_ignores_the_registers_page_and_format(client, registry):
    """A register address with its page or download format still gives the feed of its filters."""
    plain = parse(client, "/cooperation/feed/?status=ongoing")
    assert links(parse(client, "/cooperation/feed/?status=ongoing&page=2&format=csv")) == links(plain)


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_valid_atom_with_every_required_element(client, dated, staff, url):
    """RFC 4287: the feed's id, title, updated and author (or each entry's); each entry's id,
    title, updated and link; here also each entry's published date and summary."""
    fields = CooperationActivity.objects.get(slug="fields-deployment")
    staff.post(
        reverse("admin:partnerships_cooperationactivity_change", args=[fields.pk]),
        activity_form(fields, status="completed"),
    )

    feed = parse(client, url)

    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.id and feed.feed.title and feed.feed.updated and feed.feed.author
    assert feed.feed.link.startswith("http://testserver/")
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [f"http://testserver{url}"]
    assert feed.entries, "every feed here has entries"
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated and entry.published and entry.summary
        assert entry.link.startswith("http://testserver/")
        assert entry.updated_parsed >= entry.published_parsed
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)


def test_entries_carry_permanent_ids_dates_and_areas(client, registry):
    fields = CooperationActivity.objects.get(slug="fields-deployment")

    feed = parse(client, "/cooperation/feed/?organisation=interpol&status=ongoing")
    [entry] = [entry for entry in feed.entries if entry.link.endswith("/cooperation/fields-deployment/")]

    assert entry.id == f"tag:testserver,{fields.created_at:%Y-%m-%d}:cooperationactivity/{fields.pk}"
    assert entry.updated == fields.public_changed_at.isoformat()
    assert entry.published == fields.published_at.isoformat()
    assert sorted(tag.term for tag in entry.tags) == sorted(fields.areas.values_list("name", flat=True))
    assert "Ongoing" in entry.summary


def test_the_feed_title_says_which_filters_it_follows(client, registry):
    feed = parse(client, "/cooperation/feed/?status=ongoing&area=return&q=return")
    assert feed.feed.title == "Cooperation activities: Search: “return”; Cooperation area: Return; Status: Ongoing"
    assert feed.feed.link == "http://testserver/cooperation/?q=return&area=return&status=ongoing"


def test_an_edit_moves_the_record_to_the_top_and_unpublishing_removes_it(client, dated, staff, page_cache):
    """Feeds are served from the page cache, and the next request after an edit shows it."""
    ships = CooperationActivity.objects.get(slug="preventing-fraudulent-ship-registration-and-seafarer-certification")
    feeds = ["/cooperation/feed/", "/organisations/imo/feed/", "/areas/coast-guard/feed/"]
    before = {url: parse(client, url) for url in feeds}
    assert links(before["/cooperation/feed/"])[0] != ships.get_absolute_url()

    staff.post(
        reverse("admin:partnerships_cooperationactivity_change", args=[ships.pk]),
        activity_form(ships, status="ongoing"),
    )

    for url in feeds:
        feed = parse(client, url)
        assert links(feed)[0] == ships.get_absolute_url(), url
        assert "Ongoing" in feed.entries[0].summary

    staff.post(
        reverse("admin:partnerships_cooperationactivity_changelist"),
        {"action": "unpublish", "_selected_action": [ships.pk]},
    )

    for url in [*feeds, "/changes/feed/"]:
        assert ships.get_absolute_url() not in body(client.get(url)), url


def test_the_organisation_feed_follows_its_record_activities_and_agreements(client, dated):
    iom = Organisation.objects.get(slug="iom")
    CooperationActivity.objects.create(title="Draft with the IOM", slug="draft-iom").partners.add(iom)

    feed = parse(client, "/organisations/iom/feed/")

    expected = {
        iom.get_absolute_url(),
        *(a.get_absolute_url() for a in CooperationActivity.objects.published().filter(partners=iom)),
        *(a.get_absolute_url() for a in Agreement.objects.published().filter(organisation=iom)),
    }
    assert set(record_links(feed)) == expected
    assert "/cooperation/draft-iom/" not in links(feed)
    dates = [entry.updated_parsed for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_the_area_feed_follows_the_area_and_what_is_in_it(client, dated):
    area = CooperationArea.objects.get(slug="return")

    feed = parse(client, "/areas/return/feed/")

    expected = {
        area.get_absolute_url(),
        *(o.get_absolute_url() for o in Organisation.objects.published().filter(areas=area)),
        *(a.get_absolute_url() for a in CooperationActivity.objects.published().filter(areas=area)),
        *(a.get_absolute_url() for a in Agreement.objects.published().filter(areas=area)),
    }
    assert set(record_links(feed)) == expected


@pytest.mark.parametrize("url", ["/organisations/no-such-organisation/feed/", "/areas/nowhere/feed/"])
def test_the_feed_of_a_missing_record_is_a_404(client, registry, url):
    assert client.get(url).status_code == 404


def test_an_unpublished_organisation_has_no_feed(client, registry):
    Organisation.objects.filter(slug="who").update(is_published=False)
    assert client.get("/organisations/who/feed/").status_code == 404


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/cooperation/?status=ongoing&area=return&page=1", "/cooperation/feed/?area=return&status=ongoing"),
        ("/organisations/", "/organisations/feed/"),
        ("/agreements/?organisation=iom&organisation=who", "/agreements/feed/?organisation=iom&amp;organisation=who"),
    ],
)
def test_every_register_page_links_the_feed_of_the_filters_it_shows(client, registry, page, feed):
    html = body(client.get(page))
    feed = feed.replace("&amp;", "&").replace("&", "&amp;")
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Follow these results (Atom feed)" href="{feed}">'
        in html
    )
    assert f'<a href="{feed}" class="feed-link">Follow these results</a>' in html


def test_a_register_page_with_unusable_filters_links_no_feed(client, registry):
    html = body(client.get("/cooperation/?status=bogus"))
    assert "application/atom+xml" not in html.split("</head>")[0].replace("/changes/feed/", "")
    assert "Follow these results" not in html


def test_record_pages_link_their_feeds(client, registry):
    assert 'href="/organisations/iom/feed/"' in body(client.get("/organisations/iom/"))
    assert 'href="/areas/return/feed/"' in body(client.get("/areas/return/"))
    assert 'href="/changes/feed/"' in body(client.get("/changes/"))


def test_the_sitemap_dates_records_by_their_last_public_change(client, dated):
    ships = CooperationActivity.objects.get(slug="preventing-fraudulent-ship-registration-and-seafarer-certification")
    sitemap = body(client.get("/sitemap-cooperation.xml"))
    entry = sitemap.split(ships.get_absolute_url(), 1)[1].split("</url>", 1)[0]
    assert f"<lastmod>{ships.public_changed_at:%Y-%m-%d}</lastmod>" in entry


def test_a_feed_keys_the_page_cache_on_its_filters_only(client, registry, page_cache):
    """Unknown parameters and the register's page and format make no entries of their own."""
    first = client.get("/cooperation/feed/?status=ongoing")
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/cooperation/feed/?page=3&status=ongoing&utm_source=reader")
    assert (again.status_code, again.content) == (200, first.content)
    assert len(captured) == 1  # the registry version
    assert again["ETag"] == first["ETag"]


# Dated facts -----------------------------------------------------------------------------------

ASSISTS = "interpol-assists-frontex-operations"


def fact_entries(feed):
    """{link: entry} of the entries that are dated facts, in feed order."""
    return {entry.link.removeprefix("http://testserver"): entry for entry in feed.entries if "#fact-" in entry.link}


def test_an_organisation_feed_carries_its_dated_facts_as_entries(client, registry):
    """Each fact is an entry with a permanent id, linked to its place on the organisation's page,
    dated from its record's publication when it has not changed since, citing its sources."""
    interpol = Organisation.objects.get(slug="interpol")
    fact = DatedFact.objects.get(slug=ASSISTS)

    feed = parse(client, "/organisations/interpol/feed/")

    facts = fact_entries(feed)
    assert list(facts) == [
        "/organisations/interpol/#fact-fields-went-live",
        f"/organisations/interpol/#fact-{ASSISTS}",
    ]
    entry = facts[f"/organisations/interpol/#fact-{ASSISTS}"]
    assert entry.id == f"tag:testserver,{fact.created_at:%Y-%m-%d}:datedfact/{fact.pk}"
    assert entry.title == "Since 2009: INTERPOL has assisted Frontex operations"
    assert entry.summary == (
        "<p>Dated fact · International Criminal Police Organization (INTERPOL)</p>"
        "<p>Sources: Cooperation with Frontex</p>"
    )
    assert entry.published == entry.updated == interpol.published_at.isoformat()
    assert f'id="fact-{ASSISTS}"' in body(client.get("/organisations/interpol/"))


def test_a_revised_fact_comes_first_and_a_save_that_changes_nothing_moves_nothing(client, registry):
    interpol = Organisation.objects.get(slug="interpol")
    fact = DatedFact.objects.get(slug=ASSISTS)
    before = [(entry.id, entry.updated) for entry in parse(client, "/organisations/interpol/feed/").entries]

    fact.save()
    assert [(entry.id, entry.updated) for entry in parse(client, "/organisations/interpol/feed/").entries] == before

    fact.statement = "INTERPOL has assisted Frontex joint operations"
    fact.save()
    change = PublicChange.objects.get(organisation=interpol)

    for url in ["/organisations/interpol/feed/", "/areas/cross-border-crime/feed/"]:
        first = parse(client, url).entries[0]
        assert first.title == "Since 2009: INTERPOL has assisted Frontex joint operations", url
        assert first.updated == change.changed_at.isoformat()
        assert first.published == interpol.published_at.isoformat()
        dates = [entry.updated_parsed for entry in parse(client, url).entries]
        assert dates == sorted(dates, reverse=True)


def test_a_fact_added_later_is_dated_when_added_and_linked_to_its_activitys_page(client, registry):
    fields = CooperationActivity.objects.get(slug="fields-deployment")
    fact = DatedFact.objects.create(
        slug="fields-extended", date=datetime.date(2024, 1, 1), precision="year", statement="FIELDS was extended",
        activity=fields,
    )  # fmt: skip
    change = PublicChange.objects.get(activity=fields)

    feed = parse(client, "/organisations/interpol/feed/")

    entry = feed.entries[0]
    assert entry.link == "http://testserver/cooperation/fields-deployment/#fact-fields-extended"
    assert entry.id == f"tag:testserver,{fact.created_at:%Y-%m-%d}:datedfact/{fact.pk}"
    assert entry.title == "2024: FIELDS was extended"
    assert entry.summary == f"<p>Dated fact · {fields.title}</p>"  # it cites nothing yet
    assert entry.published == entry.updated == change.changed_at.isoformat()
    assert 'id="fact-fields-extended"' in body(client.get(fields.get_absolute_url()))


def test_facts_of_drafts_and_draft_sources_are_in_no_feed(client, registry):
    """A fact of a draft activity is shown nowhere; a citation of a draft source is not named."""
    interpol = Organisation.objects.get(slug="interpol")
    draft = CooperationActivity.objects.create(title="Draft with INTERPOL", slug="draft-interpol")
    draft.partners.add(interpol)
    draft.areas.add(CooperationArea.objects.get(slug="cross-border-crime"))
    DatedFact.objects.create(slug="secret-fact", date=datetime.date(2025, 1, 1), statement="Secret", activity=draft)
    memo = SourceDocument.objects.create(title="An internal memo not yet cleared", slug="internal-memo")
    Citation.objects.create(source=memo, dated_fact=DatedFact.objects.get(slug=ASSISTS))

    for url in ["/organisations/interpol/feed/", "/areas/cross-border-crime/feed/"]:
        feed = body(client.get(url))
        assert "secret-fact" not in feed and "Secret" not in feed, url
        assert "internal memo" not in feed, url
        assert "Cooperation with Frontex" in feed, url


def test_an_area_feed_carries_the_facts_of_the_records_in_it(client, registry):
    area = CooperationArea.objects.get(slug="cross-border-crime")
    in_area = {
        f"{organisation.get_absolute_url()}#{fact.anchor}"
        for fact in DatedFact.objects.published()
        for organisation in fact.organisations.published().filter(areas=area)
    }
    assert in_area, "the shipped data has facts of organisations in this area"
    elsewhere = DatedFact.objects.exclude(organisations__areas=area)

    feed = parse(client, "/areas/cross-border-crime/feed/")

    assert set(fact_entries(feed)) == in_area
    for fact in elsewhere:
        assert f"#{fact.anchor}" not in body(client.get("/areas/cross-border-crime/feed/"))
