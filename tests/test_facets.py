"""Counts beside every filter option, the selection in words, and the partner filter's list.

Within one parameter the counts ignore that parameter's own selection (its values mean "any
of"); across parameters they apply the others. Only published records count.
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.facets import ORGANISATIONS_SHOWN
from partnerships.models import CooperationActivity, CooperationArea, Organisation, Region, RegistryVersion

from .helpers import export_json, status_text

pytestmark = pytest.mark.usefixtures("registry")


def counts(response, name):
    """{option value: count} of one filter, as the page shows them."""
    facet = next(facet for facet in response.context["form_parts"] if facet[0] and facet[0].name == name)[0]
    return {option.value: option.count for option in facet.options}


def shown_count(html, name, value):
    match = re.search(
        rf'name="{name}" value="{re.escape(value)}"(?: checked)?> [^<]* <span class="count">\(([0-9,]+)\)', html
    )
    return int(match.group(1).replace(",", ""))


def test_return_shows_4_organisations_and_2_of_them_with_structured_cooperation(client):
    """The facts of the shipped data: UNHCR, IOM, ODIHR and CoE work on return; UNHCR and IOM structurally."""
    everything = client.get("/organisations/")
    assert shown_count(everything.content.decode(), "area", "return") == 4
    structured = client.get("/organisations/", {"relationship": "structured"})
    assert shown_count(structured.content.decode(), "area", "return") == 2
    assert counts(structured, "relationship") == {
        "structured": 5,
        "active": 3,
        "closer-partnership-sought": 1,
        "exploring": 1,
    }


def test_a_filters_own_selection_does_not_change_its_counts_but_the_other_filters_do(client):
    """Disjunctive within a parameter, conjunctive across parameters."""
    unfiltered = client.get("/cooperation/")
    one_area = client.get("/cooperation/", {"area": "return"})
    assert counts(one_area, "area") == counts(unfiltered, "area")
    assert counts(unfiltered, "area")["cross-border-crime"] == 2
    assert counts(one_area, "status") == {
        "exploring": 0,
        "planned": 0,
        "ongoing": 1,
        "completed": 0,
        "discontinued": 0,
    }
    both = client.get("/cooperation/", {"area": ["return", "coast-guard"], "status": "planned"})
    assert counts(both, "area")["coast-guard"] == 1
    assert counts(both, "area")["return"] == 0
    assert counts(both, "status") == {"exploring": 0, "planned": 1, "ongoing": 1, "completed": 0, "discontinued": 0}
    assert counts(both, "organisation")["imo"] == 1
    assert "iom" not in counts(both, "organisation")  # the short list leaves out those without results


@pytest.mark.parametrize(
    "url, params",
    [
        ("/cooperation/", {}),
        ("/cooperation/", {"status": "ongoing", "area": "cross-border-crime"}),
        ("/cooperation/", {"organisation": ["iom", "interpol"], "region": "turkiye"}),
        ("/organisations/", {"relationship": "structured"}),
        ("/organisations/", {"area": "return", "kind": "un-system"}),
        ("/agreements/", {"area": "return"}),
    ],
)
def test_each_count_is_the_number_of_results_its_option_gives(client, url, params, agreements):
    """Choosing an option alone in its filter, with the other filters kept, gives as many rows as its count."""
    response = client.get(url, params)
    for facet, _ in response.context["form_parts"]:
        if facet is None or facet.name == "organisation" and len(facet.options) > 5:
            continue
        for option in facet.options:
            chosen = {**params, facet.name: option.value}
            assert len(export_json(client, url, chosen)) == option.count, (facet.name, option.value)


@pytest.fixture
def agreements():
    from partnerships.models import Agreement

    iom, who = Organisation.objects.get(slug="iom"), Organisation.objects.get(slug="who")
    for title, organisation, status in [("A", iom, "in-force"), ("B", iom, "expired"), ("C", who, "in-force")]:
        agreement = Agreement.objects.create(
            title=title, organisation=organisation, kind="other", status=status, is_published=True
        )
        agreement.areas.set(CooperationArea.objects.filter(slug__in=["return"] if title != "C" else ["terrorism"]))
    Agreement.objects.create(title="Draft", organisation=iom, kind="other", status="in-force", is_published=False)


def test_only_published_records_are_counted(client):
    CooperationActivity.objects.filter(slug="fields-deployment").update(is_published=False)
    Organisation.objects.filter(slug="who").update(is_published=False)
    response = client.get("/cooperation/")
    assert counts(response, "area")["document-fraud"] == 0
    assert "who" not in counts(response, "organisation")
    assert counts(response, "status")["exploring"] == 1  # WHO's activity stays; its partner is not shown
    assert counts(client.get("/organisations/"), "area")["health-at-borders"] == 0


def test_an_option_without_results_shows_0_and_can_still_be_chosen(client):
    html = client.get("/cooperation/", {"status": "planned"}).content.decode()
    assert shown_count(html, "area", "return") == 0
    assert '<li class="none"><label><input type="checkbox" name="area" value="return"> Return' in html
    assert client.get("/cooperation/", {"status": "planned", "area": "return"}).status_code == 200


def test_the_unfiltered_counts_are_computed_once_per_registry_version(client, page_cache):
    """A second page of the same selection (another order) reads the counts from the cache."""
    client.get("/cooperation/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/cooperation/", {"sort": "-updated"})
    assert not [query for query in captured if "GROUP BY" in query["sql"]]
    RegistryVersion.bump()
    with CaptureQueriesContext(connection) as captured:
        client.get("/cooperation/", {"sort": "title"})
    assert [query for query in captured if "GROUP BY" in query["sql"]]
    cache.clear()


def test_the_selection_is_said_in_words_with_each_value_a_link_that_removes_it(client):
    response = client.get(
        "/cooperation/", {"area": ["return", "fundamental-rights"], "status": "ongoing", "page": "1"}
    )
    assert status_text(response) == "Showing 1 activity in Return or Fundamental rights, ongoing. Clear all"
    html = response.content.decode()
    assert '<a class="chip" href="/cooperation/?area=fundamental-rights&amp;status=ongoing">Return<' in html
    assert '<a class="chip" href="/cooperation/?area=return&amp;status=ongoing">Fundamental rights<' in html
    assert '<a class="chip" href="/cooperation/?area=return&amp;area=fundamental-rights">ongoing<' in html
    assert '<a class="clear-all" href="/cooperation/">Clear all</a>' in html
    assert "several values of one filter" in html.lower() or "with any of them" in html


def test_the_words_name_every_kind_of_filter(client):
    response = client.get(
        "/cooperation/", {"q": "border", "organisation": "interpol", "region": "turkiye", "priority": "major"}
    )
    assert status_text(response) == (
        "Showing 0 activities matching “border”, with International Criminal Police Organization (INTERPOL), "
        "covering Türkiye, major priority. Clear all"
    )
    sorted_response = client.get("/organisations/", {"area": "return", "sort": "-updated"})
    assert status_text(sorted_response) == "Showing 4 organisations working in Return. Clear all"
    assert '<a class="clear-all" href="/organisations/?sort=-updated">' in sorted_response.content.decode()


def test_the_partner_filter_lists_the_organisations_with_results_most_first(client):
    interpol = Organisation.objects.get(slug="interpol")
    for number in range(3):
        activity = CooperationActivity.objects.create(
            title=f"Extra {number}", slug=f"extra-{number}", status="ongoing", is_published=True
        )
        activity.partners.add(interpol)
    response = client.get("/cooperation/", {"status": "ongoing"})
    facet = next(f for f, _ in response.context["form_parts"] if f and f.name == "organisation")
    assert [(o.value, o.count) for o in facet.options][:2] == [("interpol", 7), ("iom", 4)]
    assert all(option.count for option in facet.options)
    assert {"imo", "who"}.isdisjoint(o.value for o in facet.options)  # no ongoing activity
    assert facet.hidden == 2
    html = response.content.decode()
    assert '<a href="?status=ongoing&amp;expand=organisation">Show all 10 organisations</a>' in html
    assert 'data-narrow="Find an organisation in this list"' in html


def test_a_chosen_organisation_stays_in_the_short_list_even_without_results(client):
    response = client.get("/cooperation/", {"status": "ongoing", "organisation": "who"})
    facet = next(f for f, _ in response.context["form_parts"] if f and f.name == "organisation")
    who = next(option for option in facet.options if option.value == "who")
    assert (who.count, who.selected) == (0, True)


def test_the_short_list_stops_at_its_length(client):
    for number in range(ORGANISATIONS_SHOWN + 3):
        organisation = Organisation.objects.create(
            name=f"Member {number}", acronym=f"M{number}", slug=f"m{number}", kind="un-system",
            relationship="active", is_published=True,
        )  # fmt: skip
        CooperationActivity.objects.get(slug="fields-deployment").partners.add(organisation)
    facet = next(f for f, _ in client.get("/cooperation/").context["form_parts"] if f and f.name == "organisation")
    assert len(facet.options) == ORGANISATIONS_SHOWN
    assert facet.hidden == 10 + ORGANISATIONS_SHOWN + 3 - ORGANISATIONS_SHOWN


def test_show_all_lists_every_published_organisation_by_name_and_keeps_the_filters(client):
    Organisation.objects.filter(slug="who").update(is_published=False)
    response = client.get("/cooperation/", {"area": "return", "expand": "organisation"})
    facet = next(f for f, _ in response.context["form_parts"] if f and f.name == "organisation")
    assert len(facet.options) == 9
    assert [o.label for o in facet.options] == sorted(o.label for o in facet.options)
    html = response.content.decode()
    assert '<input type="hidden" name="expand" value="organisation">' in html
    assert '<a href="?area=return">Show only those with results</a>' in html


@pytest.mark.parametrize(
    "url, params",
    [
        ("/cooperation/", {"expand": "everything"}),
        ("/organisations/", {"expand": "organisation"}),
        ("/cooperation/", {"expand": ["organisation", "organisation"]}),
    ],
)
def test_a_bad_expand_value_is_a_bad_request_naming_it(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 400
    assert "<code>expand</code>" in response.content.decode()


def test_the_page_cache_keeps_the_full_list_apart_from_the_short_one(client, page_cache):
    """``expand`` is one of the parameters a register reads, so it is part of the cached page's key."""
    short = client.get("/cooperation/", {"status": "ongoing"}).content.decode()
    full = client.get("/cooperation/", {"status": "ongoing", "expand": "organisation"}).content.decode()
    assert "Show all 10 organisations" in short and "Show only those with results" not in short
    assert "Show only those with results" in full
    again = client.get("/cooperation/", {"status": "ongoing"}).content.decode()
    assert again == short


