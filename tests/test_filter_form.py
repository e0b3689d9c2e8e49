"""The registers' filter forms."""

import pytest
from django import forms

from partnerships.filters import OrganisationSelect, published_organisations
from partnerships.models import Agreement, Organisation

from .helpers import export_json


@pytest.mark.usefixtures("registry")
def test_the_organisation_select_renders_what_djangos_select_multiple_renders():
    """The fast widget of the 2,000-option organisation filter changes nothing in the markup."""
    Organisation.objects.create(
        name='Tom & Jerry\'s "Office" <for> testing',
        acronym="T&J",
        slug="t-j",
        kind="other",
        relationship="active",
        is_published=True,
    )
    choices = [(organisation.slug, str(organisation)) for organisation in published_organisations()]
    attrs = {"id": "id_organisation", "aria-describedby": "id_organisation_helptext"}
    for value in [None, [], ["iom"], ["t-j", "who", "nobody"]]:
        expected = forms.SelectMultiple(choices=choices).render("organisation", value, attrs)
        assert OrganisationSelect().render("organisation", value, attrs) == expected


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
