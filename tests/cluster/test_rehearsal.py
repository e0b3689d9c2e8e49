"""The production rehearsal (``make cluster-test``): what several servers behind nginx must do.

Through nginx over HTTPS, with two application servers sharing PostgreSQL and Redis: an edit
saved through one server is seen by the very next request answered by the other and by
nginx's cache (revalidated, never stale); a staff login made through one server works on the
other; two simultaneous saves of one record through both servers lose nothing; and stopping a
server while visitors read loses no request. Loopback only, bounded in time and requests.
"""

import re
import shutil
import subprocess
import threading
import time
from html.parser import HTMLParser

import pytest

from .conftest import ROOT, STAFF, wrk_json

pytestmark = pytest.mark.cluster

ORGANISATION = "/organisations/who/"


class FormReader(HTMLParser):
    """The fields of one form of a page (by its id), as a browser would send them."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.fields, self.in_form, self.done = [], False, False
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id and not self.done:
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
            self.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append([self.select, attrs.get("value", "")])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def form_fields(html, form_id):
    reader = FormReader(form_id)
    reader.feed(html)
    return [tuple(field) for field in reader.fields]


def log_in(browser):
    status, _, page = browser.get("/admin/login/")
    assert status == 200, page
    token = dict(form_fields(page, "login-form"))["csrfmiddlewaretoken"]
    status, headers, page = browser.post(
        "/admin/login/?next=/admin/", {"username": STAFF[0], "password": STAFF[1], "csrfmiddlewaretoken": token}
    )
    assert status == 302 and headers["Location"].endswith("/admin/"), page
    return browser


def admin_id(browser, model, search):
    status, _, page = browser.get(f"/admin/partnerships/{model}/?q={search}")
    assert status == 200, page
    return re.search(rf"/admin/partnerships/{model}/(\d+)/change/", page).group(1)


def set_published(browser, model, pk, published):
    status, _, page = browser.get(f"/admin/partnerships/{model}/")
    token = dict(form_fields(page, "changelist-form"))["csrfmiddlewaretoken"]
    action = "publish" if published else "unpublish"
    status, _, page = browser.post(
        f"/admin/partnerships/{model}/",
        {"action": action, "_selected_action": pk, "csrfmiddlewaretoken": token, "index": 0},
    )
    assert status == 302, page


def test_an_edit_through_one_server_is_seen_next_through_the_other_and_through_nginx(cluster):
    visitor = cluster.through_nginx()
    first = visitor.get(ORGANISATION)
    second = visitor.get(ORGANISATION)
    assert first[0] == second[0] == 200
    assert second[1]["X-Cache-Status"] in ("HIT", "REVALIDATED"), "nginx keeps the page"
    assert "X-Accel-Expires" not in second[1]

    staff_a = log_in(cluster.server("a"))
    who = admin_id(staff_a, "organisation", "who")
    set_published(staff_a, "organisation", who, False)
    try:
        assert cluster.server("b").get(ORGANISATION)[0] == 404, "server B answers from the shared cache"
        assert visitor.get(ORGANISATION)[0] == 404, "nginx revalidated its copy"
    finally:
        set_published(staff_a, "organisation", who, True)
    again = visitor.get(ORGANISATION)
    assert again[0] == 200 and "World Health Organization" in again[2]


def test_nginx_revalidates_an_unchanged_page_and_keeps_the_validators(cluster):
    visitor = cluster.through_nginx()
    status, headers, _ = visitor.get("/areas/")
    assert status == 200
    etag = headers["ETag"]
    status, headers, body = visitor.get("/areas/", **{"If-None-Match": etag})
    assert (status, body) == (304, "")
    status, headers, _ = visitor.get("/areas/", **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    # The application's own compressed copy (a strong ETag of its own: nginx did not compress
    # it), kept by nginx apart from the plain one and revalidated like it.
    status, headers, _ = visitor.get("/areas/", **{"Accept-Encoding": "gzip, deflate, br"})
    assert headers["Content-Encoding"] == "gzip" and headers["X-Cache-Status"] == "REVALIDATED"
    assert headers["ETag"] == etag[:-1] + '-gzip"'
    status, headers, _ = visitor.get("/areas/", **{"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in headers and headers["ETag"] == etag


def test_a_staff_login_made_through_one_server_works_on_the_other(cluster):
    staff = log_in(cluster.server("a"))
    on_b = cluster.server("b")
    on_b.cookies = dict(staff.cookies)
    status, headers, page = on_b.get("/admin/")
    assert status == 200, page
    assert STAFF[0] in page
    assert "no-store" in headers["Cache-Control"]
    # Through nginx too, and never from its cache.
    through = cluster.through_nginx()
    through.cookies = dict(staff.cookies)
    status, headers, page = through.get(ORGANISATION)
    assert status == 200 and headers["X-Cache-Status"] == "BYPASS"


def test_two_simultaneous_saves_of_one_record_through_both_servers_lose_nothing(cluster):
    editors = {name: log_in(cluster.server(name)) for name in ("a", "b")}
    area = admin_id(editors["a"], "cooperationarea", "terrorism")
    change = f"/admin/partnerships/cooperationarea/{area}/change/"
    forms = {}
    for name, browser in editors.items():
        status, _, page = browser.get(change)
        assert status == 200, page
        fields = [(key, value) for key, value in form_fields(page, "cooperationarea_form") if key != "description"]
        forms[name] = [*fields, ("description", f"Described by the editor on server {name.upper()}.")]
    answers = {}

    def save(name):
        answers[name] = editors[name].post(change, forms[name])

    threads = [threading.Thread(target=save, args=(name,)) for name in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(answer[0] for answer in answers.values())
    assert statuses == [200, 302], {
        name: re.findall(r"errorlist[^>]*>(.*?)</ul>", answer[2], re.S) for name, answer in answers.items()
    }
    saved = next(name for name, answer in answers.items() if answer[0] == 302)
    refused = next(name for name, answer in answers.items() if answer[0] == 200)
    refused_page = answers[refused][2]
    assert "someone else" in refused_page.lower(), "the second save is refused as an edit conflict"
    assert f"Described by the editor on server {refused.upper()}." in refused_page, "the refused input is kept"
    status, _, page = editors["a"].get(change)
    assert f"Described by the editor on server {saved.upper()}." in page


def test_stopping_a_server_under_load_loses_no_request(cluster):
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed (apt-get install wrk; make cluster-test installs it)")
    # A page nginx has not stored yet: its first visitors arrive together, as on a new page.
    url = f"https://localhost:{cluster.ports['https']}/organisations/"
    served_before = {name: cluster.requests_served(name) for name in ("a", "b")}
    load = subprocess.Popen(
        ["wrk", "-t1", "-c4", "-d8s", "--timeout=5s", "-s", str(ROOT / "bench" / "latency.lua"), url, "--", "20000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    served_by_a = cluster.requests_served("a") - served_before["a"]
    cluster.stop_server("a")
    output, errors = load.communicate(timeout=60)
    assert load.returncode == 0, errors
    result = wrk_json(output)
    assert served_by_a > 0, "server A took part before it stopped"
    assert cluster.requests_served("b") > served_before["b"]
    assert result["requests"] > 0
    assert (result["bad_status"], result["socket_errors"]) == (0, 0), result
