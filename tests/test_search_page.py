"""``/search/``: the matches grouped by kind with their counts and register links, suggestions
when nothing matches, bad input answered with a 400 naming ``q``, and the search box that every
page carries in its header."""

import re

import pytest

from partnerships.filters import SEARCH_MAX_LENGTH
from partnerships.models import CooperationActivity, CooperationArea, Organisation, SourceDocument

from .helpers import body

pytestmark = pytest.mark.usefixtures("registry")


def groups(response):
    return {group["key"]: group for group in response.context["groups"]}


def test_an_empty_search_shows_the_empty_search_page(client):
    for url in ["/search/", "/search/?q=", "/search/?q=+++"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["groups"] == []
        assert '<input id="search-q" type="search" name="q" value=""' in body(response)
        assert "result" not in response.context


def test_matches_are_grouped_by_kind_with_their_counts_and_register_links(client):
    response = client.get("/search/", {"q": "INTERPOL"})
    assert response.status_code == 200
    found = groups(response)
    assert list(found) == ["organisations", "activities", "agreements", "areas", "sources"]
    organisations = [record.slug for record in found["organisations"]["records"]]
    assert organisations[0] == "interpol"
    activities = {record.slug for record in found["activities"]["records"]}
    assert activities == {
        "operational-cooperation-against-cross-border-crime",
        "border-management-and-cross-border-crime-prevention",
        "fields-deployment",
        "reviewing-and-strengthening-partnership-frameworks",
    }
    assert found["activities"]["count"] == 4
    assert found["agreements"]["count"] == 0
    assert response.context["total"] == sum(group["count"] for group in found.values())
    page = body(response)
    assert '<a href="/organisations/?q=INTERPOL">' in page
    assert '<a href="/cooperation/?q=INTERPOL">' in page
    assert f"Cooperation activities ({found['activities']['count']})" in page


def test_each_count_is_what_the_register_finds_for_the_same_q(client):
    for q in ["border", "trafficked", "organisation", "unhcr"]:
        found = groups(client.get("/search/", {"q": q}))
        assert (
            found["organisations"]["count"] == client.get("/organisations/", {"q": q}).context["page"].paginator.count
        )
        assert found["activities"]["count"] == client.get("/cooperation/", {"q": q}).context["page"].paginator.count


def test_areas_and_sources_link_to_their_own_pages(client):
    response = client.get("/search/", {"q": "trafficking"})
    found = groups(response)
    assert [area.slug for area in found["areas"]["records"]] == ["trafficking-in-human-beings"]
    assert found["areas"]["register_url"] is None
    assert '<a href="/areas/trafficking-in-human-beings/">Trafficking in human beings</a>' in body(response)


def test_a_source_links_to_its_page_and_is_found_only_while_public(client):
    response = client.get("/search/", {"q": "document fraud"})
    assert [source.slug for source in groups(response)["sources"]["records"]] == [
        "eucrim-electronic-system-against-document-fraud-launched"
    ]
    assert (
        '<a href="/sources/eucrim-electronic-system-against-document-fraud-launched/">'
        "Electronic System against Document Fraud Launched</a>"
    ) in body(response)
    SourceDocument.objects.filter(slug="eucrim-electronic-system-against-document-fraud-launched").update(
        is_published=False
    )
    assert groups(client.get("/search/", {"q": "document fraud"}))["sources"]["count"] == 0


def test_a_draft_area_is_neither_found_nor_suggested(client):
    suggested = client.get("/search/", {"q": "trafficking in human beins"}).context["suggestions"]
    assert "Trafficking in human beings" in [suggestion["text"] for suggestion in suggested]
    CooperationArea.objects.filter(slug="trafficking-in-human-beings").update(is_published=False)
    response = client.get("/search/", {"q": "trafficking"})
    assert groups(response)["areas"]["count"] == 0
    assert "Trafficking in human beings" not in body(response)
    response = client.get("/search/", {"q": "trafficking in human beins"})
    assert all(suggestion["text"] != "Trafficking in human beings" for suggestion in response.context["suggestions"])


def test_a_group_lists_its_best_matches_and_links_to_all_of_them(client):
    for number in range(12):
        CooperationActivity.objects.create(slug=f"s{number}", title=f"Sapphire {number}", is_published=True)
    response = client.get("/search/", {"q": "sapphire"})
    found = groups(response)
    assert found["activities"]["count"] == 12
    assert len(found["activities"]["records"]) == 10
    assert "All 12 cooperation activities matching “sapphire” in the register" in body(response)


def test_areas_are_listed_whole_as_they_have_no_register_to_link_to(client):
    for number in range(12):
        CooperationArea.objects.create(slug=f"sapphire-{number}", name=f"Sapphire {number}", is_published=True)
    response = client.get("/search/", {"q": "sapphire"})
    found = groups(response)
    assert found["areas"]["count"] == 12
    assert sorted(area.slug for area in found["areas"]["records"]) == sorted(f"sapphire-{n}" for n in range(12))
    assert found["areas"]["register_url"] is None
    assert '<a href="/areas/sapphire-11/">Sapphire 11</a>' in body(response)


def test_drafts_are_neither_found_nor_counted(client):
    Organisation.objects.filter(slug="imo").update(is_published=False)
    CooperationActivity.objects.filter(slug="health-and-safety-measures-at-the-borders").update(is_published=False)
    found = groups(client.get("/search/", {"q": "International Maritime Organization"}))
    assert found["organisations"]["count"] == 0
    found = groups(client.get("/search/", {"q": "health"}))
    assert "health-and-safety-measures-at-the-borders" not in [r.slug for r in found["activities"]["records"]]
    assert found["activities"]["count"] == 0


@pytest.mark.parametrize(
    "q, suggestion",
    [
        ("intrepol", "INTERPOL"),
        ("UNCHR", "UNHCR"),
        ("Counsil of Erope", "Council of Europe"),
        ("trafficing victms", None),
    ],
)
def test_a_search_that_finds_nothing_suggests_the_closest_names(client, q, suggestion):
    response = client.get("/search/", {"q": q})
    assert response.context["total"] == 0
    texts = [s["text"] for s in response.context["suggestions"]]
    if suggestion:
        assert texts[0] == suggestion
        assert f'<a href="/search/?q={suggestion.replace(" ", "+")}">{suggestion}</a>' in body(response)
    assert "Did you mean" in body(response)


def test_a_misspelled_word_is_corrected_from_the_published_words(client):
    response = client.get("/search/", {"q": "unacompanied minnors"})
    assert [s["text"] for s in response.context["suggestions"]] == ["unaccompanied minors"]


def test_drafts_are_never_suggested(client):
    Organisation.objects.filter(slug="imo").update(is_published=False)
    response = client.get("/search/", {"q": "Internatinal Maritme Organizaton"})
    assert "International Maritime Organization" not in [s["text"] for s in response.context["suggestions"]]


def test_a_search_that_finds_something_suggests_nothing(client):
    assert client.get("/search/", {"q": "IOM"}).context["suggestions"] == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("q=IOM%00", "null character"),
        (f"q={'x' * (SEARCH_MAX_LENGTH + 1)}", f"at most {SEARCH_MAX_LENGTH} characters"),
        ("q=IOM&q=WHO", "Give the q parameter once"),
    ],
)
def test_bad_input_is_a_400_naming_q(client, query, message):
    response = client.get(f"/search/?{query}")
    assert response.status_code == 400
    page = body(response)
    assert "<code>q</code>" in page
    assert message in page
    assert response.context["groups"] == []


