"""What the browser tests share: where the tools are, the pages to check, and test data."""

import datetime
import os
import shutil
from pathlib import Path

import pytest

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    SourceDocument,
)

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Flags for a headless Chromium in a container or CI: no sandbox (root), no GPU, and no
# traffic of its own (updates, sync, QUIC) that could slow a test or reach the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CHROMIUM_ENV_VARS = ("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "CHROMIUM_PATH")

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

# axe-core rule tags: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Extra published activities, enough for the cooperation register to have a page 2.
EXTRA_ACTIVITIES = 30


def in_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason):
    """A tool the browser tests need is missing: fatal in CI, a one-line skip elsewhere."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


def chromium_executable():
    """The Chromium to drive: one named by the environment, else the system's, else Playwright's own (None)."""
    for name in CHROMIUM_ENV_VARS:
        if os.environ.get(name):
            return os.environ[name]
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def add_showcase_data():
    """Records beyond the shipped fixtures, so that every kind of public page has something to show.

    A published agreement (the fixtures have none, as the source names none), an activity
    run under it, and enough activities for the cooperation register to need two pages.
    Test data only: none of it is a statement about the real agency.
    """
    iom = Organisation.objects.get(slug="iom")
    agreement = Agreement.objects.create(
        title="Working arrangement on return (test record)",
        organisation=iom,
        kind=Agreement.Kind.WORKING_ARRANGEMENT,
        status=Agreement.Status.IN_FORCE,
        signed_on=datetime.date(2024, 3, 1),
        in_force_from=datetime.date(2024, 4, 1),
        document_url="https://example.org/working-arrangement.pdf",
        summary="A test agreement, so that the agreement pages have a record to show.",
        is_published=True,
    )
    agreement.areas.set(CooperationArea.objects.filter(slug__in=["return", "fundamental-rights"]))
    report = SourceDocument.objects.create(
        title="Showcase report (test record)",
        slug="showcase-report",
        publisher="Example publisher",
        published_on=datetime.date(2024, 5, 2),
        url="https://example.org/showcase-report.pdf",
        accessed_on=datetime.date(2026, 11, 20),
        is_published=True,  # a draft source's page is not public
    )
    Citation.objects.create(agreement=agreement, source=report, passage="A test passage.", locator="p. 3")
    fact = DatedFact.objects.create(
        slug="showcase-review", date=datetime.date(2025, 5, 1), precision="month",
        statement="The test agreement was reviewed", agreement=agreement,
    )  # fmt: skip
    Citation.objects.create(dated_fact=fact, source=report, passage="Another test passage.")
    capacity = CooperationArea.objects.get(slug="capacity-building")
    for number in range(1, EXTRA_ACTIVITIES + 1):
        activity = CooperationActivity.objects.create(
            title=f"Training course {number:02d} (test record)",
            slug=f"training-course-{number:02d}",
            summary="A test activity, so that the register has more than one page.",
            status=CooperationActivity.Status.COMPLETED,
            agreement=agreement if number == 1 else None,
            is_published=True,
        )
        activity.partners.add(iom)
        activity.areas.add(capacity)
    # A change the change log lists field by field.
    activity = CooperationActivity.objects.get(slug="training-course-01")
    activity.starts_on = datetime.date(2025, 5, 1)
    activity.ends_on = datetime.date(2025, 6, 30)
    activity.save()
    return agreement


# Every kind of public page: (name, path, expected status). "{agreement}" is replaced by
# the id of the agreement that add_showcase_data() creates.
PAGES = [
    ("home", "/", 200),
    ("organisations", "/organisations/", 200),
    ("organisations-filtered", "/organisations/?area=return&relationship=structured&q=migration", 200),
    ("organisations-bad-filter", "/organisations/?kind=bogus", 400),
    ("organisation", "/organisations/iom/", 200),
    ("organisation-with-bodies", "/organisations/osce/", 200),
    ("organisation-timeline", "/organisations/interpol/", 200),
    ("agreements", "/agreements/", 200),
    ("agreements-filtered", "/agreements/?organisation=iom&status=in-force&signed_after=2024-01-01", 200),
    ("agreements-empty", "/agreements/?status=expired", 200),
    ("agreements-bad-filter", "/agreements/?signed_after=yesterday", 400),
    ("agreement", "/agreements/{agreement}/", 200),
    ("cooperation", "/cooperation/", 200),
    ("cooperation-page-2", "/cooperation/?page=2", 200),
    ("cooperation-filtered", "/cooperation/?area=cross-border-crime&status=ongoing&organisation=interpol", 200),
    ("cooperation-bad-filter", "/cooperation/?status=bogus", 400),
    ("cooperation-sorted", "/cooperation/?organisation=iom&sort=-starts_on", 200),
    ("cooperation-all-organisations", "/cooperation/?area=capacity-building&expand=organisation", 200),
    ("cooperation-bad-sort", "/cooperation/?sort=newest", 400),
    ("activity", "/cooperation/technical-assistance-eastern-partnership-western-balkans-turkiye/", 200),
    ("activity-with-dated-fact", "/cooperation/fields-deployment/", 200),
    ("source", "/sources/international-organisations/", 200),
    ("source-of-a-dated-fact", "/sources/maoc-who-we-are/", 200),
    ("source-with-link", "/sources/showcase-report/", 200),
    ("areas", "/areas/", 200),
    ("areas-bad-page", "/areas/?page=first", 400),
    ("area", "/areas/trafficking-in-human-beings/", 200),
    ("data", "/data/", 200),
    ("changes", "/changes/", 200),
    ("changes-page-2", "/changes/?page=2", 200),
    ("changes-of-a-record", "/changes/?record=cooperation/training-course-01", 200),
    ("changes-bad-record", "/changes/?record=nowhere", 400),
    ("search-empty", "/search/", 200),
    ("search", "/search/?q=interpol", 200),
    ("search-no-match", "/search/?q=intrepol", 200),
    ("search-bad", "/search/?q=iom%00", 400),
    ("not-found", "/no-such-page/", 404),
    ("record-not-found", "/organisations/no-such-organisation/", 404),
]

# The pages whose screenshots are kept for review, one of each main kind.
SCREENSHOT_PAGES = {
    "home",
    "organisation-timeline",
    "source",
    "organisations",
    "organisations-filtered",
    "agreements",
    "cooperation",
    "cooperation-all-organisations",
    "organisation",
    "agreement",
    "cooperation-filtered",
    "cooperation-bad-filter",
    "activity",
    "areas",
    "area",
    "data",
    "changes",
    "search",
    "not-found",
}


def page_params():
    return [pytest.param(name, path, status, id=name) for name, path, status in PAGES]


def screenshot_path(kind, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{kind}-{name}.png"


def describe_violations(violations):
    """axe-core's violations as lines: rule id, impact and help, then each failing element."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {target}" for target in violation["targets"])
    return "\n".join(lines)


def database_unavailable_pages():
    """The 503 pages shown while the database is unreachable (partnerships/outage.py), as HTML by
    name: a page asked for, and an editor's form sent back with what was typed."""
    from django.test import RequestFactory

    from partnerships.outage import unavailable

    factory = RequestFactory()
    form = {
        "csrfmiddlewaretoken": "token",
        "name": "World Health Organization",
        "summary": "A summary typed at length,\nover two lines.",
        "areas": ["1", "2"],
        "password": "never shown",
    }
    return {
        "database-unavailable": unavailable(factory.get("/organisations/iom/")).content.decode(),
        "database-unavailable-form": unavailable(
            factory.post("/admin/partnerships/organisation/1/change/", form)
        ).content.decode(),
    }
