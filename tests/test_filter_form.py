"""The registers' filter forms."""

import pytest

from partnerships.models import Agreement, Organisation

from .helpers import export_json


@pytest.mark.usefixtures("registry")
def test_agreements_filter_by_organisation_slug(client):
    iom = Organisation.objects.get(slug="iom")
    Agreement.objects.create(
        title="Working arrangement", organisation=iom, kind="other", status="in-force", is_published=True
    )
    assert [row["organisation"] for row in export_json(client, "/agreements/", {"organisation": "iom"})] == ["iom"]
    assert export_json(client, "/agreements/", {"organisation": "who"}) == []
    assert client.get("/agreements/", {"organisation": "iom"}).status_code == 200
    assert client.get("/agreements/", {"organisation": "nobody"}).status_code == 400
