"""Bulk import in the admin: a public download, edited and imported back, gives the same records
plus the edits; a preview names each row's errors before anything is saved; confirming saves all
rows or none; imported records are drafts unless a publisher asks; viewers cannot import."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships.models import Agreement, CooperationActivity, Organisation, RegistryVersion, SourceDocument
from partnerships.search.query import search

from .importing import (
    FORMAT_XLSX,
    NEW_ORGANISATION,
    as_csv,
    confirm,
    download,
    import_url,
    preview,
    row_errors,
    row_types,
)


@pytest.fixture
def change_only_user(db, django_user_model):
    """Staff who may add and change organisations but not publish them."""
    user = django_user_model.objects.create_user("carl", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_organisation", "add_organisation", "change_organisation"])
    )
    return user


def test_an_organisations_download_edited_and_imported_back_gives_the_same_records_plus_the_edit(
    client, registry, editor
):
    before = {
        o.slug: (o.name, o.summary, sorted(o.areas.values_list("slug", flat=True))) for o in Organisation.objects.all()
    }
    rows = download(client, "/organisations/")
    iom = next(row for row in rows if row["slug"] == "iom")
    iom["summary"] = "Edited in a spreadsheet."
    client.force_login(editor)

    response = preview(client, "organisation", as_csv(rows))

    assert response.status_code == 200
    assert sorted(row_types(response)) == ["skip"] * 9 + ["update"]
    page = response.content.decode()
    assert "0 new, 1 changed, 9 unchanged." in page
    assert '<td class="import-type">Changed</td>' in page
    assert Organisation.objects.get(slug="iom").summary != "Edited in a spreadsheet."  # nothing saved yet

    response = confirm(client, "organisation", response)
    assert response.status_code == 302
    after = {
        o.slug: (o.name, o.summary, sorted(o.areas.values_list("slug", flat=True))) for o in Organisation.objects.all()
    }
    before["iom"] = (before["iom"][0], "Edited in a spreadsheet.", before["iom"][2])
    assert after == before
    iom = Organisation.objects.get(slug="iom")
    assert iom.is_published  # an existing record keeps its state
    [entry] = iom.history.all()
    assert (entry.history_user, entry.history_change_reason, entry.summary) == (
        editor,
        "Imported",
        "Edited in a spreadsheet.",
    )


def test_activities_round_trip_with_their_citations(client, registry, editor):
    rows = download(client, "/cooperation/")
    rows[0]["source_passage"] = "A new passage."
    citations_before = CooperationActivity.objects.get(slug=rows[0]["slug"]).citations.count()
    client.force_login(editor)

    response = preview(client, "cooperationactivity", as_csv(rows))
    assert row_types(response).count("update") == 1
    assert confirm(client, "cooperationactivity", response).status_code == 302

    activity = CooperationActivity.objects.get(slug=rows[0]["slug"])
    first = activity.citations.filter(source__is_published=True).order_by("position", "pk").first()
    assert (first.source.slug, first.passage) == (rows[0]["source"], "A new passage.")
    assert activity.citations.count() == citations_before  # the first citation changed, none added
    [entry] = first.history.filter(history_type="~")
    assert (entry.history_user, entry.history_change_reason) == (editor, "Imported")
    assert sorted(activity.partners.values_list("slug", flat=True)) == sorted(rows[0]["partners"].split(";"))


def test_agreements_round_trip_with_the_edit(client, registry, editor):
    """The shipped data records no agreement: three are made here, one superseding another."""
    iom, unhcr = Organisation.objects.get(slug="iom"), Organisation.objects.get(slug="unhcr")
    old = Agreement.objects.create(
        title="First arrangement with IOM", organisation=iom, kind="working-arrangement", status="superseded",
        signed_on="2015-04-01", is_published=True,
    )  # fmt: skip
    new = Agreement.objects.create(
        title="Working arrangement with IOM", organisation=iom, kind="working-arrangement", status="in-force",
        signed_on="2024-05-02", supersedes=old, summary="Return and reintegration.", is_published=True,
    )  # fmt: skip
    new.areas.set(iom.areas.filter(slug__in=["return", "trafficking-in-human-beings"]))
    Agreement.objects.create(
        title="Memorandum with UNHCR", organisation=unhcr, kind="memorandum-of-understanding", status="in-force",
        signed_on="2020-10-10", document_url="https://example.org/mou.pdf", is_published=True,
    )  # fmt: skip

    def state():
        return {
            a.pk: (a.title, a.organisation.slug, a.kind, a.status, a.signed_on, a.expires_on, a.summary,
                   a.document_url, a.supersedes_id, sorted(a.areas.values_list("slug", flat=True)), a.is_published)
            for a in Agreement.objects.all()
        }  # fmt: skip

    before = state()
    rows = download(client, "/agreements/")
    assert sorted(int(row["id"]) for row in rows) == sorted(before)
    edited = next(row for row in rows if int(row["id"]) == new.pk)
    edited.update(status="expired", expires_on="2026-01-31", summary="Edited in a spreadsheet.")
    client.force_login(editor)

    response = preview(client, "agreement", as_csv(rows))

    assert response.status_code == 200, row_errors(response)
    assert sorted(row_types(response)) == ["skip", "skip", "update"]
    assert "0 new, 1 changed, 2 unchanged." in response.content.decode()
    assert state() == before  # nothing saved yet

    assert confirm(client, "agreement", response).status_code == 302
    before[new.pk] = (
        *before[new.pk][:3], "expired", before[new.pk][4], datetime.date(2026, 1, 31), "Edited in a spreadsheet.",
        *before[new.pk][7:],
    )  # fmt: skip
    assert state() == before
    [entry] = new.history.filter(history_user=editor)
    assert (entry.history_user, entry.history_change_reason, entry.status) == (editor, "Imported", "expired")
    downloaded = {int(row["id"]): row for row in download(client, "/agreements/")}
    assert (downloaded[new.pk]["status"], downloaded[new.pk]["summary"]) == ("expired", "Edited in a spreadsheet.")


def test_new_records_arrive_as_drafts_with_one_history_entry_each(client, registry, editor):
    content = (
        b"slug,acronym,name,kind,relationship,areas\n"
        b"emso,EMSO,Example Maritime Safety Organisation,intergovernmental,exploring,return;terrorism\n"
    )
    client.force_login(editor)
    response = preview(client, "organisation", content)
    assert row_types(response) == ["new"]
    assert confirm(client, "organisation", response).status_code == 302

    emso = Organisation.objects.get(slug="emso")
    assert not emso.is_published
    assert sorted(emso.areas.values_list("slug", flat=True)) == ["return", "terrorism"]
    assert [(h.history_type, h.history_user) for h in emso.history.all()] == [("+", editor)]
    [entry] = emso.history.all()
    assert sorted(entry.areas.values_list("cooperationarea__slug", flat=True)) == ["return", "terrorism"]


def test_a_publisher_who_asks_gets_the_imported_records_published(client, registry, editor):
    content = NEW_ORGANISATION
    client.force_login(editor)
    response = preview(client, "organisation", content, publish="on")
    assert confirm(client, "organisation", response).status_code == 302
    assert Organisation.objects.get(slug="emso").is_published


def test_an_editor_without_the_publish_permission_imports_drafts_even_when_asking(client, registry, change_only_user):
    content = NEW_ORGANISATION
    client.force_login(change_only_user)
    page = client.get(import_url("organisation"))
    assert "publish" not in page.context["form"].fields
    response = preview(client, "organisation", content, publish="on")
    assert confirm(client, "organisation", response).status_code == 302
    assert not Organisation.objects.get(slug="emso").is_published


def test_a_file_with_errors_is_refused_with_each_rows_message_and_nothing_is_saved(client, registry, editor):
    content = (
        b"slug,title,status,priority,partners,areas,starts_on,ends_on,source,source_passage\n"
        b"one,Unknown partner,planned,normal,iom;nobody,return,,,,\n"
        b"two,Bad choice,someday,normal,iom,return,,,,\n"
        b"three,Backwards,planned,normal,iom,return,2025-06-01,2025-05-01,,\n"
        b"four,Passage alone,planned,normal,iom,return,,,,Quoted words.\n"
        b"five,Fine,planned,normal,iom,return,,,,\n"
    )
    client.force_login(editor)

    response = preview(client, "cooperationactivity", content)

    assert "confirm_form" not in response.context
    errors = row_errors(response)
    assert errors[1] == {"partners": ["No organisation has the slug “nobody”."]}
    assert "Value 'someday' is not a valid choice." in errors[2]["status"]
    assert errors[3] == {"__all__": ["The planned end cannot be before the planned start."]}
    assert errors[4] == {"source": ["A quoted passage needs its source: name the source document's slug."]}
    assert 5 not in errors
    assert not CooperationActivity.objects.filter(slug__in=["one", "two", "three", "four", "five"]).exists()
    page = response.content.decode()
    assert "No organisation has the slug “nobody”." in page


def test_an_agreement_in_force_that_has_expired_is_an_error_of_its_row(client, registry, editor):
    content = b"id,title,organisation,kind,status,expires_on\n,Old,iom,other,in-force,2021-01-31\n"
    client.force_login(editor)
    response = preview(client, "agreement", content)
    assert row_errors(response) == {
        1: {"status": ["It expired on 31 January 2021: mark it expired, or correct the expiry date."]}
    }
    assert not Agreement.objects.exists()


def test_a_confirmed_import_that_fails_on_one_row_saves_none(client, registry, editor):
    """All rows in one transaction: here the second row's organisation is taken between the
    preview and the confirmation."""
    content = (
        b"slug,acronym,name,kind,relationship\n"
        b"emso,EMSO,Example Maritime Safety Organisation,intergovernmental,exploring\n"
        b"abc,ABC,Another Body,intergovernmental,exploring\n"
    )
    client.force_login(editor)
    response = preview(client, "organisation", content)
    Organisation.objects.create(
        name="Taken", acronym="abc", slug="taken", kind="intergovernmental", relationship="exploring"
    )

    response = confirm(client, "organisation", response)

    assert not Organisation.objects.filter(slug__in=["emso", "abc"]).exists()
    assert response["Location"] == import_url("organisation")
    [message] = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert message.startswith("Nothing was imported")
    assert "row 2: acronym: An organisation with this acronym (in any case) already exists." in message


def test_excel_files_import_too(client, registry, editor):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["slug", "acronym", "name", "kind", "relationship", "areas"])
    sheet.append(["emso", "EMSO", "Example Maritime Safety Organisation", "intergovernmental", "exploring", "return"])
    content = io.BytesIO()
    workbook.save(content)
    client.force_login(editor)

    response = preview(client, "organisation", content.getvalue(), name="upload.xlsx", fmt=FORMAT_XLSX)
    assert row_types(response) == ["new"]
    assert confirm(client, "organisation", response).status_code == 302
    assert Organisation.objects.get(slug="emso").areas.get().slug == "return"


@pytest.mark.parametrize("model_name", ["organisation", "agreement", "cooperationactivity"])
def test_viewers_cannot_import(client, registry, viewer, model_name):
    client.force_login(viewer)
    assert client.get(import_url(model_name)).status_code == 403
    content = b"slug,acronym,name,kind,relationship\nemso,EMSO,Example,intergovernmental,exploring\n"
    assert preview(client, model_name, content).status_code == 403
    assert not Organisation.objects.filter(slug="emso").exists()


def test_the_import_button_is_offered_to_editors_only(client, registry, editor, viewer):
    url = reverse("admin:partnerships_organisation_changelist")
    client.force_login(editor)
    assert import_url("organisation") in client.get(url).content.decode()
    client.force_login(viewer)
    assert import_url("organisation") not in client.get(url).content.decode()


def test_a_record_added_after_an_earlier_import_is_known_to_the_next(client, registry, editor):
    """Each import reads the related records afresh."""
    content = b"slug,acronym,name,kind,relationship,parent\nsub,SUB,Sub-body,institution,exploring,emso\n"
    client.force_login(editor)
    assert row_errors(preview(client, "organisation", content)) == {
        1: {"parent": ["No organisation has the slug “emso”."]}
    }
    response = preview(client, "organisation", NEW_ORGANISATION)
    confirm(client, "organisation", response)

    assert row_types(preview(client, "organisation", content)) == ["new"]


def test_publishing_by_import_is_refused_for_a_record_that_would_show_drafts(client, registry, editor):
    Organisation.objects.filter(slug="who").update(is_published=False)
    content = b"slug,title,status,priority,partners,areas\nnew-one,New one,planned,normal,iom;who,return\n"
    client.force_login(editor)

    response = preview(client, "cooperationactivity", content, publish="on")

    assert row_errors(response) == {
        1: {
            "is_published": [
                "Cannot be published: its public page would leave out what is still a draft: "
                "World Health Organization (WHO) (organisation). Publish them first, or import without publishing."
            ]
        }
    }
    assert row_types(preview(client, "cooperationactivity", content)) == ["new"]  # as a draft it may come in


def test_a_preview_leaves_the_registry_version_and_a_confirmed_import_changes_it(client, registry, editor):
    """Public pages are cached under the registry version: the import must change it, once."""
    client.force_login(editor)
    before = RegistryVersion.current()
    response = preview(client, "organisation", NEW_ORGANISATION)
    assert RegistryVersion.current() == before

    confirm(client, "organisation", response)

    assert RegistryVersion.current() != before


def test_a_new_activity_gets_its_citation_and_publishing_it_with_a_draft_source_is_refused(client, registry, editor):
    source = SourceDocument.objects.public().order_by("pk").first()
    SourceDocument.objects.create(title="Internal memo", slug="internal-memo")
    content = (
        "slug,title,status,priority,partners,source,source_passage\n"
        f"cited,Cited,planned,normal,iom,{source.slug},Quoted words.\n"
        "memo,From a memo,planned,normal,iom,internal-memo,Memo words.\n"
    ).encode()
    client.force_login(editor)

    response = preview(client, "cooperationactivity", content, publish="on")

    assert row_errors(response) == {
        2: {
            "is_published": [
                "Cannot be published: its public page would leave out what is still a draft: "
                "Internal memo (source document). Publish them first, or import without publishing."
            ]
        }
    }
    response = preview(client, "cooperationactivity", content)  # as drafts
    assert confirm(client, "cooperationactivity", response).status_code == 302
    [citation] = CooperationActivity.objects.get(slug="cited").citations.all()
    assert (citation.source, citation.passage) == (source, "Quoted words.")
    assert CooperationActivity.objects.get(slug="memo").citations.get().source.slug == "internal-memo"


def test_an_import_that_would_make_a_source_public_needs_its_publish_permission(client, registry, change_only_user):
    # A published source that no published record cites is not public yet: citing it from a
    # published organisation would show it, which takes the permission to publish sources.
    source = SourceDocument.objects.create(title="Uncited report", slug="uncited-report", is_published=True)
    assert source not in SourceDocument.objects.public()
    rows = [row for row in download(client, "/organisations/") if row["slug"] == "iom"]
    rows[0].update(source="uncited-report", source_passage="Words of the report.")
    client.force_login(change_only_user)

    response = preview(client, "organisation", as_csv(rows))

    assert "confirm_form" not in response.context
    [error] = [str(error.error) for error in response.context["result"].base_errors]
    assert error.startswith("Not saved: this change would make public “Uncited report”")
    assert not Organisation.objects.get(slug="iom").citations.filter(source=source).exists()
    assert source not in SourceDocument.objects.public()


def test_a_publisher_of_sources_imports_the_same_file(client, registry, editor):
    source = SourceDocument.objects.create(title="Uncited report", slug="uncited-report", is_published=True)
    rows = [row for row in download(client, "/organisations/") if row["slug"] == "iom"]
    rows[0].update(source="uncited-report", source_passage="Words of the report.")
    client.force_login(editor)

    response = preview(client, "organisation", as_csv(rows))
    assert confirm(client, "organisation", response).status_code == 302

    assert source in SourceDocument.objects.public()


def test_imported_and_published_activities_are_found_by_their_partners_areas_and_passages(client, registry, editor):
    """The search index is written once, at the end of the import, when each record's links and
    citation are saved: a new activity is found by all of them (and a preview writes none)."""
    source = SourceDocument.objects.public().order_by("pk").first()
    content = (
        "slug,title,status,priority,partners,areas,source,source_passage\n"
        f"quartz-cited,Quartz drills,planned,normal,iom,return,{source.slug},Zirconium words.\n"
        "quartz-plain,Quartz lessons,planned,normal,unodc,terrorism,,\n"
    ).encode()
    client.force_login(editor)
    response = preview(client, "cooperationactivity", content, publish="on")
    assert search_slugs("quartz") == []
    assert confirm(client, "cooperationactivity", response).status_code == 302

    assert search_slugs("quartz") == ["quartz-cited", "quartz-plain"]
    assert search_slugs("zirconium") == ["quartz-cited"]
    assert "quartz-plain" in search_slugs("unodc") and "quartz-cited" not in search_slugs("unodc")
    assert "quartz-plain" in search_slugs("terrorism") and "quartz-cited" in search_slugs("iom")


def search_slugs(q):
    return sorted(record.slug for record in search(CooperationActivity.objects.published(), q))


def test_a_slug_repeated_in_one_file_updates_the_record_its_first_row_adds(client, registry, editor):
    content = (
        b"slug,title,status,priority,partners\n"
        b"twice,First title,planned,normal,iom\n"
        b"twice,Second title,ongoing,normal,iom\n"
    )
    client.force_login(editor)
    response = preview(client, "cooperationactivity", content)
    assert row_types(response) == ["new", "update"]
    assert confirm(client, "cooperationactivity", response).status_code == 302
    record = CooperationActivity.objects.get(slug="twice")
    assert (record.title, record.status) == ("Second title", "ongoing")


def import_queries(client, rows):
    """The queries of the preview and of the confirmation of `rows` new activities."""
    content = "slug,title,status,priority,partners,areas,starts_on,ends_on\n" + "".join(
        f"counted-{number},Counted {number},planned,normal,iom;unodc,return,2026-01-01,2026-12-31\n"
        for number in range(rows)
    )
    with CaptureQueriesContext(connection) as previewing:
        response = preview(client, "cooperationactivity", content.encode(), publish="on")
    with CaptureQueriesContext(connection) as importing:
        assert confirm(client, "cooperationactivity", response).status_code == 302
    CooperationActivity.objects.filter(slug__startswith="counted-").delete()
    return len(previewing), len(importing)


def test_each_imported_row_costs_a_bounded_number_of_queries(client, registry, editor):
    """What lets ten thousand rows import within a minute (make bench): the records to update are
    read for the whole file, related records once, the check constraints evaluated without the
    database, the links, citations and history entries written for the whole file, the search
    index written once, and the preview writes no history."""
    client.force_login(editor)
    preview_10, import_10 = import_queries(client, 10)
    preview_20, import_20 = import_queries(client, 20)
    # Previewed: no query per row. Each row is checked against the values read for the whole
    # file; its record, links and citation are inserted with the other rows'.
    assert preview_20 == preview_10
    # Imported and published: the record's change log entry ("published", replacing any other)
    # and its public dates; its history entry is inserted with the other rows'.
    assert (import_20 - import_10) / 10 <= 3


def test_agreements_without_an_id_are_each_added(client, registry, editor):
    content = (
        b"id,title,organisation,kind,status\n"
        b",First arrangement,iom,working-arrangement,under-negotiation\n"
        b",Second arrangement,iom,working-arrangement,under-negotiation\n"
    )
    client.force_login(editor)
    response = preview(client, "agreement", content)
    assert row_types(response) == ["new", "new"], row_errors(response)
    assert confirm(client, "agreement", response).status_code == 302
    assert sorted(Agreement.objects.values_list("title", flat=True)) == ["First arrangement", "Second arrangement"]
