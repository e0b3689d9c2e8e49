"""Every register filter alone and combined, with the expected rows from the contract's tables (docs/contract.md)."""

import datetime

import pytest

from partnerships.models import Agreement, CooperationActivity, Organisation

from .helpers import export_json

pytestmark = pytest.mark.usefixtures("registry")

RETURN_ACTIVITY = "return-international-protection-and-fundamental-rights"
CRIME_ACTIVITY = "operational-cooperation-against-cross-border-crime"
IMO_ACTIVITY = "preventing-fraudulent-ship-registration-and-seafarer-certification"
WHO_ACTIVITY = "health-and-safety-measures-at-the-borders"
INTERPOL_ACTIVITY = "border-management-and-cross-border-crime-prevention"
FIELDS = "fields-deployment"
TECHNICAL_ASSISTANCE = "technical-assistance-eastern-partnership-western-balkans-turkiye"
RISK_ANALYSIS = "risk-analysis-trafficking-and-unaccompanied-minors"
FRAMEWORKS = "reviewing-and-strengthening-partnership-frameworks"
ALL_ACTIVITIES = {
    RETURN_ACTIVITY,
    CRIME_ACTIVITY,
    IMO_ACTIVITY,
    WHO_ACTIVITY,
    INTERPOL_ACTIVITY,
    FIELDS,
    TECHNICAL_ASSISTANCE,
    RISK_ANALYSIS,
    FRAMEWORKS,
}


def listed(client, url, params):
    """The slugs (or ids) on the HTML page, checked against the download of the same filters."""
    response = client.get(url, params)
    assert response.status_code == 200
    on_page = [getattr(record, "slug", None) or record.pk for record in response.context["page"].object_list]
    downloaded = [row.get("slug", row.get("id")) for row in export_json(client, url, params)]
    assert on_page == downloaded
    return set(on_page)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"unhcr", "iom", "unodc", "interpol", "osce", "odihr", "coe", "maoc-n", "imo", "who"}),
        ({"area": "return"}, {"unhcr", "iom", "odihr", "coe"}),
        ({"area": "cross-border-crime"}, {"unodc", "interpol", "osce", "maoc-n"}),
        ({"area": ["return", "coast-guard"]}, {"unhcr", "iom", "odihr", "coe", "imo"}),
        ({"area": "document-fraud"}, {"interpol"}),
        ({"area": "risk-analysis"}, {"iom"}),
        ({"relationship": "exploring"}, {"who"}),
        ({"relationship": "structured"}, {"unhcr", "iom", "unodc", "interpol", "osce"}),
        ({"relationship": "active"}, {"odihr", "coe", "maoc-n"}),
        ({"relationship": ["exploring", "closer-partnership-sought"]}, {"who", "imo"}),
        ({"kind": "law-enforcement"}, {"interpol", "maoc-n"}),
        ({"kind": "institution"}, {"odihr"}),
        ({"kind": "un-system", "area": "cross-border-crime"}, {"unodc"}),
        ({"kind": "intergovernmental", "relationship": "active"}, {"coe"}),
        ({"area": "return", "relationship": "structured"}, {"unhcr", "iom"}),
        ({"area": "terrorism", "kind": "un-system"}, set()),
        ({"q": "maritime"}, {"maoc-n", "imo"}),
        ({"q": "MAOC"}, {"maoc-n"}),
        ({"q": "health", "relationship": "exploring"}, {"who"}),
    ],
)
def test_organisation_filters(client, params, expected):
    assert listed(client, "/organisations/", params) == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ALL_ACTIVITIES),
        ({"area": "return"}, {RETURN_ACTIVITY}),
        ({"area": "cross-border-crime"}, {CRIME_ACTIVITY, INTERPOL_ACTIVITY}),
        ({"area": ["coast-guard", "health-at-borders"]}, {IMO_ACTIVITY, WHO_ACTIVITY}),
        ({"organisation": "iom"}, {RETURN_ACTIVITY, TECHNICAL_ASSISTANCE, RISK_ANALYSIS, FRAMEWORKS}),
        ({"organisation": "interpol"}, {CRIME_ACTIVITY, INTERPOL_ACTIVITY, FIELDS, FRAMEWORKS}),
        ({"organisation": ["who", "imo"]}, {WHO_ACTIVITY, IMO_ACTIVITY}),
        ({"organisation": "odihr"}, {RETURN_ACTIVITY}),
        ({"organisation": "imo", "area": "coast-guard"}, {IMO_ACTIVITY}),
        ({"organisation": "who", "area": "coast-guard"}, set()),
        ({"organisation": "interpol", "area": "document-fraud"}, {FIELDS}),
        ({"region": "turkiye"}, {TECHNICAL_ASSISTANCE}),
        ({"region": ["western-balkans", "eastern-partnership"]}, {TECHNICAL_ASSISTANCE}),
        ({"status": "planned"}, {IMO_ACTIVITY}),
        ({"status": "exploring"}, {WHO_ACTIVITY}),
        ({"status": ["planned", "exploring"]}, {IMO_ACTIVITY, WHO_ACTIVITY}),
        ({"status": "completed"}, set()),
        ({"priority": "major"}, {FIELDS}),
        (
            {"priority": "normal", "organisation": "interpol", "status": "ongoing"},
            {CRIME_ACTIVITY, INTERPOL_ACTIVITY, FRAMEWORKS},
        ),
        ({"area": "trafficking-in-human-beings", "organisation": "iom"}, {RISK_ANALYSIS}),
        ({"q": "FIELDS"}, {FIELDS}),
        ({"q": "smuggling"}, {INTERPOL_ACTIVITY}),
        ({"q": "risk analysis", "organisation": "iom"}, {RISK_ANALYSIS}),
    ],
)
def test_cooperation_filters(client, params, expected):
    assert listed(client, "/cooperation/", params) == expected


