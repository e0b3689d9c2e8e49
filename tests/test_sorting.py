"""The ``sort`` parameter of each register: its values, ties broken by id, undated records
last, the same order in the downloads, sortable column headers, and bad values refused."""

import datetime
import re

import pytest
from django.utils import timezone

from partnerships.models import Agreement, CooperationActivity, Organisation
from partnerships.views import AgreementList, CooperationActivityList, OrganisationList

from .helpers import export_json

pytestmark = pytest.mark.usefixtures("registry")

SORTS = {
    "/organisations/": ["name", "-updated"],
    "/agreements/": ["title", "signed_on", "-signed_on", "expires_on", "-updated"],
    "/cooperation/": ["title", "starts_on", "-starts_on", "-updated"],
}


@pytest.fixture
def dated():
    """Activities and agreements with dates, some equal (ties), some missing."""
    iom = Organisation.objects.get(slug="iom")
    day = datetime.date
    CooperationActivity.objects.filter(slug="fields-deployment").update(starts_on=day(2022, 4, 1))
    for slug, start in [("tie-b", day(2023, 1, 1)), ("tie-a", day(2023, 1, 1)), ("late", day(2025, 6, 1))]:
        CooperationActivity.objects.create(
            title=f"Same title {slug[-1]}", slug=slug, status="planned", starts_on=start, is_published=True
        )
    for title, signed, expires in [
        ("Zeta", day(2020, 1, 1), day(2030, 1, 1)),
        ("Alpha", day(2021, 5, 1), None),
        ("Beta", None, day(2026, 1, 1)),
        ("Gamma", day(2021, 5, 1), day(2027, 1, 1)),
    ]:
        Agreement.objects.create(
            title=title, organisation=iom, kind="other", status="in-force", signed_on=signed, expires_on=expires,
            is_published=True,
        )  # fmt: skip


