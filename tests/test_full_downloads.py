"""Full downloads: written once per registry version to a file, served with Content-Length and an ETag.

A client can tell a cut download from a complete one by its length, a repeat with the ETag
costs a 304, and a second full download reads the file, not the database. Filtered downloads
are streamed from the database as before.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import CooperationActivity

from .helpers import body

pytestmark = pytest.mark.usefixtures("registry")

FULL = [("/organisations/", "csv"), ("/agreements/", "json"), ("/cooperation/", "csv"), ("/cooperation/", "json")]


def content(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("url, fmt", FULL)
def test_a_full_download_has_its_length_and_an_etag(client, url, fmt):
    response = client.get(url, {"format": fmt})

    data = content(response)
    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(data) > 0
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Content-Disposition"].startswith("attachment; filename=")


def test_a_full_download_is_the_same_rows_as_streamed(client):
    """The file holds what the streamed download of the same rows holds."""
    full = content(client.get("/cooperation/", {"format": "csv"})).decode()
    # A filter that every activity passes: the streamed path.
    streamed = client.get(
        "/cooperation/", {"format": "csv", "status": [s for s, _ in CooperationActivity.Status.choices]}
    )
    assert "Content-Length" not in streamed
    assert body(streamed) == full
    assert full.count("\n") == 1 + 9


def test_a_second_full_download_reads_the_file_not_the_registry(client):
    first = content(client.get("/cooperation/", {"format": "json"}))

    with CaptureQueriesContext(connection) as queries:
        second = client.get("/cooperation/", {"format": "json"})
        data = content(second)

    assert data == first
    assert not [q["sql"] for q in queries.captured_queries if "partnerships_cooperationactivity" in q["sql"]]


def test_a_repeat_with_the_etag_is_not_modified(client):
    etag = client.get("/cooperation/", {"format": "csv"})["ETag"]

    response = client.get("/cooperation/", {"format": "csv"}, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_a_change_to_the_registry_makes_a_new_file_and_removes_the_old(client, settings):
    before = client.get("/cooperation/", {"format": "csv"})
    assert b"fields-deployment" in content(before)

    CooperationActivity.objects.filter(slug="fields-deployment").update(is_published=False)
    after = client.get("/cooperation/", {"format": "csv"})

    assert b"fields-deployment" not in content(after)
    assert after["ETag"] != before["ETag"]
    assert client.get("/cooperation/", {"format": "csv"}, headers={"if-none-match": before["ETag"]}).status_code == 200
    assert len(list(settings.DOWNLOADS_DIR.glob("cooperation-*.csv"))) == 1


def test_unknown_parameters_leave_a_download_full(client):
    response = client.get(reverse("partnerships:activity-list"), {"format": "csv", "utm_source": "x", "area": ""})
    assert "Content-Length" in response
