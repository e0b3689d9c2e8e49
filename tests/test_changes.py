"""The public change log (/changes/ and its feed): what was published and which public fields of
published records changed, built from the edit history, and nothing the public may not see."""

import csv
import datetime
import io
import json

import feedparser
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partnerships.changes import merge_fields
from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    PublicChange,
    Region,
    SourceDocument,
)

from .admin_forms import activity_form, empty_inlines, organisation_form
from .helpers import body

SHIPS = "preventing-fraudulent-ship-registration-and-seafarer-certification"
DRAFT_TITLE = "Secret draft cooperation on undisclosed matters"


def change_url(record):
    return reverse(f"admin:partnerships_{record._meta.model_name}_change", args=[record.pk])


def edit_activity(client, activity, **changes):
    response = client.post(change_url(activity), activity_form(activity, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    activity.refresh_from_db()
    return activity


def publish(client, record, value=True):
    changelist = reverse(f"admin:partnerships_{record._meta.model_name}_changelist")
    action = "publish" if value else "unpublish"
    response = client.post(changelist, {"action": action, "_selected_action": [record.pk]})
    assert response.status_code == 302
    record.refresh_from_db()
    return record


def entries(client, url="/changes/"):
    """The change log's entries as (headline text, [field lines]) in page order."""
    response = client.get(url)
    assert response.status_code == 200, body(response)
    return [
        (entry.headline, [f"{line.label}: {line.text}" for line in entry.lines])
        for entry in response.context["entries"]
    ]


@pytest.fixture
def admin_client(superuser):
    """A staff member's browser; ``client`` stays the anonymous visitor's."""
    browser = Client()
    browser.force_login(superuser)
    return browser


@pytest.fixture
def ships(registry):
    return CooperationActivity.objects.get(slug=SHIPS)


@pytest.fixture
def draft(registry, admin_client):
    """An activity an editor is still writing: never published."""
    response = admin_client.post(
        reverse("admin:partnerships_cooperationactivity_add"),
        {
            "title": DRAFT_TITLE,
            "slug": "secret-draft",
            "summary": "Words nobody outside the agency may read yet.",
            "status": "planned",
            "priority": "normal",
            "partners": [Organisation.objects.get(slug="iom").pk],
            "areas": [CooperationArea.objects.get(slug="return").pk],
            **empty_inlines("cooperationactivity"),
        },
    )
    assert response.status_code == 302
    return CooperationActivity.objects.get(slug="secret-draft")


def test_a_status_change_is_one_entry_with_the_labels_people_see(client, admin_client, ships):
    edit_activity(admin_client, ships, status="ongoing")

    assert entries(client) == [(f"Changed: {ships.title}", ["Status: Planned → Ongoing"])]


def test_a_partner_added_with_other_changes_in_one_save_is_one_entry(client, admin_client, ships):
    """The admin saves the form, then each list of related records: one entry for them all."""
    unodc = Organisation.objects.get(slug="unodc")
    partners = [*ships.partners.values_list("pk", flat=True), unodc.pk]

    edit_activity(admin_client, ships, partners=partners, status="ongoing", starts_on="2027-03-01")

    assert entries(client) == [
        (
            f"Changed: {ships.title}",
            [
                "Status: Planned → Ongoing",
                "Partner organisations: + UNODC",
                "Planned start: not stated → 1 March 2027",
            ],
        )
    ]


def test_a_partner_replaced_reads_as_one_added_and_one_removed(client, admin_client, ships):
    unodc = Organisation.objects.get(slug="unodc")
    edit_activity(admin_client, ships, partners=[unodc.pk])

    assert entries(client) == [(f"Changed: {ships.title}", ["Partner organisations: + UNODC, − IMO"])]


def test_the_entry_links_to_the_record_and_the_record_page_links_to_its_entries(client, admin_client, ships):
    edit_activity(admin_client, ships, status="ongoing")

    log = body(client.get("/changes/"))
    assert f'<a href="{ships.get_absolute_url()}">{escape(ships.title)}</a>' in log

    page = body(client.get(ships.get_absolute_url()))
    today = timezone.localdate()
    assert f'Last changed on <a href="/changes/?record=cooperation/{SHIPS}">' in page
    assert f"{today:%Y-%m-%d}" in page.split("Last changed on", 1)[1][:200]
    assert entries(client, f"/changes/?record=cooperation/{SHIPS}") == [
        (f"Changed: {ships.title}", ["Status: Planned → Ongoing"])
    ]


def test_publishing_a_draft_is_one_entry_and_its_drafting_leaves_none(client, admin_client, draft):
    edit_activity(admin_client, draft, summary="Still a draft, rewritten.")
    assert entries(client) == []

    publish(admin_client, draft)

    assert entries(client) == [(f"Published: {DRAFT_TITLE}", [])]
    assert draft.published_at == draft.public_changed_at is not None


def test_a_record_created_published_is_one_published_entry(client, admin_client, registry):
    response = admin_client.post(
        reverse("admin:partnerships_organisation_add"),
        organisation_form(
            Organisation(
                name="Example Organisation", acronym="EXO", slug="exo", kind="un-system", relationship="active"
            ),
            is_published="on",
            areas=[CooperationArea.objects.get(slug="return").pk],
        ),
    )
    assert response.status_code == 302

    assert entries(client) == [("Published: Example Organisation (EXO)", [])]


def test_unpublishing_removes_every_trace_and_republishing_starts_afresh(client, admin_client, ships):
    edit_activity(admin_client, ships, status="ongoing")
    edit_activity(admin_client, ships, title="A new title")

    publish(admin_client, ships, False)

    assert PublicChange.objects.count() == 0
    assert (ships.published_at, ships.public_changed_at) == (None, None)
    assert entries(client) == []
    assert "A new title" not in body(client.get("/changes/feed/"))
    assert client.get(f"/changes/?record=cooperation/{SHIPS}").status_code == 400

    publish(admin_client, ships)

    assert entries(client) == [("Published: A new title", [])]


def test_a_withdrawn_partner_disappears_from_the_lines_that_named_it(client, admin_client, ships):
    unodc = Organisation.objects.get(slug="unodc")
    edit_activity(admin_client, ships, partners=[*ships.partners.values_list("pk", flat=True), unodc.pk])

    publish(admin_client, unodc, False)

    assert entries(client) == [(f"Changed: {ships.title}", [])]
    assert "UNODC" not in body(client.get("/changes/"))
    assert "UNODC" not in body(client.get("/changes/feed/"))


def test_an_agreement_of_a_withdrawn_organisation_leaves_the_log(client, admin_client, registry):
    iom = Organisation.objects.get(slug="iom")
    agreement = Agreement.objects.create(
        title="Working arrangement", organisation=iom, kind="other", status="in-force", is_published=True
    )
    assert entries(client)[0] == ("Published: Working arrangement", [])

    publish(admin_client, iom, False)

    assert [headline for headline, _ in entries(client)] == []
    assert agreement.title not in body(client.get("/changes/feed/"))


def test_a_draft_partner_is_not_named(client, admin_client, ships):
    """A related record the public cannot see is no change the public can see."""
    hidden = Organisation.objects.create(
        name="Hidden Body", acronym="HID", slug="hid", kind="un-system", relationship="active"
    )
    edit_activity(admin_client, ships, partners=[*ships.partners.values_list("pk", flat=True), hidden.pk])

    assert entries(client) == []
    assert "HID" not in body(client.get("/changes/"))


def test_no_draft_content_and_no_staff_name_anywhere(client, admin_client, ships, draft, django_user_model):
    """Who made a change, and a draft's words, never reach the log or a feed."""
    staff = django_user_model.objects.create_superuser("quillwright", "quill@example.org", "x")
    admin_client.force_login(staff)
    edit_activity(admin_client, ships, status="ongoing", summary="Public words.")
    edit_activity(admin_client, draft, summary="More secret words.")
    pages = [
        "/changes/",
        "/changes/feed/",
        "/cooperation/feed/",
        "/organisations/feed/",
        "/organisations/iom/feed/",
        "/areas/return/feed/",
        f"/changes/?record=cooperation/{SHIPS}",
    ]
    for url in pages:
        text = body(client.get(url))
        for secret in (DRAFT_TITLE, "secret words", "Words nobody", "quill", "alice@", "secret-draft"):
            assert secret not in text, (url, secret)


def test_the_first_edit_of_a_record_from_the_fixtures_is_compared_with_what_was_stored(client, admin_client, ships):
    """Fixture records have no history; their first edit still says what changed."""
    assert not ships.history.exists()

    edit_activity(admin_client, ships, priority="major")

    assert entries(client) == [(f"Changed: {ships.title}", ["Priority: Normal → Major priority"])]


def test_a_save_that_changes_nothing_public_writes_nothing(client, admin_client, ships):
    edit_activity(admin_client, ships)
    assert entries(client) == []


def test_each_save_is_an_entry_of_its_own(client, ships, admin_client):
    iom = Organisation.objects.get(slug="iom")
    unodc = Organisation.objects.get(slug="unodc")
    edit_activity(admin_client, ships, partners=[iom.pk])
    edit_activity(admin_client, ships, partners=[unodc.pk])

    assert entries(client) == [
        (f"Changed: {ships.title}", ["Partner organisations: + UNODC, − IOM"]),
        (f"Changed: {ships.title}", ["Partner organisations: + IOM, − IMO"]),
    ]


def test_the_log_is_newest_first_and_paginated_without_counting_everything(client, registry):
    iom = Organisation.objects.get(slug="iom")
    for number in range(26):
        Agreement.objects.create(
            title=f"Agreement {number:02d}", organisation=iom, kind="other", status="in-force", is_published=True
        )

    first = client.get("/changes/")
    second = client.get("/changes/?page=2")

    assert [e.title for e in first.context["entries"]] == [f"Agreement {n:02d}" for n in range(25, 0, -1)]
    assert [e.title for e in second.context["entries"]] == ["Agreement 00"]
    assert 'href="?page=2" rel="next">Older changes' in body(first)
    assert 'href="?page=1" rel="prev">‹ Newer changes' in body(second)
    assert client.get("/changes/?page=3").status_code == 404


def test_changes_within_one_request_net_out():
    """What one request changes and changes back is no change; a list's moves add up."""
    first = [
        {"field": "status", "before": "planned", "after": "ongoing"},
        {"field": "partners", "added": [1], "removed": [2]},
    ]
    second = [
        {"field": "status", "before": "ongoing", "after": "planned"},
        {"field": "partners", "added": [3], "removed": [1]},
    ]

    assert merge_fields(CooperationActivity, first, second) == [{"field": "partners", "added": [3], "removed": [2]}]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=first", "page"),
        ("page=0", "page"),
        ("page=1&page=2", "page"),
        ("record=nothing", "record"),
        ("record=organisations/no-such-organisation", "record"),
        ("record=agreements/abc", "record"),
        ("record=agreements/99999999999999999999", "record"),
        ("record=cooperation/a%00b", "record"),
        ("record=organisations/iom&record=organisations/who", "record"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, registry, query, parameter):
    response = client.get(f"/changes/?{query}")
    assert response.status_code == 400
    assert f"<code>{parameter}</code>" in body(response)


def test_the_change_feed_has_an_entry_per_change_with_its_lines(client, admin_client, ships):
    edit_activity(admin_client, ships, status="ongoing")

    feed = feedparser.parse(client.get("/changes/feed/").content)

    assert not feed.bozo
    [entry] = feed.entries
    assert entry.title == f"Changed: {ships.title}"
    assert entry.link == f"http://testserver{ships.get_absolute_url()}"
    assert "Status: Planned → Ongoing" in entry.summary
    assert entry.id.startswith("tag:testserver,")


def test_records_from_the_fixtures_are_dated_by_their_own_times(registry):
    ships = CooperationActivity.objects.get(slug=SHIPS)
    assert ships.published_at == ships.created_at
    assert ships.public_changed_at == ships.updated_at
    assert not PublicChange.objects.exists()


def test_loading_the_fixtures_again_keeps_the_public_dates(admin_client, ships):
    edit_activity(admin_client, ships, status="ongoing")
    call_command("loaddata", "fixtures/registry.json", verbosity=0)
    ships.refresh_from_db()
    assert ships.status == "planned"
    assert ships.public_changed_at is not None


def test_sample_data_comes_with_public_dates_and_entries(registry):
    call_command("generate_sample_data", organisations=5, agreements=10, activities=30, seed=3, verbosity=0)

    for model, field in ((Organisation, "organisation"), (Agreement, "agreement"), (CooperationActivity, "activity")):
        generated = model.objects.filter(public_changes__isnull=False).distinct()
        assert not model.objects.filter(is_published=False, published_at__isnull=False).exists()
        assert set(generated.values_list("pk", flat=True)) == set(
            model.objects.filter(is_published=True, created_at__gt=ships_time()).values_list("pk", flat=True)
        ), field


LONG_AGO = timezone.make_aware(datetime.datetime(2020, 1, 15, 12, 0))


def last_changed_on_everywhere(client, url, api_url, slug):
    """``last_changed_on`` of one record in the register's or vocabulary's JSON and CSV
    downloads and in the API, which must agree."""
    json_rows = json.loads(body(client.get(url.format(fmt="json"))))
    csv_rows = csv.DictReader(io.StringIO(body(client.get(url.format(fmt="csv"))).lstrip("\ufeff")))
    in_json = next(row["last_changed_on"] for row in json_rows if row["slug"] == slug)
    in_csv = next(row["last_changed_on"] for row in csv_rows if row["slug"] == slug)
    in_api = json.loads(body(client.get(api_url)))["last_changed_on"]
    assert in_json == in_csv == in_api
    return in_api


def test_last_changed_on_in_downloads_and_the_api_is_the_last_public_change(client, admin_client, registry):
    """Saves that change nothing the public sees (a save with no public change, a draft area
    listed, a draft source cited, a draft activity naming it as partner) leave the date; a
    public change moves it to today."""
    iom = Organisation.objects.get(slug="iom")
    Organisation._base_manager.filter(pk=iom.pk).update(public_changed_at=LONG_AGO)
    where = ("/organisations/?format={fmt}", "/api/v1/organisations/iom/", "iom")
    assert last_changed_on_everywhere(client, *where) == "2020-01-15"

    iom.refresh_from_db()
    response = admin_client.post(change_url(iom), organisation_form(iom))  # saved unchanged
    assert response.status_code == 302
    iom.refresh_from_db()
    iom.save()  # record keeping only: the change time and the version move
    assert (timezone.localdate(iom.updated_at), iom.version) == (timezone.localdate(), 2)
    iom.areas.add(CooperationArea.objects.create(name="Draft area", slug="draft-area"))
    Citation.objects.create(
        organisation=iom, passage="Words.", source=SourceDocument.objects.create(title="Memo", slug="memo")
    )
    draft = CooperationActivity.objects.create(title="Draft work", slug="draft-work", is_published=False)
    draft.partners.add(iom)
    draft.summary = "Edited while a draft."
    draft.save()
    assert last_changed_on_everywhere(client, *where) == "2020-01-15"

    iom.refresh_from_db()
    response = admin_client.post(change_url(iom), organisation_form(iom, summary="A new public summary."))
    assert response.status_code == 302
    assert last_changed_on_everywhere(client, *where) == timezone.localdate().isoformat()


def test_an_areas_last_changed_on_moves_with_its_public_fields_only(client, registry):
    area = CooperationArea.objects.get(slug="return")
    CooperationArea._base_manager.filter(pk=area.pk).update(public_changed_at=LONG_AGO)
    where = ("/data/areas.{fmt}", "/api/v1/areas/return/", "return")
    area.refresh_from_db()
    area.save()  # nothing changed
    Organisation.objects.create(
        name="Draft body", acronym="DRB", slug="drb", kind="un-system", relationship="active", is_published=False
    ).areas.add(area)
    assert last_changed_on_everywhere(client, *where) == "2020-01-15"

    area.refresh_from_db()
    area.description = "A new public description."
    area.save()
    assert last_changed_on_everywhere(client, *where) == timezone.localdate().isoformat()


def ships_time():
    return CooperationActivity.objects.get(slug=SHIPS).created_at


# Citations, dated facts, and the publication of sources, areas and regions -----------------


@pytest.fixture
def draft_source(registry):
    return SourceDocument.objects.create(title="An internal memo not yet cleared", slug="internal-memo")


@pytest.fixture
def source(registry):
    return SourceDocument.objects.get(slug="maoc-who-we-are")


def test_a_citation_added_to_a_published_record_is_a_change_of_that_record(client, ships, source):
    before = ships.public_changed_at
    Citation.objects.create(source=source, passage="Quoted words.", activity=ships)

    ships.refresh_from_db()
    assert ships.public_changed_at > before
    assert entries(client) == [(f"Changed: {ships.title}", [f"Sources cited: + {source.title}"])]
    feed = feedparser.parse(client.get("/changes/feed/").content)
    assert [entry.title for entry in feed.entries] == [f"Changed: {ships.title}"]


def test_a_revised_and_a_removed_citation_are_changes_of_the_record(client, ships, source):
    citation = Citation.objects.create(source=source, passage="Quoted words.", activity=ships)
    citation.passage = "Quoted words, corrected."
    citation.save()
    citation.delete()

    assert entries(client) == [
        (f"Changed: {ships.title}", [f"Sources cited: − {source.title}"]),
        (f"Changed: {ships.title}", [f"Sources cited: revised {source.title}"]),
        (f"Changed: {ships.title}", [f"Sources cited: + {source.title}"]),
    ]


def test_a_draft_sources_citation_is_in_no_entry_and_no_feed_until_the_source_is_published(
    client, ships, draft_source
):
    before = ships.public_changed_at
    citation = Citation.objects.create(source=draft_source, passage="Secret words.", activity=ships)
    citation.passage = "Secret words, revised."
    citation.save()

    ships.refresh_from_db()
    assert ships.public_changed_at == before
    assert entries(client) == []
    for url in ("/changes/feed/", "/cooperation/feed/", f"/changes/?record=cooperation/{SHIPS}"):
        assert draft_source.title not in body(client.get(url))

    draft_source.is_published = True
    draft_source.save()

    draft_source.refresh_from_db()
    ships.refresh_from_db()
    assert draft_source.published_at == draft_source.public_changed_at == ships.public_changed_at
    assert entries(client) == [(f"Changed: {ships.title}", [f"Sources cited: + {draft_source.title}"])]

    draft_source.is_published = False
    draft_source.save()

    draft_source.refresh_from_db()
    assert draft_source.published_at is None
    assert entries(client) == []
    assert draft_source.title not in body(client.get("/changes/feed/"))


def test_a_citation_of_a_dated_fact_is_a_change_of_the_facts_records(client, registry, source):
    fact = DatedFact.objects.filter(organisations__is_published=True).first()
    organisation = fact.organisations.get()
    Citation.objects.create(source=source, passage="Quoted words.", dated_fact=fact)

    assert entries(client) == [
        (f"Changed: {organisation.name} ({organisation.acronym})", [f"Sources cited: + {source.title}"])
    ]


def test_a_dated_fact_added_to_a_published_record_is_a_change_of_it(client, ships):
    fact = DatedFact.objects.create(slug="ships-launched", date="2024-05-01", statement="Work began.", activity=ships)
    assert entries(client) == [(f"Changed: {ships.title}", ["Dated facts: + Work began."])]
    fact.statement = "Work began in earnest."
    fact.save()
    assert entries(client)[0] == (f"Changed: {ships.title}", ["Dated facts: revised Work began in earnest."])


def test_publishing_an_area_is_a_change_of_the_records_that_list_it_and_dates_the_area(client, ships):
    area = CooperationArea.objects.create(name="Drafted area", slug="drafted-area", display_order=200)
    ships.areas.add(area)
    assert entries(client) == []  # a draft area is named nowhere

    area.is_published = True
    area.save()

    area.refresh_from_db()
    ships.refresh_from_db()
    assert area.published_at == ships.public_changed_at
    assert entries(client) == [(f"Changed: {ships.title}", ["Areas: + Drafted area"])]

    area.is_published = False
    area.save()
    assert entries(client) == []
    area.refresh_from_db()
    assert area.published_at is None and area.public_changed_at is None


def test_publishing_a_region_is_a_change_of_the_activities_in_it(client, ships):
    region = Region.objects.create(name="Drafted region", slug="drafted-region")
    ships.regions.add(region)
    region.is_published = True
    region.save()

    assert entries(client) == [(f"Changed: {ships.title}", ["Regions: + Drafted region"])]


def test_a_draft_area_is_neither_a_feed_nor_a_feed_category(client, ships):
    area = CooperationArea.objects.create(name="Drafted area", slug="drafted-area", display_order=200)
    ships.areas.add(area)
    assert client.get("/areas/drafted-area/feed/").status_code == 404
    assert "Drafted area" not in body(client.get("/cooperation/feed/"))


def test_a_citation_added_in_the_same_save_as_a_field_change_is_part_of_the_same_entry(
    client, admin_client, ships, source
):
    edit_activity(
        admin_client,
        ships,
        status="ongoing",
        **{
            "citations-TOTAL_FORMS": 1,
            "citations-0-source": source.pk,
            "citations-0-passage": "Quoted words.",
            "citations-0-position": 5,
        },
    )

    assert ships.citations.filter(source=source).exists()
    assert entries(client) == [
        (f"Changed: {ships.title}", ["Status: Planned → Ongoing", f"Sources cited: + {source.title}"])
    ]


def test_publishing_a_source_in_the_admin_names_it_on_the_records_that_cite_it(
    client, admin_client, ships, draft_source
):
    Citation.objects.create(source=draft_source, passage="Quoted words.", activity=ships)
    assert entries(client) == []

    publish(admin_client, draft_source)

    assert entries(client) == [(f"Changed: {ships.title}", [f"Sources cited: + {draft_source.title}"])]
    assert draft_source.published_at is not None

    publish(admin_client, draft_source, False)

    assert entries(client) == []
    assert draft_source.title not in body(client.get("/changes/feed/"))


@pytest.mark.parametrize("model, slug", [(CooperationArea, "return"), (SourceDocument, "maoc-who-we-are")])
def test_area_and_source_pages_say_when_they_last_changed_in_public(client, registry, model, slug):
    """The date alone: the change log has entries of records, not of areas or sources."""
    record = model.objects.get(slug=slug)
    model._base_manager.filter(pk=record.pk).update(
        public_changed_at=datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC)
    )
    page = body(client.get(record.get_absolute_url()))
    # 23:30 UTC is already the next day in the site's time zone (Europe/Warsaw).
    assert '<p class="last-change">Last changed on <time datetime="2026-03-05">5 March 2026</time>.</p>' in page

    record.refresh_from_db()
    if model is CooperationArea:
        record.description += " Revised."
    else:
        record.publisher += " (revised)"
    record.save()
    today = timezone.localdate()
    page = body(client.get(record.get_absolute_url()))
    assert f'Last changed on <time datetime="{today:%Y-%m-%d}">{today:%-d %B %Y}</time>.' in page
