"""The registers' pages: regressions the browser tests found (a 500, a misleading message, invalid HTML)."""

import pytest

from partnerships.models import Agreement, Organisation

from .helpers import export_json
from .helpers import status_text as status_of


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


def test_a_malformed_date_is_named_in_the_error_but_not_put_back_into_the_date_input(client, registry):
    """HTML allows a date input only an ISO date; the page must stay valid HTML."""
    response = client.get("/agreements/", {"signed_after": "yesterday", "signed_before": "2024-12-31"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "(<code>signed_after</code>): Enter a valid date." in page
    assert '<input type="date" name="signed_after" aria-invalid="true"' in page
    assert '<input type="date" name="signed_before" value="2024-12-31"' in page


@pytest.mark.parametrize(
    "url, status_text, empty_text",
    [
        (
            "/cooperation/?status=discontinued",
            "Showing 0 activities, discontinued. Clear all",
            "No cooperation activity matches",
        ),
        (
            "/organisations/?kind=institution&relationship=exploring",
            "Showing 0 organisations, institution of another organisation, with cooperation being explored. Clear all",
            "No organisation matches",
        ),
        (
            "/agreements/",
            "Showing 0 agreements.",
            "The sources the registry is written from name no formal agreement yet.",
        ),
    ],
)
def test_a_register_with_no_matching_row_says_so(client, registry, url, status_text, empty_text):
    """An empty result is not a filter error: the page counts 0 rows and offers the way back."""
    response = client.get(url)
    page = response.content.decode()
    assert status_of(response) == status_text
    assert empty_text in page
    assert "No results are shown until the filters can be used." not in page
