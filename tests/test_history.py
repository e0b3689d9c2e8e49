"""Edit history: who created and who last changed each record, and what each change was."""

import datetime
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone

from partnerships.models import Agreement, CooperationActivity, CooperationArea, Organisation, Region, SourceDocument

from .admin_forms import empty_inlines, organisation_form

HISTORY_MODELS = [CooperationArea, Region, SourceDocument, Organisation, CooperationActivity]


def change_url(organisation):
    return reverse("admin:partnerships_organisation_change", args=[organisation.pk])


def history_url(organisation):
    return reverse("admin:partnerships_organisation_history", args=[organisation.pk])


@pytest.fixture
def created_by_erin(client, editor):
    """An organisation an editor added in the admin."""
    client.force_login(editor)
    response = client.post(
        reverse("admin:partnerships_organisation_add"),
        {
            "name": "Example Organisation",
            "acronym": "EXO",
            "slug": "exo",
            "kind": "intergovernmental",
            "relationship": "exploring",
            "summary": "First words.",
            **empty_inlines("organisation"),
        },
    )
    assert response.status_code == 302
    client.logout()
    return Organisation.objects.get(slug="exo")


def test_loading_the_fixtures_writes_no_history(registry):
    for model in HISTORY_MODELS:
        assert not model.history.exists(), model


def test_the_admin_shows_who_created_and_who_last_changed_a_record(client, created_by_erin, superuser):
    client.force_login(superuser)
    client.post(change_url(created_by_erin), organisation_form(created_by_erin, summary="Second words."))

    page = client.get(change_url(created_by_erin))
    assert '<div class="readonly">erin</div>' in page.content.decode()  # created by
    assert '<div class="readonly">alice</div>' in page.content.decode()  # last changed by

    changelist = client.get(reverse("admin:partnerships_organisation_changelist"))
    [row] = changelist.context["cl"].result_list
    assert (row.created_by_name, row.last_changed_by_name) == ("erin", "alice")


def test_records_from_the_fixtures_name_no_author(admin_client, registry):
    changelist = admin_client.get(reverse("admin:partnerships_organisation_changelist"))
    assert {(o.created_by_name, o.last_changed_by_name) for o in changelist.context["cl"].result_list} == {
        (None, None)
    }


def test_one_save_is_one_history_entry_with_its_links_and_readable_labels(
    client, created_by_erin, superuser, registry
):
    client.force_login(superuser)
    areas = CooperationArea.objects.filter(slug__in=["return", "terrorism"])
    client.post(
        change_url(created_by_erin),
        organisation_form(
            created_by_erin,
            summary="Second words.",
            relationship="structured",
            is_published="on",
            areas=[area.pk for area in areas],
        ),
    )

    response = client.get(history_url(created_by_erin))

    assert response.status_code == 200
    records = list(response.context["page_obj"])
    assert [(r.history_type, r.history_user.username) for r in records] == [("~", "alice"), ("+", "erin")]
    newest, created = records
    assert newest.readable_changes == [
        {"field": "Relationship", "old": "Cooperation being explored", "new": "Long-standing structured cooperation"},
        {"field": "Summary", "old": "First words.", "new": "Second words."},
        {"field": "Published", "old": "no", "new": "yes"},
        {"field": "Areas", "old": "(empty)", "new": "Return, Terrorism"},
    ]
    assert created.what_happened == "Created"
    page = response.content.decode()
    assert "<strong>Published:</strong> no → yes" in page
    # Minutes, in the site's time zone (Warsaw).
    assert newest.local_time == formats.date_format(timezone.localtime(newest.history_date), "j F Y, H:i")
    assert re.search(r">\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}</a>", page)
    assert "None" not in page.split('id="change-history"')[1]


def test_choices_read_as_their_labels_in_the_history(client, registry, superuser):
    agreement = Agreement.objects.create(
        title="Letter", organisation=Organisation.objects.get(slug="iom"), kind="other", status="expired"
    )
    client.force_login(superuser)
    client.post(
        reverse("admin:partnerships_agreement_changelist"), {"action": "publish", "_selected_action": [agreement.pk]}
    )
    agreement.refresh_from_db()
    agreement.status = "in-force"
    agreement.save()

    response = client.get(reverse("admin:partnerships_agreement_history", args=[agreement.pk]))

    newest, published, _ = response.context["page_obj"]
    assert newest.readable_changes == [{"field": "Status", "old": "Expired", "new": "In force"}]
    assert published.readable_changes == [{"field": "Published", "old": "no", "new": "yes"}]


