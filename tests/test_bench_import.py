"""The bench's import step (bench/run.py) drives the admin's import as a browser does: its upload
and its reading of the preview's confirmation form import every row, and its clean-up leaves the
registry as it was, edit history included."""

import csv
import io
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from partnerships.models import Citation, CooperationActivity

from .helpers import body

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import run as bench  # noqa: E402


def history_rows():
    """Rows of every history table of the activities, their links and their citations."""
    models = [CooperationActivity.history.model, Citation.history.model]
    models += list(CooperationActivity.registry_history.m2m_models.values())
    return {model._meta.db_table: model._base_manager.count() for model in models}


def new_activities_csv(client, count):
    """Rows of the activities' download, each with a new slug and title, as the bench makes them."""
    rows = list(csv.DictReader(io.StringIO(body(client.get("/cooperation/", {"format": "csv"})).lstrip("\ufeff"))))
    rows = rows[:count]
    for number, row in enumerate(rows, 1):
        row["slug"] = f"{bench.IMPORT_SLUG_PREFIX}{number:05d}"
        row["title"] = f"{row['title']} (imported {number})"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(), rows


@pytest.mark.django_db(transaction=True)
def test_the_bench_imports_through_the_admin_and_deletes_the_rows_with_their_history(
    client, registry, superuser, monkeypatch
):
    content, rows = new_activities_csv(client, 5)
    assert any(row["source"] for row in rows) and any(row["partners"] for row in rows)
    activities, citations, history = CooperationActivity.objects.count(), Citation.objects.count(), history_rows()
    client.force_login(superuser)
    url = reverse("admin:partnerships_cooperationactivity_import")
    assert url == bench.IMPORT_PATH

    page = body(client.get(url))
    upload, content_type = bench.upload(page, content)
    preview = client.post(url, upload, content_type=content_type)
    assert preview.status_code == 200
    assert "5 new, 0 changed, 0 unchanged." in body(preview)
    confirm = bench.hidden_inputs(body(preview), "process_import/")
    done = client.post(url.replace("import/", "process_import/"), confirm)

    assert done.status_code == 302
    assert "import/" not in done["Location"]
    imported = CooperationActivity.objects.filter(slug__startswith=bench.IMPORT_SLUG_PREFIX)
    assert sorted(imported.values_list("slug", flat=True)) == [row["slug"] for row in rows]
    assert history_rows() != history

    # The clean-up, as `manage.py shell -c` runs it (in this process, on the test database).
    monkeypatch.setenv("BENCH_IMPORT_PREFIX", bench.IMPORT_SLUG_PREFIX)
    exec(bench.DELETE_IMPORTED, {})
    assert not imported.exists()
    assert (CooperationActivity.objects.count(), Citation.objects.count()) == (activities, citations)
    assert history_rows() == history


def test_the_import_verdict_needs_every_row_within_the_target():
    met = {"rows": bench.IMPORT_ROWS, "created": bench.IMPORT_ROWS, "error": None, "left": 0, "peak": 120.0}
    assert bench.import_line({**met, "preview_seconds": 20.0, "import_seconds": 30.0}).endswith(" met.")
    assert "**missed**" in bench.import_line({**met, "preview_seconds": 30.0, "import_seconds": 31.0})
    assert "**missed**" in bench.import_line(
        {**met, "preview_seconds": 20.0, "import_seconds": 30.0, "created": bench.IMPORT_ROWS - 1}
    )
    stopped = {**met, "preview_seconds": None, "import_seconds": None, "created": 0, "error": "no answer"}
    line = bench.import_line(stopped)
    assert "stopped: no answer" in line and "**missed**" in line
