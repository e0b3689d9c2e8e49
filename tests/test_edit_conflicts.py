"""No lost edits: of two overlapping edits of a record, the second is refused, never silently
applied over the first — in the model, and in the admin with what the editor typed kept."""

import threading

import pytest
from django import forms
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse

from partnerships.admin import OrganisationAdmin
from partnerships.models import Agreement, CooperationArea, EditConflict, Organisation

from .databases import postgres_only


def admin_url(model, action, *args):
    return reverse(f"admin:partnerships_{model._meta.model_name}_{action}", args=args)


def submitted(form):
    """The POST data of a form sent back as the page showed it."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = "" if value is None else value
    return data


def open_change_form(client, record):
    """An editor opens the record's change page: the data its Save button would send untouched."""
    response = client.get(admin_url(type(record), "change", record.pk))
    assert response.status_code == 200
    data = submitted(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(submitted(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(submitted(form))
    return data


def someone_else_saves(record, **changes):
    """Another editor, with a copy of their own, saves a change."""
    copy = type(record).objects.get(pk=record.pk)
    for field, value in changes.items():
        setattr(copy, field, value)
    copy.save()
    return copy


@pytest.fixture
def who(registry):
    return Organisation.objects.get(slug="who")


@pytest.fixture
def agreement(who):
    return Agreement.objects.create(
        title="Exchange of letters with WHO", organisation=who, kind="other", status="in-force"
    )


# The model: every save checks and moves the version.


@pytest.mark.django_db
def test_records_start_at_version_one_and_each_save_moves_it_on():
    area = CooperationArea.objects.create(name="Return", slug="return")
    assert area.version == 1
    area.description = "Return-related activities."
    area.save()
    area.save(update_fields=["description"])
    area.refresh_from_db()
    assert area.version == 3


def test_a_save_from_an_outdated_copy_is_refused_and_changes_nothing(who):
    outdated = Organisation.objects.get(pk=who.pk)
    someone_else_saves(who, summary="Their summary.")

    outdated.summary = "My summary."
    with pytest.raises(EditConflict, match="changed or deleted by someone else"):
        outdated.save()

    who.refresh_from_db()
    assert (who.summary, who.version) == ("Their summary.", 2)


def test_a_save_that_fails_leaves_the_copy_at_the_version_it_had(who):
    """So that it can be corrected and saved again."""
    who.parent_id = who.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        who.save()
    assert who.version == 1
    who.parent_id = None
    who.save()
    who.refresh_from_db()
    assert who.version == 2


def test_saving_a_record_someone_else_deleted_is_refused_instead_of_recreating_it(agreement):
    outdated = Agreement.objects.get(pk=agreement.pk)
    agreement.delete()
    outdated.title = "Renamed"
    with pytest.raises(EditConflict):
        outdated.save()
    assert not Agreement.objects.exists()


def test_the_fixtures_load_at_version_one_and_loading_them_again_keeps_it(registry):
    call_command("loaddata", "fixtures/registry.json", verbosity=0)
    assert set(Organisation.objects.values_list("version", flat=True)) == {1}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_saves_from_the_same_version_exactly_one_wins(registry):
    """Two servers saving the same record at the same instant: the conditional UPDATE lets one
    through and makes the other wait, then find the version moved on."""
    pk = Organisation.objects.get(slug="who").pk
    both_loaded = threading.Barrier(2)
    outcomes = []

    def edit(summary):
        try:
            copy = Organisation.objects.get(pk=pk)
            both_loaded.wait(timeout=10)
            copy.summary = summary
            copy.save()
            outcomes.append(("saved", summary))
        except EditConflict:
            outcomes.append(("refused", summary))
        finally:
            connection.close()

    editors = [threading.Thread(target=edit, args=(summary,)) for summary in ("First.", "Second.")]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join(timeout=30)

    assert sorted(outcome for outcome, _ in outcomes) == ["refused", "saved"]
    winner = next(summary for outcome, summary in outcomes if outcome == "saved")
    who = Organisation.objects.get(pk=pk)
    assert (who.summary, who.version) == (winner, 2)


# The admin: the version travels in the form.


def test_the_change_form_carries_the_version_in_a_hidden_input(admin_client, agreement):
    someone_else_saves(agreement, status="expired")
    response = admin_client.get(admin_url(Organisation, "change", agreement.organisation.pk))
    content = response.content.decode()
    assert '<input type="hidden" name="version" value="1"' in content
    assert '<input type="hidden" name="agreements-0-version" value="2"' in content


def test_saving_an_up_to_date_form_applies_the_change_and_moves_the_version_on(admin_client, who):
    data = open_change_form(admin_client, who)
    data["summary"] = "Exploring cooperation on health at the borders."
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    who.refresh_from_db()
    assert (who.summary, who.version) == ("Exploring cooperation on health at the borders.", 2)


def test_a_clash_is_refused_and_shows_their_value_beside_the_editors(admin_client, who):
    data = open_change_form(admin_client, who)
    someone_else_saves(who, summary="Their summary.", relationship="structured")

    data["summary"] = "My summary, typed at length."
    data["relationship"] = "active"
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this organisation" in content
    assert "Nothing has been saved" in content
    form = response.context["adminform"].form
    assert [(c["label"], c["theirs"], c["mine"]) for c in form.conflict] == [
        ("Relationship", "Long-standing structured cooperation", "Cooperation in specific fields"),
        ("Summary", "Their summary.", "My summary, typed at length."),
    ]
    assert "<td>My summary, typed at length.</td>" in content
    who.refresh_from_db()
    assert (who.summary, who.relationship, who.version) == ("Their summary.", "structured", 2)


def test_after_a_clash_the_form_starts_again_from_the_current_record_keeping_the_editors_other_changes(
    admin_client, who
):
    data = open_change_form(admin_client, who)
    someone_else_saves(who, summary="Their summary.", headquarters_city="Their city")

    data["summary"] = "My summary."
    data["website"] = "https://www.who.int/borders"
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)
    form = response.context["adminform"].form
    assert [c["field"] for c in form.conflict] == ["summary"]
    assert form["summary"].value() == "Their summary."  # the clash: theirs stays in the form
    assert form["headquarters_city"].value() == "Their city"  # their other change
    assert form["website"].value() == "https://www.who.int/borders"  # the editor's other change
    assert form["version"].value() == "2"

    # Saved again as it stands, the form overwrites nothing of theirs and keeps the editor's change.
    again = {name: form[name].value() for name in ("version", "original")}
    data.update(summary="Their summary.", headquarters_city="Their city", **again)
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)
    assert response.status_code == 302
    who.refresh_from_db()
    assert (who.summary, who.headquarters_city, who.website, who.version) == (
        "Their summary.",
        "Their city",
        "https://www.who.int/borders",
        3,
    )


def test_saves_that_change_different_fields_merge(admin_client, who, registry):
    data = open_change_form(admin_client, who)
    someone_else_saves(who, summary="Their summary.")
    return_area = CooperationArea.objects.get(slug="return")

    data["headquarters_city"] = "Geneva"
    data["areas"] = [*data["areas"], str(return_area.pk)]
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)

    assert response.status_code == 302
    who.refresh_from_db()
    assert (who.summary, who.headquarters_city, who.version) == ("Their summary.", "Geneva", 3)
    assert return_area in who.areas.all()


