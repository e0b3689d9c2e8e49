"""The agreements register's filters (found by the browser tests: one of them answered 500)."""

import pytest

from partnerships.models import Agreement, Organisation

from .helpers import export_json


@pytest.fixture
def agreements(registry):
    def make(slug, title):
        return Agreement.objects.create(
            title=title,
            organisation=Organisation.objects.get(slug=slug),
            kind="working-arrangement",
            status="in-force",
            is_published=True,
        )

    return [make("iom", "With IOM"), make("unhcr", "With UNHCR"), make("who", "With WHO")]


def test_it_filters_agreements_by_organisation_slug(client, agreements):
    response = client.get("/agreements/", {"organisation": ["iom", "who"]})
    assert response.status_code == 200
    assert [a.title for a in response.context["page"].object_list] == ["With IOM", "With WHO"]
    assert [row["title"] for row in export_json(client, "/agreements/", {"organisation": "unhcr"})] == ["With UNHCR"]


def test_an_unknown_organisation_slug_is_a_bad_request(client, agreements):
    response = client.get("/agreements/", {"organisation": "nobody"})
    assert response.status_code == 400
    assert "organisation" in response.context["errors"]["Organisation"][0]
