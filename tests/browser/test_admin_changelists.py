"""Every admin changelist fits a 1,280 px screen beside its filters: no column is cut off or
pushed out of sight, with long titles and names, and the activity list names the partners."""

import pytest
from playwright.sync_api import expect

from .support import DESKTOP

pytestmark = pytest.mark.browser

USERNAME = "lister"
PASSWORD = "a-long-test-password-4711"

CHANGELISTS = ["cooperationarea", "region", "sourcedocument", "organisation", "agreement", "cooperationactivity"]

# Columns whose header or cells reach past the results box's visible width (the admin lets the
# table scroll sideways inside it, hiding the last columns), and the page's own sideways scroll.
HIDDEN_COLUMNS = """() => {
    const box = document.querySelector("#changelist .results");
    const visibleRight = box.getBoundingClientRect().left + box.clientWidth;
    const hidden = [...box.querySelectorAll("thead th")]
        .filter((th) => th.getBoundingClientRect().right > visibleRight + 0.5)
        .map((th) => th.textContent.trim());
    return {
        hidden,
        boxScrolls: box.scrollWidth > box.clientWidth + 1,
        pageScrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    };
}"""


@pytest.fixture
def lister(showcase, django_user_model):
    return django_user_model.objects.create_superuser(USERNAME, "lister@example.org", PASSWORD)


def log_in(page):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Registry administration")).to_be_visible()


@pytest.mark.parametrize("model_name", CHANGELISTS)
def test_the_changelist_columns_fit_at_1280_px(page, lister, screenshots, model_name):
    page.set_viewport_size(DESKTOP)
    log_in(page)
    page.goto(f"/admin/partnerships/{model_name}/")
    expect(page.locator("#result_list")).to_be_visible()
    page.screenshot(path=screenshots / f"admin-{model_name}-desktop.png", full_page=True)

    layout = page.evaluate(HIDDEN_COLUMNS)

    assert layout == {"hidden": [], "boxScrolls": False, "pageScrolls": False}


def test_the_activity_list_names_the_partners(page, lister):
    page.set_viewport_size(DESKTOP)
    log_in(page)
    page.goto("/admin/partnerships/cooperationactivity/?q=WHO")
    expect(page.locator("#result_list thead")).to_contain_text("Partners")
    expect(page.locator("#result_list tbody td.field-partner_list")).to_have_text(["WHO"])
