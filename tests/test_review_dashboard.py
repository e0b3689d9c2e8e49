"""The review dashboard on the admin index: each count, and a link to exactly the records counted."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from partnerships.models import Agreement, CooperationActivity, CooperationArea, DatedFact, Organisation

EXPECTED = [
    # label, count, link
    ("Agreements expiring within 180 days", 2, "/admin/partnerships/agreement/?expires=soon"),
    ("Agreements in force past their expiry date", 1, "/admin/partnerships/agreement/?expires=passed"),
    ("Published organisations that show drafts", 0, "/admin/partnerships/organisation/?shows_drafts=yes"),
    ("Published agreements that show drafts", 0, "/admin/partnerships/agreement/?shows_drafts=yes"),
    (
        "Published cooperation activities that show drafts",
        0,
        "/admin/partnerships/cooperationactivity/?shows_drafts=yes",
    ),
    ("Organisations waiting for publication", 1, "/admin/partnerships/organisation/?is_published__exact=0"),
    ("Agreements waiting for publication", 4, "/admin/partnerships/agreement/?is_published__exact=0"),
    (
        "Cooperation activities waiting for publication",
        1,
        "/admin/partnerships/cooperationactivity/?is_published__exact=0",
    ),
    (
        "Published organisations that cite no source",
        0,
        "/admin/partnerships/organisation/?is_published__exact=1&has_citation=no",
    ),
    (
        "Published agreements that cite no source",
        0,
        "/admin/partnerships/agreement/?is_published__exact=1&has_citation=no",
    ),
    (
        "Published cooperation activities that cite no source",
        1,
        "/admin/partnerships/cooperationactivity/?is_published__exact=1&has_citation=no",
    ),
    ("Dated facts that cite no source", 1, "/admin/partnerships/datedfact/?has_citation=no"),
    # The shipped dated facts cite pages whose words are not quoted.
    ("Citations that quote no passage", 3, "/admin/partnerships/citation/?has_passage=no"),
    ("Organisations without a cooperation area", 1, "/admin/partnerships/organisation/?has_areas=no"),
]


@pytest.fixture
def work_to_review(registry):
    """The shipped data (all published, complete, no agreement) plus records that need attention."""
    today = timezone.localdate()
    iom = Organisation.objects.get(slug="iom")
    for title, expires_in in [("Today", 0), ("In 180 days", 180), ("In 181 days", 181), ("Yesterday", -1)]:
        Agreement.objects.create(
            title=title,
            organisation=iom,
            kind="other",
            status="in-force",
            expires_on=today + datetime.timedelta(days=expires_in),
        )
    Organisation.objects.create(
        name="New Organisation", acronym="NEW", slug="new", kind="intergovernmental", relationship="exploring"
    )
    CooperationActivity.objects.create(title="Unsourced idea", slug="unsourced-idea")
    published = CooperationActivity.objects.create(title="Unsourced plan", slug="unsourced-plan", is_published=True)
    published.partners.add(iom)
    DatedFact.objects.create(slug="undated-claim", date=datetime.date(2020, 1, 1), statement="Unsourced claim")


def dashboard_items(response):
    return [(item["label"], item["count"], item["url"]) for item in response.context["items"]]


def test_the_admin_index_counts_what_waits_for_review(admin_client, work_to_review):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert dashboard_items(response) == EXPECTED
    assert '<a href="/admin/partnerships/organisation/?has_areas=no">' in response.content.decode()


@pytest.mark.parametrize(
    "link, field, expected",
    [
        ("/admin/partnerships/agreement/?expires=soon", "title", {"Today", "In 180 days"}),
        (
            "/admin/partnerships/agreement/?is_published__exact=0",
            "title",
            {"Today", "In 180 days", "In 181 days", "Yesterday"},
        ),
        ("/admin/partnerships/organisation/?is_published__exact=0", "acronym", {"NEW"}),
        ("/admin/partnerships/organisation/?has_areas=no", "acronym", {"NEW"}),
        ("/admin/partnerships/cooperationactivity/?is_published__exact=0", "slug", {"unsourced-idea"}),
        (
            "/admin/partnerships/cooperationactivity/?is_published__exact=1&has_citation=no",
            "slug",
            {"unsourced-plan"},
        ),
        ("/admin/partnerships/datedfact/?has_citation=no", "slug", {"undated-claim"}),
        ("/admin/partnerships/citation/?has_passage=no", "passage", {""}),
    ],
)
def test_each_link_shows_exactly_the_records_counted(admin_client, work_to_review, link, field, expected):
    response = admin_client.get(link)

    assert response.status_code == 200
    assert {getattr(record, field) for record in response.context["cl"].result_list} == expected


def test_the_opposite_filters_show_the_rest(admin_client, work_to_review):
    with_areas = admin_client.get("/admin/partnerships/organisation/?has_areas=yes").context["cl"].result_list
    sourced = admin_client.get("/admin/partnerships/cooperationactivity/?has_citation=yes").context["cl"]
    quoted = admin_client.get("/admin/partnerships/citation/?has_passage=yes").context["cl"]

    assert {o.slug for o in with_areas} == set(Organisation.objects.exclude(slug="new").values_list("slug", flat=True))
    assert sourced.result_count == 9
    assert quoted.result_count == 19  # the shipped organisations' and activities' quoted passages


def test_an_organisation_gains_its_first_area_and_leaves_the_list(admin_client, work_to_review):
    Organisation.objects.get(slug="new").areas.add(CooperationArea.objects.get(slug="return"))

    response = admin_client.get("/admin/")

    assert ("Organisations without a cooperation area", 0, "/admin/partnerships/organisation/?has_areas=no") in (
        dashboard_items(response)
    )


def test_a_staff_user_sees_only_the_items_of_models_they_may_view(client, django_user_model, work_to_review):
    user = django_user_model.objects.create_user("otto", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    client.force_login(user)

    response = client.get("/admin/")

    assert [label for label, _, _ in dashboard_items(response)] == [
        "Published organisations that show drafts",
        "Organisations waiting for publication",
        "Published organisations that cite no source",
        "Organisations without a cooperation area",
    ]
