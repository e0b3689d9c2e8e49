"""Backups an operator can trust: consistent while staff edit, complete (records, history, staff
accounts, the admin's log), restored the same into an empty database, from SQLite to PostgreSQL,
and never bringing back a page the cache held before."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from partnerships.models import Agreement, CooperationArea, Organisation, PublicChange

from .backups import PASSWORD, backup_while_someone_saves, make_history, snapshot
from .databases import postgres_only
from .processes import manage, run_django, sqlite_url

ENOUGH_HASHERS = "settings.PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']"


def backup(path):
    out = StringIO()
    call_command("backup_registry", str(path), stdout=out)
    return out.getvalue()


def restore(path, *options):
    out = StringIO()
    call_command("restore_registry", str(path), *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(registry):
    """The shipped registry, edited by staff: returns the id of an agreement they added."""
    return make_history()


def test_a_backup_restores_the_same_records_history_users_and_log(history, tmp_path, client):
    before = snapshot()
    assert {"partnerships.historicalorganisation_areas", "auth.user", "auth.group", "admin.logentry"} <= set(before)
    # The public change log and the public dates: WHO's summary changed, the agreement published.
    assert [row[1]["kind"] for row in before["partnerships.publicchange"]] == ["changed", "published"]
    assert all(row[1]["published_at"] for row in before["partnerships.cooperationarea"] if row[1]["is_published"])
    said = backup(tmp_path / "registry.json")
    assert "Backed up to" in said and "2 users" in said

    Organisation.objects.filter(slug="who").update(summary="Changed after the backup.")
    PublicChange.objects.all().delete()
    User.objects.filter(username="erin").delete()
    CooperationArea.objects.create(name="Added after the backup", slug="added")
    client.force_login(User.objects.get(username="alice"))

    said = restore(tmp_path / "registry.json", "--replace")

    assert "Everyone has been logged out" in said
    assert snapshot() == before
    assert client.get(reverse("admin:index")).status_code == 302  # logged out
    assert User.objects.get(username="erin").check_password(PASSWORD)
    assert client.get(f"/agreements/{history}/").status_code == 200  # the same address
    # New rows take ids after the restored ones.
    Agreement.objects.create(title="Added after the restore", organisation_id=Agreement.objects.get().organisation_id)


def test_a_backup_is_written_when_a_deleted_area_is_still_in_the_history(history, tmp_path):
    """`dumpdata --natural-foreign` aborts here: it looks the deleted area up by its natural key."""
    with pytest.raises(Exception, match="does not exist"):
        call_command(
            "dumpdata", "partnerships", natural_foreign=True, natural_primary=True, output=str(tmp_path / "dump.json")
        )
    backup(tmp_path / "registry.json")
    objects = json.loads((tmp_path / "registry.json").read_text())["objects"]
    deleted = next(o for o in objects if o["model"] == "partnerships.historicalcooperationarea")["fields"]["id"]
    assert not CooperationArea.objects.filter(pk=deleted).exists()
    assert any(
        o["fields"]["cooperationarea"] == deleted
        for o in objects
        if o["model"] == "partnerships.historicalorganisation_areas"
    )


def test_restoring_into_an_empty_database_gives_the_same_records_history_and_users(history, tmp_path):
    backup(tmp_path / "registry.json")
    empty = sqlite_url(tmp_path / "new.sqlite3")
    manage(empty, "migrate", "--noinput", "-v0")

    said = manage(empty, "restore_registry", str(tmp_path / "registry.json")).stdout

    assert "Restored the backup" in said
    restored = run_django(
        empty,
        "from django.contrib.auth.models import User\n"
        "from tests.backups import snapshot\n"
        "logged_in = User.objects.get(username='erin').check_password('correct-horse-battery')\n"
        "print(json.dumps([snapshot(), logged_in]))",
        ENOUGH_HASHERS,
    )
    rows, logged_in = restored
    before = snapshot()
    assert rows.keys() == before.keys()
    for model, model_rows in before.items():
        assert rows[model] == model_rows, f"{model} differs after the restore"
    assert logged_in


def test_a_database_that_holds_records_is_replaced_only_when_asked(history, tmp_path):
    backup(tmp_path / "registry.json")
    Organisation.objects.filter(slug="who").update(summary="Kept.")
    with pytest.raises(CommandError, match=r"already holds \d+ registry records .* and 2 user accounts.*--replace"):
        restore(tmp_path / "registry.json")
    assert Organisation.objects.get(slug="who").summary == "Kept."


def test_a_file_that_is_not_a_backup_is_refused(registry, tmp_path):
    (tmp_path / "fixture.json").write_text("[]")
    with pytest.raises(CommandError, match="is not a backup of the registry"):
        restore(tmp_path / "fixture.json", "--replace")
    with pytest.raises(CommandError, match="cannot be read as a backup"):
        restore(tmp_path / "missing.json", "--replace")
    assert Organisation.objects.count() == 10


def test_a_backup_of_a_newer_release_is_refused(registry, tmp_path):
    backup(tmp_path / "registry.json")
    data = json.loads((tmp_path / "registry.json").read_text())
    data["migrations"]["partnerships"].append("0999_from_the_future")
    (tmp_path / "registry.json").write_text(json.dumps(data))
    with pytest.raises(CommandError, match="lacks its migrations partnerships.0999_from_the_future"):
        restore(tmp_path / "registry.json", "--replace")


SAVED_MEANWHILE = {"in the backup": False, "saved": True}
BACKUP_WHILE_SOMEONE_SAVES = (
    "from tests.backups import backup_while_someone_saves as run\nprint(json.dumps(run({!r})))"
)


def test_sqlite_a_backup_is_consistent_and_blocks_no_save_while_staff_edit(sqlite_registry, tmp_path):
    """The backup reads one snapshot: a save that lands meanwhile goes through, and is not in it."""
    backing_up = BACKUP_WHILE_SOMEONE_SAVES.format(str(tmp_path / "registry.json"))
    assert run_django(sqlite_url(sqlite_registry), backing_up) == SAVED_MEANWHILE


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_a_backup_is_consistent_and_blocks_no_save_while_staff_edit(registry, tmp_path):
    assert backup_while_someone_saves(tmp_path / "registry.json") == SAVED_MEANWHILE


def test_a_restore_followed_by_an_edit_serves_no_page_cached_before(registry, tmp_path, page_cache, client):
    """A counter restored to an earlier number would meet, at the next edits, the keys of pages
    cached before the restore (with a record since unpublished still on them)."""
    backup(tmp_path / "registry.json")
    assert client.get("/organisations/who/").status_code == 200
    Organisation.objects.get(slug="who").delete()
    assert client.get("/organisations/who/").status_code == 404
    restore(tmp_path / "registry.json", "--replace")
    assert client.get("/organisations/who/").status_code == 200
    Organisation.objects.filter(slug="who").update(is_published=False)
    assert client.get("/organisations/who/").status_code == 404
    assert "/organisations/who/" not in client.get("/organisations/").content.decode()


def test_values_sqlite_would_keep_but_postgresql_refuses_are_refused_on_every_database(admin_client, registry):
    """An area's display order is a smallint on PostgreSQL; SQLite would store 99,999."""
    response = admin_client.post(
        reverse("admin:partnerships_cooperationarea_add"),
        {"name": "Search and rescue", "slug": "search-and-rescue", "display_order": 99999, "version": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["display_order"] == [
        "Ensure this value is less than or equal to 32767."
    ]


def test_every_integer_field_is_validated_to_its_postgresql_column_range():
    """Ids, which the database itself numbers, aside."""
    from django.apps import apps
    from django.core.exceptions import ValidationError
    from django.db.backends.base.operations import BaseDatabaseOperations

    for model in apps.get_app_config("partnerships").get_models():
        for field in model._meta.concrete_fields:
            bounds = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())
            if bounds is None or field.get_internal_type().endswith("AutoField"):
                continue
            for outside in (bounds[0] - 1, bounds[1] + 1):
                with pytest.raises(ValidationError):
                    field.run_validators(outside)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_registry_moves_from_sqlite_to_postgresql(sqlite_registry, tmp_path):
    url = sqlite_url(sqlite_registry)
    on_sqlite = run_django(
        url,
        "from django.core.management import call_command\n"
        "from tests.backups import make_history, snapshot\n"
        "make_history()\n"
        f"call_command('backup_registry', {str(tmp_path / 'registry.json')!r}, verbosity=0)\n"
        "print(json.dumps(snapshot()))",
        ENOUGH_HASHERS,
    )
    said = restore(tmp_path / "registry.json")
    assert "Restored the backup" in said
    assert snapshot() == on_sqlite
