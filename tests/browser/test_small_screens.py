"""Phones: at 375 px wide no page scrolls sideways, and the filter form stays in view.

A wide table may scroll inside its own .table-scroll box; the page itself must not.
"""

import pytest

from .support import PHONE, SCREENSHOT_PAGES, page_params

pytestmark = pytest.mark.browser

# Elements that stick out of the viewport's right edge, for the failure message. Elements
# inside a scrolling table box are left out (they scroll there, not with the page), unless
# absolutely positioned, as those can escape the box.
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "");
    return [...document.body.querySelectorAll("*")]
        .filter((e) => e.getBoundingClientRect().right > width + 0.5)
        .filter((e) => !e.parentElement.closest(".table-scroll") || getComputedStyle(e).position === "absolute")
        .slice(0, 10)
        .map((e) => `${describe(e)} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
}"""

FILTER_CONTROLS_OUT_OF_VIEW = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("form.filters :is(input, select, button, a)")]
        .filter((e) => {
            const box = e.getBoundingClientRect();
            return box.width === 0 || box.height === 0 || box.left < 0 || box.right > width;
        })
        .map((e) => e.outerHTML.slice(0, 80));
}"""


@pytest.mark.parametrize("name, path, status", page_params())
def test_the_page_does_not_scroll_sideways_on_a_phone(page, showcase, screenshots, name, path, status):
    page.set_viewport_size(PHONE)
    response = page.goto(path.format(agreement=showcase.pk))
    assert response.status == status
    if name in SCREENSHOT_PAGES:
        page.screenshot(path=screenshots / f"phone-{name}.png", full_page=True)
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert client_width == PHONE["width"]
    assert scroll_width <= client_width, page.evaluate(OVERFLOWING)
    form = page.locator("form.filters")
    if form.count():
        assert form.is_visible()
        assert page.evaluate(FILTER_CONTROLS_OUT_OF_VIEW) == []
        assert page.get_by_role("button", name="Show results").is_visible()