def test_a_form_that_carries_no_version_is_refused(admin_client, who):
    """A page opened before versions existed (say, during the release that added them)."""
    data = open_change_form(admin_client, who)
    del data["version"]
    data["summary"] = "My summary."
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)
    assert response.status_code == 200
    assert "Someone else changed this organisation" in response.content.decode()
    who.refresh_from_db()
    assert who.summary != "My summary."


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_save_landing_between_the_form_check_and_the_update_is_refused_on_the_form(admin_client, who, monkeypatch):
    """The form's check passed, then another server committed a save of the record before this
    one's UPDATE: the editor gets the same refusal and form, not a server error. (PostgreSQL
    only: the other server's write needs a second connection, which SQLite's in-memory test
    database would lock out.)"""
    save_model = OrganisationAdmin.save_model

    def another_server_saves():
        Organisation.objects.filter(pk=who.pk).update(summary="Their summary.", version=F("version") + 1)
        connection.close()

    def save_model_just_after_another_server(self, request, obj, form, change):
        other = threading.Thread(target=another_server_saves)
        other.start()
        other.join(timeout=30)
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(OrganisationAdmin, "save_model", save_model_just_after_another_server)
    data = open_change_form(admin_client, who)
    data["summary"] = "My summary."
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)

    assert response.status_code == 200
    assert "Someone else changed this organisation" in response.content.decode()
    assert response.context["adminform"].form.conflict[0]["mine"] == "My summary."
    who.refresh_from_db()
    assert (who.summary, who.version) == ("Their summary.", 2)


