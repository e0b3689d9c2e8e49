"""The open-data pages in a real browser, under the site's Content-Security-Policy.

The API's documentation runs Swagger UI from files the site serves itself; the data page and
the partner pages carry JSON-LD in a script element that is data, never run. None of them
may trip the policy: a violation would mean a blocked script, style or image.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Reports every violation of the policy on the page, as the browser sees it.
WATCH_CSP = """() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
        window.__violations.push(event.violatedDirective + " " + event.blockedURI);
    });
}"""


def visit(page, site, path):
    """Open ``path``; return the requests that leave the site and the console's reports of the policy."""
    outside, console = [], []

    def on_request(request):
        if not request.url.startswith(site):
            outside.append(request.url)

    def on_console(message):
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("request", on_request)
    page.on("console", on_console)
    page.add_init_script(f"({WATCH_CSP})()")
    response = page.goto(path)
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "script-src" not in response.headers["content-security-policy"]  # scripts: the site's own only
    return outside, console


def test_the_api_docs_render_from_the_sites_own_files_within_the_csp(page, live_server, live_registry):
    outside, console = visit(page, live_server.url, "/api/v1/docs/")
    # Swagger UI has read the OpenAPI document and lists the operations.
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/api/v1/organisations/", exact=True).first).to_be_visible()
    assert page.evaluate("window.__violations") == []
    assert console == []
    assert outside == []


@pytest.mark.parametrize("path", ["/data/", "/organisations/odihr/"])
def test_json_ld_trips_no_csp_violation(page, live_server, live_registry, path):
    outside, console = visit(page, live_server.url, path)
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert page.evaluate("window.__violations") == []
    assert console == []
    assert outside == []