def test_a_past_version_compares_with_the_current_one(client, created_by_erin, superuser):
    client.force_login(superuser)
    client.post(change_url(created_by_erin), organisation_form(created_by_erin, summary="Second words."))
    first = created_by_erin.history.earliest()

    response = client.get(
        reverse("admin:partnerships_organisation_history_compare", args=[created_by_erin.pk, first.history_id])
    )

    assert response.status_code == 200
    rows = {row["field"]: row for row in response.context["rows"]}
    assert (rows["Summary"]["then"], rows["Summary"]["now"], rows["Summary"]["differs"]) == (
        "First words.",
        "Second words.",
        True,
    )
    assert not rows["Name"]["differs"]
    assert response.context["differences"] == 1
    assert "1 field differs" in response.content.decode()


def test_publishing_by_action_enters_the_history(client, created_by_erin, editor):
    client.force_login(editor)

    client.post(
        reverse("admin:partnerships_organisation_changelist"),
        {"action": "publish", "_selected_action": [created_by_erin.pk]},
    )

    latest = created_by_erin.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.is_published) == (editor, "Published", True)


def test_a_viewer_reads_the_history_but_cannot_revert_from_it(client, created_by_erin, viewer, editor):
    client.force_login(editor)
    client.post(change_url(created_by_erin), organisation_form(created_by_erin, summary="Second words."))
    first_version = created_by_erin.history.earliest()
    version_url = reverse(
        "admin:partnerships_organisation_simple_history", args=[created_by_erin.pk, first_version.history_id]
    )
    client.force_login(viewer)

    assert client.get(history_url(created_by_erin)).status_code == 200
    assert client.get(version_url).status_code == 200
    assert client.post(version_url, {}).status_code == 403
    created_by_erin.refresh_from_db()
    assert created_by_erin.summary == "Second words."


def test_nobody_reverts_from_the_history(client, created_by_erin, superuser):
    """Reverting would put back an old publication state, whoever may publish."""
    client.force_login(superuser)
    version = created_by_erin.history.earliest()
    version_url = reverse(
        "admin:partnerships_organisation_simple_history", args=[created_by_erin.pk, version.history_id]
    )

    assert client.post(version_url, organisation_form(created_by_erin, summary="Reverted")).status_code == 403
    created_by_erin.refresh_from_db()
    assert created_by_erin.summary == "First words."


def test_last_changed_on_is_the_local_date_of_the_last_change(db):
    area = CooperationArea.objects.create(name="Return", slug="return")
    # 23:30 UTC on 1 March is already 2 March in Warsaw.
    CooperationArea.objects.filter(pk=area.pk).update(
        updated_at=datetime.datetime(2025, 3, 1, 23, 30, tzinfo=datetime.UTC)
    )
    area.refresh_from_db()
    assert area.last_changed_on == datetime.date(2025, 3, 2)


def test_a_dump_with_history_loads_back(client, created_by_erin, superuser, tmp_path):
    """dumpdata of the app includes the history tables; the dump must load back unchanged."""
    client.force_login(superuser)
    client.post(change_url(created_by_erin), organisation_form(created_by_erin, summary="Second words."))
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "partnerships", natural_foreign=True, natural_primary=True, output=str(dump))
    models = {record["model"] for record in json.loads(dump.read_text())}
    assert {"partnerships.organisation", "partnerships.historicalorganisation"} <= models
    before = list(Organisation.history.values_list("history_id", "history_type", "summary", "history_user__username"))

    call_command("loaddata", str(dump), verbosity=0)

    assert (
        list(Organisation.history.values_list("history_id", "history_type", "summary", "history_user__username"))
        == before
    )


def test_an_agreement_added_on_the_organisation_form_records_its_author(client, created_by_erin, editor):
    """Inline records are saved outside the admin's save_model; the request middleware names their author."""
    client.force_login(editor)
    data = organisation_form(
        created_by_erin,
        **{
            "agreements-TOTAL_FORMS": 1,
            "agreements-0-title": "Letter of intent",
            "agreements-0-kind": "letter-of-intent",
            "agreements-0-status": "in-force",
        },
    )

    assert client.post(change_url(created_by_erin), data).status_code == 302

    [record] = Agreement.history.all()
    assert (record.title, record.history_type, record.history_user) == ("Letter of intent", "+", editor)


@pytest.mark.django_db
def test_a_link_changed_from_the_other_side_is_in_the_history_of_the_record_that_holds_it():
    """``organisation.dated_facts.clear()`` changes the dated facts' organisations: each fact
    gets its history entry, and the organisation (whose history does not hold the link) none."""
    from partnerships.provenance import DatedFact

    iom = Organisation.objects.create(
        name="International Organization for Migration", acronym="IOM", slug="iom", kind="un-system",
        relationship="active", is_published=True,
    )  # fmt: skip
    fact = DatedFact.objects.create(slug="launch", date=datetime.date(2022, 4, 1), statement="Launched.")
    iom.dated_facts.add(fact)
    before = (fact.history.count(), iom.history.count())
    iom.dated_facts.clear()
    assert (fact.history.count(), iom.history.count()) == (before[0] + 1, before[1])
    assert list(fact.history.first().organisations.values_list("organisation_id", flat=True)) == []
