"""The registers in a real browser: the organisation list narrowed as one types, sortable column
headers, and the chosen values above the results that remove themselves when followed."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from partnerships.models import CooperationActivity

from .support import DESKTOP

pytestmark = pytest.mark.browser


def test_typing_narrows_the_list_of_organisations_and_the_choice_is_kept(page, showcase):
    page.set_viewport_size(DESKTOP)
    page.goto("/cooperation/?expand=organisation")
    partners = page.get_by_role("group", name="Partner organisation")
    expect(partners).to_be_visible()  # unfolded on a wide screen
    expect(partners.get_by_role("checkbox")).to_have_count(10)
    partners.get_by_label("Find an organisation in this list").fill("migratión")
    expect(partners.get_by_role("checkbox").locator("visible=true")).to_have_count(1)
    partners.get_by_label("International Organization for Migration").check()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"organisation=iom"))
    assert "expand=organisation" in page.url
    expect(page.get_by_role("status")).to_have_text(
        "Showing 34 activities with International Organization for Migration (IOM) (remove this filter). Clear all"
    )


def test_a_column_header_sorts_the_results_one_way_then_the_other(page, showcase):
    CooperationActivity.objects.filter(slug="training-course-03").update(starts_on=datetime.date(2024, 1, 1))
    # Later than training course 01, which the showcase moves to May 2025.
    CooperationActivity.objects.filter(slug="training-course-07").update(starts_on=datetime.date(2026, 1, 1))
    page.set_viewport_size(DESKTOP)
    page.goto("/cooperation/?status=completed")
    page.get_by_role("columnheader", name="Planned start").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=starts_on"))
    header = page.get_by_role("columnheader", name="Planned start")
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("table tbody th > a").first).to_have_text("Training course 03 (test record)")
    header.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=-starts_on"))
    expect(page.get_by_role("columnheader", name="Planned start")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("table tbody th > a").first).to_have_text("Training course 07 (test record)")


def test_following_a_chosen_value_removes_it(page, showcase):
    page.goto("/cooperation/?area=return&area=capacity-building&status=completed")
    expect(page.get_by_role("status")).to_have_text(
        "Showing 30 activities in Return (remove this filter) or Capacity building and training (remove this "
        "filter), completed (remove this filter). Clear all"
    )
    page.get_by_role("link", name="Capacity building and training (remove this filter)").click()
    expect(page.get_by_role("status")).to_have_text(
        "Showing 0 activities in Return (remove this filter), completed (remove this filter). Clear all"
    )
    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(re.compile(r"/cooperation/$"))
    expect(page.get_by_role("status")).to_have_text("Showing 39 activities.")