def test_an_agreement_row_edited_elsewhere_meanwhile_merges_with_the_change_made_in_the_inline(
    admin_client, agreement
):
    organisation = agreement.organisation
    data = open_change_form(admin_client, organisation)
    someone_else_saves(agreement, status="expired")

    data["agreements-0-title"] = "My title"
    response = admin_client.post(admin_url(Organisation, "change", organisation.pk), data)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title, agreement.status, agreement.version) == ("My title", "expired", 3)


def test_an_agreement_row_changed_in_the_inline_and_elsewhere_alike_is_a_clash(admin_client, agreement):
    organisation = agreement.organisation
    data = open_change_form(admin_client, organisation)
    someone_else_saves(agreement, title="Their title")

    data["agreements-0-title"] = "My title"
    response = admin_client.post(admin_url(Organisation, "change", organisation.pk), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this agreement" in content
    assert "<td>Their title</td><td>My title</td>" in content
    agreement.refresh_from_db()
    assert agreement.title == "Their title"


def test_an_agreement_edited_elsewhere_does_not_make_the_organisation_form_stale(admin_client, agreement):
    """The untouched row keeps the other person's values and is not saved again."""
    organisation = agreement.organisation
    data = open_change_form(admin_client, organisation)
    someone_else_saves(agreement, status="expired")

    data["summary"] = "My summary."
    response = admin_client.post(admin_url(Organisation, "change", organisation.pk), data)

    assert response.status_code == 302
    organisation.refresh_from_db()
    agreement.refresh_from_db()
    assert organisation.summary == "My summary."
    assert (agreement.status, agreement.version) == ("expired", 2)


def test_editing_an_agreement_inline_does_not_make_an_open_organisation_form_stale(admin_client, agreement):
    """Saving only an inline row leaves the organisation itself, and its version, as they were."""
    organisation = agreement.organisation
    other_editor = open_change_form(admin_client, organisation)
    data = open_change_form(admin_client, organisation)
    data["agreements-0-title"] = "Renamed inline"
    assert admin_client.post(admin_url(Organisation, "change", organisation.pk), data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.version == 1

    other_editor["summary"] = "Their summary."
    assert admin_client.post(admin_url(Organisation, "change", organisation.pk), other_editor).status_code == 302
    organisation.refresh_from_db()
    agreement.refresh_from_db()
    assert (organisation.summary, agreement.title) == ("Their summary.", "Renamed inline")


def test_adding_an_agreement_in_the_inline_still_works(admin_client, who):
    data = open_change_form(admin_client, who)
    data.update(
        {
            "agreements-TOTAL_FORMS": "1",
            "agreements-0-title": "Letter of intent with WHO",
            "agreements-0-kind": "letter-of-intent",
            "agreements-0-status": "under-negotiation",
            # A row added with the "Add another" button, from the blank template row.
            "agreements-0-version": "",
        }
    )
    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)
    assert response.status_code == 302
    assert list(who.agreements.values_list("title", "version")) == [("Letter of intent with WHO", 1)]


def test_a_record_added_on_the_add_page_starts_at_version_one(admin_client, registry):
    response = admin_client.post(
        admin_url(CooperationArea, "add"),
        {"name": "Search and rescue", "slug": "search-and-rescue", "display_order": 150, "version": ""},
    )
    assert response.status_code == 302
    assert CooperationArea.objects.get(slug="search-and-rescue").version == 1


def test_publishing_from_the_list_moves_the_version_on_so_an_open_form_cannot_undo_it(admin_client, who):
    data = open_change_form(admin_client, who)
    admin_client.post(admin_url(Organisation, "changelist"), {"action": "unpublish", "_selected_action": [who.pk]})
    who.refresh_from_db()
    assert (who.is_published, who.version) == (False, 2)

    response = admin_client.post(admin_url(Organisation, "change", who.pk), data)
    assert response.status_code == 302  # merged: the editor did not touch the flag
    who.refresh_from_db()
    assert not who.is_published
