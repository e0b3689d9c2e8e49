"""What a visitor does in a real browser: browse from the overview to an activity, filter a
register and page through it, read the message for a bad filter, download the filtered rows."""

import csv
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from partnerships.models import CooperationActivity, CooperationArea, Organisation

pytestmark = pytest.mark.browser

PAGE_SIZE = 25


def query_of(url):
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def result_titles(page):
    return page.locator("table tbody th > a")


def fact(page, term):
    """The <dd> after the <dt> that reads ``term`` on a detail page."""
    return page.locator(".facts dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def make_activity(title, slug, status, areas, partners=("interpol",), published=True):
    activity = CooperationActivity.objects.create(title=title, slug=slug, status=status, is_published=published)
    activity.areas.set(CooperationArea.objects.filter(slug__in=areas))
    activity.partners.set(Organisation.objects.filter(slug__in=partners))
    return activity


@pytest.fixture
def terrorism_workshops(live_registry):
    """30 completed activities on terrorism (two pages), and near misses that must not match."""
    matching = [
        make_activity(f"Counter-terrorism workshop {n:02d}", f"ct-workshop-{n:02d}", "completed", ["terrorism"])
        for n in range(1, 31)
    ]
    make_activity("Counter-terrorism workshop (ongoing)", "ct-ongoing", "ongoing", ["terrorism"])
    make_activity("Smuggling workshop (completed)", "smuggling-completed", "completed", ["migrant-smuggling"])
    make_activity("Counter-terrorism workshop (draft)", "ct-draft", "completed", ["terrorism"], published=False)
    return matching


def test_a_visitor_goes_from_the_overview_to_an_area_an_organisation_and_an_activity(page, live_registry):
    page.goto("/")
    expect(page).to_have_title("Overview · Partnerships registry")

    areas = page.get_by_role("region", name="Cooperation areas")
    areas.get_by_role("link", name="Trafficking in human beings", exact=True).click()
    expect(page).to_have_url(re.compile(r"/areas/trafficking-in-human-beings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Trafficking in human beings")
    organisations = page.get_by_role("region", name="Organisations (2)")
    expect(organisations.get_by_role("heading", level=3)).to_have_text(
        ["International Criminal Police Organization INTERPOL", "International Organization for Migration IOM"]
    )

    organisations.get_by_role("link", name="International Organization for Migration").click()
    expect(page).to_have_url(re.compile(r"/organisations/iom/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("International Organization for Migration IOM")

    title = "Frontex-tailored risk analysis on trafficking in human beings and unaccompanied minors"
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/cooperation/risk-analysis-trafficking-and-unaccompanied-minors/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    activity = CooperationActivity.objects.get(slug="risk-analysis-trafficking-and-unaccompanied-minors")
    expect(page.locator("blockquote")).to_have_text(activity.citations.get().passage)
    # The source's page lists the activity among the statements citing it.
    page.get_by_role("link", name="International organisations").first.click()
    expect(page).to_have_url(re.compile(r"/sources/international-organisations/$"))
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.go_back()
    expect(fact(page, "Partner organisations")).to_have_text("International Organization for Migration (IOM)")
    expect(fact(page, "Cooperation areas")).to_have_text("Trafficking in human beings, Risk analysis")


def test_filtering_by_area_and_status_shows_exactly_the_matching_rows_and_page_2_keeps_the_filters(
    page, terrorism_workshops
):
    titles = [activity.title for activity in terrorism_workshops]
    page.goto("/cooperation/")
    form = page.get_by_role("form", name="Filter")
    form.get_by_role("group", name="Cooperation area:").get_by_label("Terrorism").check()
    form.get_by_role("group", name="Status:").get_by_label("Completed").check()
    form.get_by_role("button", name="Show results").click()

    expect(page).to_have_url(re.compile(r"status=completed"))
    assert query_of(page.url) == {"q": [""], "area": ["terrorism"], "status": ["completed"]}
    expect(page.get_by_role("status")).to_have_text("30 activities match these filters. Ordered by title.")
    expect(result_titles(page)).to_have_text(titles[:PAGE_SIZE])

    page.get_by_role("navigation", name="Pages of results").get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    assert query_of(page.url) == {"q": [""], "area": ["terrorism"], "status": ["completed"], "page": ["2"]}
    expect(result_titles(page)).to_have_text(titles[PAGE_SIZE:])
    expect(form.get_by_label("Terrorism")).to_be_checked()
    expect(form.get_by_label("Completed")).to_be_checked()
    expect(form.get_by_role("checkbox", checked=True)).to_have_count(2)


def test_the_csv_download_holds_exactly_the_filtered_rows_of_every_page(page, terrorism_workshops):
    page.goto("/cooperation/?area=terrorism&status=completed&page=2")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value

    assert re.fullmatch(r"cooperation-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["slug"], row["title"]) for row in rows] == [(a.slug, a.title) for a in terrorism_workshops]
    assert {(row["status"], row["areas"], row["partners"]) for row in rows} == {("completed", "terrorism", "interpol")}


def test_a_bad_filter_value_answers_400_with_a_message_naming_the_parameter(page, live_registry):
    response = page.goto("/cooperation/?status=bogus")
    assert response.status == 400
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading")).to_have_text("These filters cannot be used")
    expect(alert.get_by_role("listitem")).to_have_text(
        ["Status (status): Select a valid choice. bogus is not one of the available choices."]
    )
    expect(page.locator(".results .empty")).to_have_text("No results are shown until the filters above can be used.")
    alert.get_by_role("link", name="start again without filters").click()
    expect(page).to_have_url(re.compile(r"/cooperation/$"))
    expect(page.get_by_role("status")).to_have_text("9 activities. Ordered by title.")
