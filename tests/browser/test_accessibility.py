"""Accessibility in a real browser: no axe-core WCAG 2.1 A/AA violation on any kind of public
page, and the filters and page links work from the keyboard with a visible focus ring."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .support import SCREENSHOT_PAGES, database_unavailable_pages, describe_violations, page_params

pytestmark = pytest.mark.browser

FOCUSED_OUTLINE = """() => {
    const style = getComputedStyle(document.activeElement);
    return {style: style.outlineStyle, width: style.outlineWidth};
}"""


def query_of(url):
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def tab_to(page, selector, limit=150):
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def assert_focus_ring(page):
    outline = page.evaluate(FOCUSED_OUTLINE)
    assert outline["style"] != "none" and outline["width"] != "0px", outline


@pytest.mark.parametrize("name, path, status", page_params())
def test_the_page_has_no_axe_violations(page, showcase, axe, screenshots, name, path, status):
    """Each kind of public page, including error pages, meets WCAG 2.1 AA as far as axe-core can tell."""
    response = page.goto(path.format(agreement=showcase.pk))
    assert response.status == status
    violations = axe(page)
    if name in SCREENSHOT_PAGES:
        page.screenshot(path=screenshots / f"desktop-{name}.png", full_page=True)
    found = [(violation["id"], violation["targets"]) for violation in violations]
    assert found == [], f"axe-core found on {path}:\n{describe_violations(violations)}"


@pytest.mark.parametrize("name", ["database-unavailable", "database-unavailable-form"])
def test_the_database_unavailable_pages_have_no_axe_violations(page, live_registry, axe, name):
    """Served, while the database is unreachable, in place of the page asked for."""
    html = database_unavailable_pages()[name]
    page.route(
        "**/database-unavailable/",
        lambda route: route.fulfill(status=503, content_type="text/html; charset=utf-8", body=html),
    )
    assert page.goto("/database-unavailable/").status == 503
    violations = axe(page)
    assert violations == [], describe_violations(violations)


def test_the_stylesheet_loads(page, live_registry):
    """The pages are styled: the stylesheet is served and applied (a broken static setup would hide a11y bugs)."""
    stylesheets = []
    page.on("response", lambda response: stylesheets.append(response) if response.url.endswith(".css") else None)
    page.goto("/")
    assert [(urlsplit(r.url).path, r.status) for r in stylesheets] == [("/static/css/site.css", 200)]
    expect(page.locator(".site-header")).to_have_css("background-color", "rgb(18, 59, 109)")


def test_the_filters_and_page_links_work_from_the_keyboard(page, showcase):
    """Tab to a checkbox, Space ticks it, Tab to the button, Enter submits; Tab and Enter follow a page link."""
    page.goto("/cooperation/")

    tab_to(page, "input[name=status][value=completed]")
    assert_focus_ring(page)
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Completed")).to_be_checked()

    tab_to(page, "form.filters button[type=submit]")
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=completed"))
    assert query_of(page.url) == {"q": [""], "status": ["completed"]}
    expect(page.get_by_role("status")).to_have_text("30 activities match these filters. Ordered by title.")

    tab_to(page, "nav.pagination a[rel=next]")
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page=2"))
    assert query_of(page.url) == {"q": [""], "status": ["completed"], "page": ["2"]}
    titles = [f"Training course {number} (test record)" for number in range(26, 31)]
    expect(page.locator("table tbody th > a")).to_have_text(titles)
    expect(page.get_by_role("checkbox", name="Completed")).to_be_checked()
