"""The cooperation timeline on each organisation page: an SVG drawing and an ordered list that
tell the same events in date order, dates at their precision, bounded for the busiest partner,
with the same number of queries for any number of records."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships import timeline
from partnerships.models import Agreement, Citation, CooperationActivity, DatedFact, Organisation, SourceDocument

pytestmark = pytest.mark.usefixtures("registry")


def section(html):
    start = html.index('<section aria-labelledby="timeline-heading"')
    return html[start : html.index("</section>", start)]


def drawn(html):
    """The events of the SVG, as "date: text" from each point's title."""
    return [unescape(title) for title in re.findall(r"<title>(.*?)(?: \(source:.*?)?</title>", section(html))]


def listed(html):
    """The events of the ordered list, as "date: text"."""
    items = re.findall(
        r"<li[^>]*><p><time datetime=\"[^\"]*\">(.*?)</time>: (?:<a href=\"[^\"]*\">)?(.*?)\.?(?:</a>)?</p>",
        section(html),
    )
    return [unescape(f"{when}: {text.rstrip('.')}") for when, text in items]


def page(client, slug):
    response = client.get(f"/organisations/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def hub():
    """WHO with dated agreements, activities and a fact of its own."""
    who = Organisation.objects.get(slug="who")
    source = SourceDocument.objects.get(slug="international-organisations")
    agreement = Agreement.objects.create(
        title="Letter of intent", organisation=who, kind="letter-of-intent", status="superseded",
        signed_on=datetime.date(2021, 2, 3), expires_on=datetime.date(2031, 2, 2), is_published=True,
    )  # fmt: skip
    later = Agreement.objects.create(
        title="Working arrangement", organisation=who, kind="working-arrangement", status="in-force",
        signed_on=datetime.date(2023, 5, 1), in_force_from=datetime.date(2023, 6, 1), supersedes=agreement,
        is_published=True,
    )  # fmt: skip
    Citation.objects.create(agreement=later, source=source, passage="An arrangement.")
    activity = CooperationActivity.objects.get(slug="health-and-safety-measures-at-the-borders")
    CooperationActivity.objects.filter(pk=activity.pk).update(
        starts_on=datetime.date(2024, 1, 15), ends_on=datetime.date(2025, 12, 31)
    )
    fact = DatedFact.objects.create(
        slug="who-talks", date=datetime.date(2020, 3, 1), precision="month", statement="Talks began"
    )
    fact.organisations.add(who)
    Citation.objects.create(dated_fact=fact, source=source, passage="Talks.")
    return who


def test_the_drawing_and_the_list_tell_the_same_events_in_date_order(client, hub):
    html = page(client, "who")
    expected = [
        "March 2020: Talks began",
        "3 February 2021: Letter of intent: signed",
        "1 May 2023: Working arrangement: signed",
        "1 June 2023: Working arrangement: in force",
        "1 June 2023: Letter of intent: superseded",
        "15 January 2024: Strengthening health and safety measures at the borders: planned start",
        "31 December 2025: Strengthening health and safety measures at the borders: planned end",
        "2 February 2031: Letter of intent: expires",
    ]
    assert listed(html) == expected
    assert drawn(html) == expected


def test_each_point_links_to_its_record_and_shows_its_citation(client, hub):
    html = section(page(client, "who"))
    later = Agreement.objects.get(title="Working arrangement")
    assert f'<a href="{later.get_absolute_url()}" tabindex="-1" class="timeline-point kind-signed">' in html
    assert '<a href="/cooperation/health-and-safety-measures-at-the-borders/">' in html
    assert '<a href="#fact-who-talks" tabindex="-1" class="timeline-point kind-fact">' in html
    assert '<li id="fact-who-talks" class="kind-fact">' in html
    assert "<blockquote><p>Talks.</p></blockquote>" in html
    assert "(source: International organisations, Frontex)" in html  # on the drawn point too


def test_the_drawing_is_hidden_from_screen_readers_and_its_links_from_the_tab_order(client, hub):
    html = section(page(client, "who"))
    assert '<svg class="timeline-chart" aria-hidden="true" focusable="false" viewBox="0 0 320 ' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    links = re.findall(r"<a [^>]*>", svg)
    assert len(links) == 8 and all('tabindex="-1"' in link for link in links)
    assert '<ol class="timeline-list">' in html  # what keyboards and screen readers use


def test_a_year_is_drawn_and_written_as_a_year(client):
    html = page(client, "interpol")
    assert listed(html)[0] == "Since 2009: INTERPOL has assisted Frontex operations"
    assert '<text class="timeline-date" x="84" y="42" text-anchor="end">since 2009</text>' in html
    assert "January 2009" not in html and "Jan 2009" not in html


def test_an_organisation_with_nothing_dated_says_so(client):
    html = section(page(client, "unhcr"))
    assert "<svg" not in html
    assert "No dated fact, agreement date or planned activity date is recorded for the UNHCR." in html


def test_drafts_stay_off_the_timeline(client, hub):
    Agreement.objects.filter(title="Working arrangement").update(is_published=False)
    html = page(client, "who")
    assert "Working arrangement" not in section(html)
    assert "superseded" not in section(html)  # the draft that replaced it is not told either


def dated_activities(organisation, count, first_year=2000):
    activities = CooperationActivity.objects.bulk_create(
        CooperationActivity(
            title=f"Dated activity {n}",
            slug=f"dated-{n}",
            status="ongoing",
            is_published=True,
            starts_on=datetime.date(first_year + n % 3, 1 + n % 12, 1),
        )  # fmt: skip
        for n in range(count)
    )
    CooperationActivity.partners.through.objects.bulk_create(
        CooperationActivity.partners.through(cooperationactivity_id=a.pk, organisation_id=organisation.pk)
        for a in activities
    )


def test_past_a_few_dozen_events_activities_and_agreements_are_counted_per_year(client):
    interpol = Organisation.objects.get(slug="interpol")
    dated_activities(interpol, timeline.MAX_EVENTS + 1)
    html = page(client, "interpol")
    assert "counted per year" in html
    assert listed(html) == [
        "2000: 13 activities planned to start",
        "2001: 12 activities planned to start",
        "2002: 12 activities planned to start",
        "Since 2009: INTERPOL has assisted Frontex operations",  # facts stay one by one
        "1 April 2022: FIELDS, the Frontex–INTERPOL Electronic Library Document System, went live",
    ]
    assert drawn(html) == listed(html)


def timeline_queries(client, slug):
    with CaptureQueriesContext(connection) as captured:
        page(client, slug)
    return len(captured.captured_queries)


@pytest.mark.parametrize("small, large", [(2, 12), (timeline.MAX_EVENTS + 5, 300)], ids=["one-by-one", "per-year"])
def test_the_query_count_does_not_grow_with_the_events(client, small, large):
    """Intended to prevent an N+1 query from creeping into the timeline: the same number of
    queries at two sizes, events shown one by one and counted per year."""
    interpol = Organisation.objects.get(slug="interpol")
    source = SourceDocument.objects.get(slug="international-organisations")
    dated_activities(interpol, small)
    for activity in CooperationActivity.objects.filter(slug__startswith="dated-"):
        Citation.objects.create(activity=activity, source=source, passage="Quoted.")
    before = timeline_queries(client, "interpol")
    CooperationActivity.objects.filter(slug__startswith="dated-").delete()
    dated_activities(interpol, large, first_year=1990)
    for activity in CooperationActivity.objects.filter(slug__startswith="dated-"):
        Citation.objects.create(activity=activity, source=source, passage="Quoted.")
    assert timeline_queries(client, "interpol") == before
