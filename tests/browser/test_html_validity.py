"""Valid HTML: every kind of public page passes the Nu HTML Checker (vnu) with no error.

The pages are fetched with Django's test client, exactly as the server sends them, saved to
a folder and checked in one run of vnu: the JVM starts once, not once per page.
"""

import json
import shutil
import subprocess

import pytest
from django.template.loader import render_to_string

from .support import PAGES, ROOT, VNU_JAR, add_showcase_data, database_unavailable_pages, unavailable

pytestmark = pytest.mark.browser

VNU_TIMEOUT_S = 180


def run_vnu(files):
    """vnu's error messages for ``files``, as {file name: [message, ...]}."""
    java = shutil.which("java")
    if java is None:
        unavailable("Java is not installed: the Nu HTML Checker (vnu.jar) needs it")
    if not VNU_JAR.exists():
        unavailable(f"vnu-jar is not installed at {VNU_JAR.relative_to(ROOT)}: run `make node_modules/.installed`")
    completed = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=VNU_TIMEOUT_S,
        check=False,
    )
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu gave no JSON report (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}")
    errors = {}
    for message in report["messages"]:
        name = message.get("url", "").rsplit("/", 1)[-1]
        where = f"line {message.get('lastLine', '?')}"
        errors.setdefault(name, []).append(f"{where}: {message['message']} [{message.get('extract', '').strip()}]")
    return errors


def test_every_public_page_is_valid_html(client, registry, tmp_path):
    agreement = add_showcase_data()
    files = []
    for name, path, status in PAGES:
        response = client.get(path.format(agreement=agreement.pk))
        assert response.status_code == status, path
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    # The server-error page is rendered by Django's handler without a request or context.
    files.append(tmp_path / "server-error.html")
    files[-1].write_text(render_to_string("500.html"), encoding="utf-8")
    for name, html in database_unavailable_pages().items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")

    errors = run_vnu(files)

    report = "\n".join(f"{name}:\n  " + "\n  ".join(messages) for name, messages in sorted(errors.items()))
    assert errors == {}, f"the Nu HTML Checker found errors:\n{report}"
