"""Fixtures of the browser tests: one Chromium per session, the live server, the shipped data.

Chromium is the system's (/usr/bin/chromium, or the one PLAYWRIGHT_CHROMIUM_EXECUTABLE or
CHROMIUM_PATH names), else Playwright's own. When none starts, the tests are skipped with the
reason on one line, except in CI (CI=true), where they fail: CI must run them.
"""

import shutil
from collections import Counter

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from .support import (
    AXE_JS,
    CHROMIUM_ARGS,
    ROOT,
    SCREENSHOTS,
    WCAG_TAGS,
    add_showcase_data,
    chromium_executable,
    unavailable,
)


def pytest_terminal_summary(terminalreporter):
    """Say once, on one line per reason, why tests were skipped (not once per test)."""
    reasons = Counter(
        report.longrepr[2]
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    )
    for reason, count in reasons.items():
        terminalreporter.write_line(
            f"SKIPPED {count} test{'s' if count > 1 else ''}: {reason.removeprefix('Skipped: ')}"
        )


# How long a step may wait for the page before the test fails; Playwright's default is 30 s.
STEP_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    options = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    executable = chromium_executable()
    if executable:
        options["executable_path"] = executable
    return options


@pytest.fixture(scope="session")
def browser(launch_browser, browser_type_launch_args):
    """The session's one Chromium (pytest-playwright's fixture, with a clear skip when none starts)."""
    try:
        chromium = launch_browser()
    except PlaywrightError as exc:
        where = browser_type_launch_args.get("executable_path", "Playwright's own Chromium")
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        unavailable(f"Chromium cannot be started ({where}): {first_line}")
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    """Every page opens relative URLs on the live server."""
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def page(page):
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.set_default_navigation_timeout(STEP_TIMEOUT_MS)
    return page


@pytest.fixture
def live_registry(transactional_db):
    """The shipped fixtures, committed so that the live server's thread sees them."""
    call_command("loaddata", ROOT / "fixtures" / "registry.json", verbosity=0)


@pytest.fixture
def showcase(live_registry):
    """The shipped fixtures plus test records for the pages they leave empty; returns the agreement."""
    return add_showcase_data()


@pytest.fixture(scope="session")
def screenshots():
    """The folder of this run's screenshots, emptied once per session."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def axe():
    """A function that runs axe-core's WCAG 2.1 A and AA rules on a page and returns the violations."""
    if not AXE_JS.exists():
        unavailable(f"axe-core is not installed at {AXE_JS.relative_to(ROOT)}: run `make node_modules/.installed`")

    def run(page):
        try:
            page.add_script_tag(path=AXE_JS)
        except PlaywrightError as exc:
            # A Content-Security-Policy without 'unsafe-inline' refuses the injected <script>;
            # the DevTools protocol's evaluation is not subject to the page's policy.
            if "Content Security Policy" not in str(exc):
                raise
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        return page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {
                    runOnly: {type: "tag", values: tags},
                    resultTypes: ["violations"],
                });
                return result.violations.map((v) => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    targets: v.nodes.map((n) => n.target.join(" ")),
                }));
            }""",
            WCAG_TAGS,
        )

    return run
