"""Phones first: at 375 px wide no page scrolls sideways or hides a table column behind a
sideways scroll, each register shows its results before its filters (folded behind "Filter"),
and a long unbroken word never widens a page. At 1,280 px the matrix shows all its areas."""

import pytest
from playwright.sync_api import expect

from partnerships.models import CooperationActivity, CooperationArea, Organisation

from .support import DESKTOP, PHONE, SCREENSHOT_PAGES, page_params

pytestmark = pytest.mark.browser

# Elements that stick out of the viewport's right edge, for the failure message.
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "");
    return [...document.body.querySelectorAll("*")]
        .filter((e) => e.getBoundingClientRect().right > width + 0.5)
        .slice(0, 10)
        .map((e) => `${describe(e)} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
}"""

# Boxes whose content is wider than the box, so that part of it (a table's columns) can only
# be seen by scrolling the box sideways, or not at all.
SIDEWAYS_BOXES = """() => [...document.body.querySelectorAll("*")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
        && ["auto", "scroll", "hidden"].includes(getComputedStyle(e).overflowX))
    .filter((e) => !e.matches(".visually-hidden, .visually-hidden *, .words, thead, thead *"))
    .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${e.scrollWidth} px in ${e.clientWidth} px)`)"""

TABLES_OUT_OF_VIEW = """() => [...document.querySelectorAll("table")]
    .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map((t) => t.className || "table")"""

FILTER_CONTROLS_OUT_OF_VIEW = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("form.filters :is(input:not([type=hidden]), select, button, a)")]
        .filter((e) => !e.closest("[hidden]"))
        .filter((e) => {
            const box = e.getBoundingClientRect();
            return box.width === 0 || box.height === 0 || box.left < 0 || box.right > width;
        })
        .map((e) => e.outerHTML.slice(0, 80));
}"""


def assert_no_sideways_scroll(page, width):
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert client_width == width
    assert scroll_width <= client_width, page.evaluate(OVERFLOWING)
    assert page.evaluate(SIDEWAYS_BOXES) == []
    assert page.evaluate(TABLES_OUT_OF_VIEW) == []


@pytest.mark.parametrize("name, path, status", page_params())
def test_the_page_does_not_scroll_sideways_on_a_phone(page, showcase, screenshots, name, path, status):
    page.set_viewport_size(PHONE)
    response = page.goto(path.format(agreement=showcase.pk))
    assert response.status == status
    if name in SCREENSHOT_PAGES:
        page.screenshot(path=screenshots / f"phone-{name}.png", full_page=True)
    assert_no_sideways_scroll(page, PHONE["width"])
    form = page.locator("form.filters")
    if form.count():
        if page.locator("details.filter-panel[open]").count() == 0:  # folded, unless there are errors
            page.locator("details.filter-panel > summary").click()
        expect(form).to_be_visible()
        assert page.evaluate(FILTER_CONTROLS_OUT_OF_VIEW) == []
        expect(page.get_by_role("button", name="Show results")).to_be_visible()
        assert_no_sideways_scroll(page, PHONE["width"])


@pytest.mark.parametrize("path", ["/organisations/", "/agreements/", "/cooperation/?area=capacity-building"])
def test_a_phone_shows_the_results_before_the_folded_filters(page, showcase, path):
    page.set_viewport_size(PHONE)
    page.goto(path)
    results = page.locator("section.results")
    panel = page.locator("details.filter-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.get_by_role("button", name="Show results")).to_be_hidden()
    assert results.bounding_box()["y"] < panel.bounding_box()["y"]
    first_result = page.locator("section.results :is(tbody tr, p.empty)").first
    assert first_result.bounding_box()["y"] < PHONE["height"], "the first result is below the first screen"
    page.get_by_text("Filter", exact=True).click()
    expect(page.get_by_role("button", name="Show results")).to_be_visible()


def test_each_result_is_a_card_on_a_phone(page, showcase):
    page.set_viewport_size(PHONE)
    page.goto("/cooperation/?organisation=iom&region=turkiye")
    first = page.locator("table.results-table tbody tr").first
    expect(first).to_have_css("display", "block")
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(first.locator("td[data-label=Status]")).to_be_visible()
    expect(first.locator("td[data-label=Regions]")).to_have_text("Eastern Partnership, Türkiye, Western Balkans")
    expect(first.locator("td[data-label=Regions]")).to_be_visible()
    # A card leaves out what is not stated, rather than a line of dashes.
    expect(first.locator("td[data-label='Planned start']")).to_be_hidden()


@pytest.fixture
def long_word(live_registry):
    """A 300-character word in summaries, and as much of it as a title (300 characters) or an organisation's name
    (200) holds, limits PostgreSQL enforces: each far wider than any screen."""
    word = "Grenzschutzzusammenarbeitsvereinbarung" * 8
    word = word[:300]
    organisation = Organisation.objects.create(
        name=f"Organisation {word[:180]}", acronym=word[:30], slug="long-word", kind="other",
        relationship="active", summary=word, is_published=True,
    )  # fmt: skip
    activity = CooperationActivity.objects.create(
        title=f"Activity {word[:290]}", slug="long-word-activity", summary=word, status="planned", is_published=True
    )
    activity.partners.add(organisation)
    activity.areas.add(CooperationArea.objects.get(slug="return"))
    return word


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/organisations/",
        "/organisations/long-word/",
        "/cooperation/",
        "/cooperation/?organisation=long-word",
        "/cooperation/long-word-activity/",
        "/areas/",
        "/areas/return/",
    ],
)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_300_character_word_does_not_widen_the_page(page, long_word, path, viewport):
    page.set_viewport_size(viewport)
    assert page.goto(path).status == 200
    assert long_word[:30] in page.content()
    assert_no_sideways_scroll(page, viewport["width"])


def test_the_matrix_shows_every_area_at_1280_px_without_scrolling(page, showcase, screenshots):
    page.set_viewport_size(DESKTOP)
    page.goto("/areas/")
    page.screenshot(path=screenshots / "desktop-matrix.png", full_page=True)
    assert_no_sideways_scroll(page, DESKTOP["width"])
    headers = page.locator("table.matrix thead th.area")
    expect(headers).to_have_count(14)
    for index in range(14):
        header = headers.nth(index)
        expect(header).to_be_visible()
        box = header.locator("a").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], header.inner_text()
    expect(headers.nth(13).get_by_role("link")).to_have_accessible_name("Risk analysis")
    # The rows that were cut off before: IMO and WHO's areas are the last columns.
    expect(page.locator("table.matrix tbody tr", has_text="WHO").locator("td.works")).to_be_visible()


def test_the_matrix_is_a_list_of_areas_per_organisation_on_a_phone(page, showcase):
    page.set_viewport_size(PHONE)
    page.goto("/areas/")
    iom = page.locator("table.matrix tbody tr", has_text="IOM")
    expect(iom.locator("td.works")).to_have_count(6)
    expect(iom.locator("td.works").first).to_have_text("Return: declared, 1 activity", use_inner_text=True)
    expect(iom.locator("td:not(.works)").first).to_be_hidden()


def test_the_printed_register_has_the_results_and_not_the_form(page, showcase):
    page.goto("/cooperation/?organisation=iom")
    page.emulate_media(media="print")
    expect(page.locator("details.filter-panel")).to_be_hidden()
    expect(page.locator("nav.pagination")).to_be_hidden()
    expect(page.locator("table.results-table")).to_be_visible()
    expect(page.get_by_role("status")).to_be_visible()