def test_only_exclusions_or_punctuation_ask_for_a_word(client):
    for q in ["-border", "!!!"]:
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200
        assert "Type at least one word to look for." in body(response)


@pytest.mark.parametrize("url", ["/", "/organisations/", "/cooperation/fields-deployment/", "/areas/", "/nowhere/"])
def test_every_page_has_a_search_box_in_its_header(client, url):
    page = body(client.get(url))
    header = re.search(r'<header class="site-header">.*?</header>', page, re.S).group(0)
    assert '<form class="site-search" method="get" action="/search/" role="search"' in header
    assert '<label for="site-search-q"' in header and 'id="site-search-q" type="search" name="q"' in header


def test_the_search_page_has_one_search_box(client):
    page = body(client.get("/search/", {"q": "iom"}))
    assert page.count('role="search"') == 1
    assert 'value="iom"' in page


def test_the_search_page_is_served_from_the_page_cache(client, page_cache, django_assert_num_queries):
    first = client.get("/search/", {"q": "IOM"})
    with django_assert_num_queries(1):  # the registry version
        second = client.get("/search/", {"q": "IOM"})
    assert second.content == first.content
    Organisation.objects.filter(slug="iom").update(name="International Organisation for Migrants")
    assert "International Organisation for Migrants" in body(client.get("/search/", {"q": "IOM"}))


def test_a_register_search_that_finds_nothing_suggests_too(client):
    response = client.get("/organisations/", {"q": "intrepol", "kind": "law-enforcement"})
    assert response.context["page"].paginator.count == 0
    assert response.context["suggestions"][0] == "INTERPOL"
    link = re.search(r'<a href="\?([^"]*)">INTERPOL</a>', body(response)).group(1)
    assert sorted(link.split("&amp;")) == ["kind=law-enforcement", "q=INTERPOL"]  # the other filters kept
    assert client.get("/organisations/", {"q": "interpol"}).context["suggestions"] == []