@pytest.fixture
def agreements():
    iom, interpol, who = (Organisation.objects.get(slug=slug) for slug in ("iom", "interpol", "who"))

    def make(title, organisation, kind, status, signed_on, areas=(), **extra):
        agreement = Agreement.objects.create(
            title=title,
            organisation=organisation,
            kind=kind,
            status=status,
            signed_on=signed_on,
            is_published=True,
            **extra,
        )
        agreement.areas.set(iom.areas.model.objects.filter(slug__in=areas))
        return agreement.pk

    return {
        "return": make(
            "Return arrangement", iom, "working-arrangement", "in-force", datetime.date(2019, 3, 1), ["return"]
        ),
        "fields": make(
            "FIELDS exchange of letters",
            interpol,
            "exchange-of-letters",
            "in-force",
            datetime.date(2022, 4, 1),
            ["document-fraud"],
        ),
        "old": make("Earlier arrangement", interpol, "working-arrangement", "superseded", datetime.date(2009, 5, 27)),
        "health": make(
            "Letter of intent on health", who, "letter-of-intent", "under-negotiation", None, ["health-at-borders"]
        ),
        "draft": Agreement.objects.create(
            title="Draft arrangement", organisation=iom, kind="other", status="under-negotiation"
        ).pk,
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"return", "fields", "old", "health"}),
        ({"organisation": "interpol"}, {"fields", "old"}),
        ({"organisation": ["iom", "who"]}, {"return", "health"}),
        ({"kind": "working-arrangement"}, {"return", "old"}),
        ({"status": "in-force"}, {"return", "fields"}),
        ({"status": ["superseded", "under-negotiation"]}, {"old", "health"}),
        ({"area": "document-fraud"}, {"fields"}),
        ({"area": ["return", "health-at-borders"]}, {"return", "health"}),
        ({"signed_after": "2019-03-01"}, {"return", "fields"}),
        ({"signed_before": "2019-02-28"}, {"old"}),
        ({"signed_after": "2010-01-01", "signed_before": "2020-12-31"}, {"return"}),
        ({"organisation": "interpol", "status": "in-force"}, {"fields"}),
        ({"q": "health"}, {"health"}),
        ({"q": "arrangement", "organisation": "interpol"}, {"old"}),
    ],
)
def test_agreement_filters(client, agreements, params, expected):
    assert listed(client, "/agreements/", params) == {agreements[name] for name in expected}


