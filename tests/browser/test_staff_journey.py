"""What an editor does in a real browser: log in to the admin, add an organisation and a
cooperation activity (partners and areas chosen in the admin's autocomplete widgets), keep it
a draft that visitors cannot see, then publish it and find it on the public site."""

import re

import pytest
from playwright.sync_api import expect

from partnerships.models import CooperationActivity, Organisation

pytestmark = pytest.mark.browser

USERNAME = "editor"
PASSWORD = "a-long-test-password-4711"
TITLE = "Joint training on document checks in sea ports (test record)"
SLUG = "joint-training-document-checks-sea-ports"


@pytest.fixture
def editor(live_registry, django_user_model):
    return django_user_model.objects.create_superuser(USERNAME, "editor@example.org", PASSWORD)


def log_in(page):
    """The plain login form, as a person fills it in (whatever throttling the backend adds)."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Registry administration")).to_be_visible()


def choose(page, field, search, option):
    """Pick ``option`` in the select2 autocomplete of ``field``: open it, type, click the result."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results").get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#id_{field} option:checked", has_text=option)).to_have_count(1)


def fill_slug(page, source_label, slug):
    """Type the slug by hand. The admin's prepopulate script copies the source field into it when
    that field loses the focus, so leave it first: the copy must not land in the middle of typing."""
    page.get_by_label(source_label).blur()
    page.get_by_label("Slug:").fill(slug)
    expect(page.get_by_label("Slug:")).to_have_value(slug)


def save(page):
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")


def test_an_editor_adds_an_activity_as_a_draft_then_publishes_it(page, new_context, editor):
    log_in(page)

    page.goto("/admin/partnerships/organisation/add/")
    page.get_by_label("Name:").fill("Example Maritime Safety Organisation")
    page.get_by_label("Acronym:").fill("EMSO")
    fill_slug(page, "Acronym:", "emso")
    page.get_by_label("Kind:").select_option(label="Intergovernmental organisation")
    page.get_by_label("Relationship:").select_option(label="Cooperation being explored")
    choose(page, "areas", "document", "Document fraud")
    page.get_by_label("Summary:").fill("A test organisation.")
    page.get_by_label("Published").check()
    save(page)
    emso = Organisation.objects.get(slug="emso")
    assert (emso.name, emso.kind, emso.relationship, emso.is_published) == (
        "Example Maritime Safety Organisation",
        "intergovernmental",
        "exploring",
        True,
    )
    assert list(emso.areas.values_list("slug", flat=True)) == ["document-fraud"]

    page.goto("/admin/partnerships/cooperationactivity/add/")
    page.get_by_label("Title:").fill(TITLE)
    fill_slug(page, "Title:", SLUG)
    page.get_by_label("Summary:").fill("Two partners train border guards to check seafarers' documents.")
    page.get_by_label("Status:").select_option(label="Planned")
    choose(page, "partners", "EMSO", "Example Maritime Safety Organisation (EMSO)")
    choose(page, "partners", "migration", "International Organization for Migration (IOM)")
    choose(page, "areas", "document", "Document fraud")
    choose(page, "areas", "training", "Capacity building and training")
    expect(page.get_by_label("Published")).not_to_be_checked()
    save(page)

    activity = CooperationActivity.objects.get(slug=SLUG)
    assert (activity.title, activity.status, activity.is_published) == (TITLE, "planned", False)
    assert sorted(activity.partners.values_list("slug", flat=True)) == ["emso", "iom"]
    assert sorted(activity.areas.values_list("slug", flat=True)) == ["capacity-building", "document-fraud"]

    visitor = new_context().new_page()
    assert visitor.goto(f"/cooperation/{SLUG}/").status == 404
    visitor.goto("/cooperation/?organisation=emso")
    expect(visitor.get_by_role("status")).to_have_text(
        "Showing 0 activities with Example Maritime Safety Organisation (EMSO) (remove this filter). Clear all"
    )
    visitor.goto("/organisations/emso/")
    expect(visitor.get_by_role("region", name="Cooperation activities")).to_have_text(
        re.compile(r"No cooperation activity with the EMSO is recorded\.")
    )

    page.goto(f"/admin/partnerships/cooperationactivity/{activity.pk}/change/")
    page.get_by_label("Published").check()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    activity.refresh_from_db()
    assert activity.is_published

    visitor.goto("/organisations/emso/")
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor).to_have_url(re.compile(rf"/cooperation/{SLUG}/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.locator(".facts")).to_contain_text(
        "Example Maritime Safety Organisation (EMSO), International Organization for Migration (IOM)"
    )
    expect(visitor.locator(".facts")).to_contain_text("Capacity building and training, Document fraud")
    visitor.goto("/cooperation/?area=document-fraud")
    expect(visitor.locator("table tbody th > a")).to_have_text(
        ["Deployment of FIELDS, the Frontex–INTERPOL Electronic Library Document System", TITLE]
    )