def test_the_bit_sets_hold_exactly_the_published_activities_of_each_value():
    from partnerships.bitsets import bits_of, read_activity_bits

    assert bits_of([]) == 0
    assert bits_of([0, 3, 9]) == 0b1000001001
    CooperationActivity.objects.filter(slug="fields-deployment").update(is_published=False)
    bits = read_activity_bits()
    published = set(CooperationActivity.objects.published().values_list("pk", flat=True))
    assert bits["published"] == bits_of(published)
    fraud = CooperationArea.objects.get(slug="document-fraud")
    assert bits["area"].get(fraud.pk, 0) == 0  # FIELDS, its only activity, is a draft now
    ongoing = CooperationActivity.objects.published().filter(status="ongoing").values_list("pk", flat=True)
    assert bits["status"]["ongoing"] == bits_of(ongoing)


def test_draft_areas_and_regions_are_neither_options_nor_counted(client):
    """A draft area or region is listed by no filter and counted nowhere; choosing it is refused."""
    CooperationArea.objects.filter(slug="return").update(is_published=False)
    Region.objects.filter(slug="turkiye").update(is_published=False)
    activities = client.get("/cooperation/")
    assert "return" not in counts(activities, "area") and "fundamental-rights" in counts(activities, "area")
    assert set(counts(activities, "region")) == {"eastern-partnership", "western-balkans"}
    html = activities.content.decode()
    assert 'name="area" value="return"' not in html and 'name="region" value="turkiye"' not in html
    # The activities themselves stay published: the total still counts them.
    assert activities.context["page"].paginator.count == CooperationActivity.objects.published().count()
    for url in ("/organisations/", "/agreements/"):
        assert "return" not in counts(client.get(url), "area"), url
    for url, params in [
        ("/cooperation/", {"area": "return"}),
        ("/cooperation/", {"region": "turkiye"}),
        ("/organisations/", {"area": "return"}),
        ("/agreements/", {"area": "return"}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 400, (url, params)
        assert "chip" not in response.content.decode()  # no chip names the draft value


def test_the_bit_sets_leave_out_draft_areas_and_regions():
    from partnerships.bitsets import read_activity_bits

    CooperationArea.objects.filter(slug="return").update(is_published=False)
    Region.objects.filter(slug="turkiye").update(is_published=False)
    bits = read_activity_bits()
    assert CooperationArea.objects.get(slug="return").pk not in bits["area"]
    assert CooperationArea.objects.get(slug="fundamental-rights").pk in bits["area"]
    assert set(bits["region"]) == set(Region.objects.published().values_list("pk", flat=True))


def test_withdrawing_an_area_takes_it_out_of_the_cached_options_and_counts(client, page_cache):
    """The options and counts are cached per registry version; unpublishing an area moves it."""
    assert "return" in counts(client.get("/organisations/"), "area")
    assert 'name="area" value="return"' in client.get("/cooperation/").content.decode()
    area = CooperationArea.objects.get(slug="return")
    area.is_published = False
    area.save()
    assert 'name="area" value="return"' not in client.get("/cooperation/").content.decode()
    assert 'name="area" value="return"' not in client.get("/organisations/").content.decode()
    assert "/areas/return/" not in client.get("/areas/").content.decode()
