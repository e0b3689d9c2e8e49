"""Bad input gets a clear answer naming the parameter: 400 or 404, never a 500."""

import json
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import body

pytestmark = pytest.mark.usefixtures("registry")

REGISTERS = ["/organisations/", "/agreements/", "/cooperation/"]

BAD_FILTERS = [
    # (url, parameter the message must name, words of the message)
    ("/organisations/?area=no-such-area", "area", "Select a valid choice. no-such-area is not one of the available"),
    ("/organisations/?kind=bogus", "kind", "Select a valid choice. bogus is not one of the available choices."),
    ("/organisations/?relationship=bogus", "relationship", "bogus is not one of the available choices"),
    ("/organisations/?area=%F0%9F%98%80", "area", "is not one of the available choices"),
    ("/organisations/?q=" + "x" * 10000, "q", "Ensure this value has at most 200 characters (it has 10000)."),
    ("/organisations/?q=%00", "q", "The value contains a null character."),
    ("/organisations/?area=return%00", "area", "The value contains a null character."),
    ("/organisations/?q=a&q=b", "q", "Give the q parameter once, not 2 times."),
    ("/cooperation/?status=bogus", "status", "bogus is not one of the available choices"),
    ("/cooperation/?priority=urgent", "priority", "urgent is not one of the available choices"),
    ("/cooperation/?region=atlantis", "region", "atlantis is not one of the available choices"),
    ("/cooperation/?organisation=nobody", "organisation", "nobody is not one of the available choices"),
    ("/cooperation/?area=return&area=nowhere", "area", "nowhere is not one of the available choices"),
    ("/agreements/?signed_after=2024-13-45", "signed_after", "Enter a valid date."),
    ("/agreements/?signed_before=yesterday", "signed_before", "Enter a valid date."),
    ("/agreements/?signed_after=%00", "signed_after", "The value contains a null character."),
    ("/agreements/?kind=treaty", "kind", "treaty is not one of the available choices"),
    ("/organisations/?page=abc", "page", "The page number must be a whole number, 1 or more."),
    ("/organisations/?page=-1", "page", "The page number must be a whole number, 1 or more."),
    ("/organisations/?page=0", "page", "The page number must be a whole number, 1 or more."),
    ("/cooperation/?page=1e9", "page", "The page number must be a whole number, 1 or more."),
    ("/cooperation/?page=1&page=2", "page", "Give the page parameter once, not 2 times."),
    ("/areas/?page=x", "page", "The page number must be a whole number, 1 or more."),
]


@pytest.mark.parametrize("url, parameter, message", BAD_FILTERS)
def test_a_bad_filter_value_gets_400_with_the_page_and_a_message_naming_the_parameter(client, url, parameter, message):
    response = client.get(url)
    assert response.status_code == 400
    page = body(response)
    assert f"<code>{parameter}</code>" in page
    assert message in page.replace("&#x27;", "'")
    assert "<h1>" in page  # the page itself, with its form, not a bare error


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/organisations/?format=csv&area=no-such-area", "area"),
        ("/cooperation/?format=json&status=bogus", "status"),
        ("/agreements/?format=csv&signed_after=soon", "signed_after"),
        ("/cooperation/?format=json&format=csv", "format"),
        ("/organisations/?format=xml", "format"),
        ("/organisations/?format=", None),
    ],
)
def test_a_bad_download_gets_a_json_error_object(client, url, parameter):
    response = client.get(url)
    if parameter is None:  # a blank format is the HTML page
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = json.loads(response.content)
    assert error["error"] == "Some query parameters cannot be used."
    assert list(error["parameters"]) == [parameter]


@pytest.mark.parametrize("url", ["/organisations/?page=999999", "/cooperation/?page=2", "/areas/?page=3"])
def test_a_page_past_the_end_is_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in body(response)


@pytest.mark.parametrize(
    "url",
    [
        "/cooperation/?q=%27%3B%20DROP%20TABLE%20x%3B--",
        "/cooperation/?q=%25%25_%5C",
        "/agreements/?signed_after=0001-01-01&signed_before=9999-12-31",
        "/cooperation/?priority[]=major",
        "/cooperation/?unknown=1",
    ],
)
def test_odd_but_harmless_input_is_answered(client, url):
    assert client.get(url).status_code == 200


def test_the_search_term_is_escaped_when_shown_back(client):
    page = body(client.get("/cooperation/", {"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("url", ["/agreements/99999999999999999999999/", "/agreements/0/", "/agreements/x/"])
def test_impossible_record_ids_are_404(client, url):
    assert client.get(url).status_code == 404


PARAMETERS = ["q", "area", "organisation", "region", "status", "priority", "kind", "relationship", "page", "format"]
PARAMETERS += ["signed_after", "signed_before", "area[]", ""]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    url=st.sampled_from(REGISTERS + ["/areas/", "/"]),
    query=st.lists(
        st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=8), st.text(max_size=40)),
        max_size=6,
    ),
)
def test_no_query_string_makes_the_site_fail(client, url, query):
    """Random parameters and values, including control characters and repeats, never give a 5xx."""
    response = client.get(f"{url}?{urlencode(query)}")
    assert response.status_code in {200, 400, 404}
    if response.streaming:
        body(response)