def page_keys(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [getattr(record, "slug", None) or record.pk for record in response.context["page"].object_list]


@pytest.mark.parametrize("url, sort", [(url, sort) for url, sorts in SORTS.items() for sort in sorts])
def test_every_sort_value_orders_the_page_and_the_download_alike(client, dated, url, sort):
    on_page = page_keys(client, url, {"sort": sort})
    downloaded = [row.get("slug", row.get("id")) for row in export_json(client, url, {"sort": sort})]
    assert on_page == downloaded
    assert len(on_page) > 1


def test_planned_start_orders_earliest_first_ties_by_id_and_undated_last(client, dated):
    ids = {a.slug: a.pk for a in CooperationActivity.objects.all()}
    ascending = page_keys(client, "/cooperation/", {"sort": "starts_on"})
    assert ascending[:4] == ["fields-deployment", *sorted(["tie-a", "tie-b"], key=ids.get), "late"]
    descending = page_keys(client, "/cooperation/", {"sort": "-starts_on"})
    assert descending[:4] == ["late", *sorted(["tie-a", "tie-b"], key=ids.get), "fields-deployment"]
    undated = [slug for slug in ascending if slug not in ("fields-deployment", "tie-a", "tie-b", "late")]
    assert ascending[4:] == descending[4:] == sorted(undated, key=ids.get)


def test_agreements_sort_by_signature_and_expiry_with_undated_last(client, dated):
    titles = lambda sort: [  # noqa: E731
        Agreement.objects.get(pk=pk).title for pk in page_keys(client, "/agreements/", {"sort": sort})
    ]
    assert titles("signed_on") == ["Zeta", "Alpha", "Gamma", "Beta"]
    assert titles("-signed_on") == ["Alpha", "Gamma", "Zeta", "Beta"]
    assert titles("expires_on") == ["Beta", "Gamma", "Zeta", "Alpha"]
    assert titles("title") == ["Alpha", "Beta", "Gamma", "Zeta"]


def latest_changed(client, url):
    """The order of ``sort=-updated`` in the register's download and in the API (each slug)."""
    downloaded = [row["slug"] for row in export_json(client, url, {"sort": "-updated"})]
    response = client.get(f"/api/v1{url}", {"sort": "-updated", "page_size": 100})
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == downloaded
    return downloaded


@pytest.mark.parametrize(("url", "model"), [("/organisations/", Organisation), ("/cooperation/", CooperationActivity)])
def test_recently_updated_follows_the_last_public_change_only(client, url, model):
    """A save that changes nothing the public sees leaves the order as it was; a change of the
    summary puts the record first, on the page, in the download and in the API."""
    before = latest_changed(client, url)
    last = model.objects.get(slug=before[-1])

    last.save()  # nothing public changes
    assert latest_changed(client, url) == before
    assert page_keys(client, url, {"sort": "-updated"})[0] == before[0] != last.slug

    last.summary += " Revised."
    last.save()
    assert latest_changed(client, url) == [last.slug, *before[:-1]]
    assert page_keys(client, url, {"sort": "-updated"})[0] == last.slug


def test_records_changed_together_are_ordered_by_id_latest_first(client):
    """Records with the same last public change (an area published in all of them at once) are
    in the feeds' order: the latest id first."""
    when = timezone.now()
    CooperationActivity.objects.update(public_changed_at=when)
    ids = sorted(CooperationActivity.objects.published().values_list("pk", flat=True), reverse=True)
    slugs = dict(CooperationActivity.objects.values_list("pk", "slug"))
    assert latest_changed(client, "/cooperation/") == [slugs[pk] for pk in ids]


def test_the_name_order_is_the_default(client):
    assert page_keys(client, "/organisations/", {})[0] == "coe"  # by name: Council of Europe


def test_the_sorted_column_header_says_so(client, dated):
    html = client.get("/cooperation/", {"status": "planned", "sort": "starts_on"}).content.decode()
    assert (
        '<th scope="col" aria-sort="ascending"><a href="?sort=-starts_on&amp;status=planned">Planned start'
        '<span aria-hidden="true"> ▲</span></a></th>'
    ) in html
    # The page reads its parameters in one fixed order (by name), the order its links keep.
    assert '<th scope="col"><a href="?sort=title&amp;status=planned">Activity<span aria-hidden="true"></span>' in html
    assert html.count("aria-sort=") == 1
    assert '<td data-label="Planned start"><time datetime="2023-01-01">1 Jan 2023</time></td>' in html
    assert (
        '<td data-label="Planned end" class="unstated"><span class="none" aria-hidden="true">—</span>'
        '<span class="visually-hidden">not stated</span></td>'
    ) in html
    default = client.get("/agreements/").content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href="?sort=title">Agreement' in default
    assert '<a href="?sort=-updated">Recently updated</a>' in default


@pytest.mark.parametrize("url", list(SORTS))
@pytest.mark.parametrize("value", ["newest", "updated", "-title", "name;drop"])
def test_a_bad_sort_value_is_a_bad_request_naming_sort(client, url, value):
    response = client.get(url, {"sort": value})
    assert response.status_code == 400
    assert "(<code>sort</code>): Select a valid choice." in response.content.decode()
    download = client.get(url, {"sort": value, "format": "json"})
    assert download.status_code == 400
    assert "sort" in download.json()["parameters"]


def test_sort_given_twice_is_a_bad_request(client):
    response = client.get("/cooperation/", {"sort": ["title", "starts_on"]})
    assert response.status_code == 400
    assert "<code>sort</code>" in response.content.decode()


@pytest.mark.parametrize("view", [OrganisationList, AgreementList, CooperationActivityList])
def test_the_page_cache_is_keyed_on_sort_and_expand(view):
    assert {"sort", "expand", "page"} <= view.public_page.parameters
    assert set(view.filterset_class.base_filters) <= view.public_page.parameters


def test_the_page_cache_keeps_each_order_apart(client, page_cache):
    """Two orders of the same selection are two cached pages, each served again as it was."""
    latest = CooperationActivity.objects.published().order_by("-title").first()
    latest.summary += " Revised."
    latest.save()  # the last by title, the first by its last public change
    rows = re.compile(r'<th scope="row"><a href="/cooperation/([^/"]+)/"')
    by_title = client.get("/cooperation/", {"sort": "title"}).content.decode()
    by_update = client.get("/cooperation/", {"sort": "-updated"}).content.decode()
    assert rows.findall(by_title) == [row["slug"] for row in export_json(client, "/cooperation/", {"sort": "title"})]
    assert rows.findall(by_update)[0] == latest.slug != rows.findall(by_title)[0]
    assert client.get("/cooperation/", {"sort": "title"}).content.decode() == by_title
    assert client.get("/cooperation/", {"sort": "-updated"}).content.decode() == by_update