def test_blank_values_from_the_form_mean_no_filter(client):
    assert listed(client, "/cooperation/", {"status": "", "q": "  ", "area": ["", "return"]}) == {RETURN_ACTIVITY}


def test_repeating_a_value_does_not_repeat_rows(client):
    assert listed(client, "/organisations/", {"area": ["return", "return", "fundamental-rights"]}) == {
        "unhcr",
        "iom",
        "odihr",
        "coe",
    }


def test_an_unpublished_organisation_cannot_be_chosen_as_a_filter(client):
    Organisation.objects.filter(slug="who").update(is_published=False)
    response = client.get("/cooperation/", {"organisation": "who"})
    assert response.status_code == 400
    assert "who is not one of the available choices" in response.content.decode()


def test_the_filter_form_offers_every_choice_as_a_control(client):
    page = client.get("/cooperation/").content.decode()
    assert 'type="checkbox" name="area" value="return"' in page
    assert 'type="checkbox" name="status" value="exploring"' in page
    assert 'type="checkbox" name="region" value="turkiye"' in page
    assert '<option value="iom">International Organization for Migration (IOM)</option>' in page
    assert 'type="search" name="q"' in page


def test_the_form_keeps_the_chosen_filters(client):
    page = client.get("/cooperation/", {"status": "planned", "area": "coast-guard"}).content.decode()
    assert 'type="checkbox" name="status" value="planned" id="id_status_1" checked' in page
    assert 'value="coast-guard" id="id_area_11" checked' in page


class TestPagination:
    @pytest.fixture
    def many_activities(self):
        iom = Organisation.objects.get(slug="iom")
        for number in range(60):
            activity = CooperationActivity.objects.create(
                title=f"Training course {number:02d}",
                slug=f"training-{number:02d}",
                status="completed",
                is_published=True,
            )
            activity.partners.add(iom)

    def test_lists_paginate_by_25_in_a_stable_order_and_links_keep_the_filters(self, client, many_activities):
        response = client.get("/cooperation/", {"status": "completed", "organisation": "iom"})
        page = response.context["page"]
        assert page.paginator.count == 60
        assert [a.slug for a in page.object_list] == [f"training-{n:02d}" for n in range(25)]
        html = response.content.decode()
        assert "60 activities match these filters." in html
        # The page reads its parameters in one fixed order (by name), the order its links keep.
        assert 'href="?organisation=iom&amp;status=completed&amp;page=2" rel="next"' in html
        third = client.get("/cooperation/", {"status": "completed", "organisation": "iom", "page": 3})
        assert [a.slug for a in third.context["page"].object_list] == [f"training-{n:02d}" for n in range(50, 60)]
        assert 'aria-current="page"><span class="visually-hidden">Page </span>3<' in third.content.decode()

    def test_rows_with_the_same_title_keep_one_order_across_pages(self, client, many_activities):
        CooperationActivity.objects.filter(slug__startswith="training-").update(title="Same title")
        first = client.get("/cooperation/", {"status": "completed"}).context["page"].object_list
        second = client.get("/cooperation/", {"status": "completed", "page": 2}).context["page"].object_list
        ids = [a.pk for a in first] + [a.pk for a in second]
        assert ids == sorted(ids)
        assert len(set(ids)) == 50

    def test_the_download_carries_every_page(self, client, many_activities):
        assert len(export_json(client, "/cooperation/", {"status": "completed"})) == 60


def test_an_empty_result_says_so_plainly(client):
    page = client.get("/cooperation/", {"status": "completed"}).content.decode()
    assert "No cooperation activity matches these filters." in page
    assert "0 activities match these filters." in page
