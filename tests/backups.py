"""A registry with history, staff and an admin log, and what a backup must bring back of it.

Used in the test process and, against a SQLite file, in processes of their own
(tests/test_backups.py).
"""

import json
import threading

PASSWORD = "correct-horse-battery"


def make_history():
    """Staff accounts, edits with their history, an area deleted after it was linked (its history
    link rows still point at it), an agreement (addressed by id) and an entry in the admin's log."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Group, Permission, User

    from partnerships.models import Agreement, CooperationArea, Organisation

    alice = User.objects.create_superuser("alice", "alice@example.org", PASSWORD)
    erin = User.objects.create_user("erin", "erin@example.org", PASSWORD, is_staff=True)
    erin.groups.add(Group.objects.get(name="Registry editors"))
    erin.user_permissions.add(Permission.objects.get(codename="delete_agreement"))

    who = Organisation.objects.get(slug="who")
    who.summary = "Changed by erin."
    who._history_user = erin
    who.save()
    area = CooperationArea(name="Search and rescue", slug="search-and-rescue", display_order=150)
    area._history_user = erin
    area.save()
    who.areas.add(area)
    area._history_user = alice
    area.delete()
    agreement = Agreement(title="Working arrangement with IOM", organisation=Organisation.objects.get(slug="iom"))
    agreement.kind, agreement.status, agreement.is_published = "working-arrangement", "in-force", True
    agreement._history_user = alice
    agreement.save()
    LogEntry.objects.log_actions(alice.pk, [who], CHANGE, change_message="Changed the summary.", single_object=True)
    return agreement.pk


def snapshot():
    """Every row a backup holds, as it writes them, by model, in a comparable order."""
    from partnerships.backup import BackupSerializer, backed_up_models, rows

    rows_by_model = {}
    for row in json.loads(BackupSerializer().serialize(rows(backed_up_models(), "default"))):
        fields = {name: sorted(value) if isinstance(value, list) else value for name, value in row["fields"].items()}
        rows_by_model.setdefault(row["model"], []).append([row["pk"], fields])
    return rows_by_model


def backup_while_someone_saves(path):
    """Write a backup while another connection adds an organisation and commits, just after the
    backup has read its first rows. Returns whether the backup holds it and whether it was saved."""
    from django.db import connection

    from partnerships.backup import BackupSerializer, write_backup
    from partnerships.models import Organisation

    start_object = BackupSerializer.start_object
    saved = []

    def someone_saves():
        try:
            Organisation.objects.create(name="Saved during the backup", acronym="SDB", slug="sdb", kind="institution")
            saved.append(True)
        finally:
            connection.close()

    def start_object_once_someone_saved(serializer, obj):
        if not saved:
            editor = threading.Thread(target=someone_saves)
            editor.start()
            editor.join(timeout=30)
            saved.append(False)  # tried: do not try again
        return start_object(serializer, obj)

    BackupSerializer.start_object = start_object_once_someone_saved
    try:
        write_backup(path)
    finally:
        BackupSerializer.start_object = start_object
    with open(path, encoding="utf-8") as backup:
        slugs = {row["fields"].get("slug") for row in json.load(backup)["objects"]}
    return {"in the backup": "sdb" in slugs, "saved": Organisation.objects.filter(slug="sdb").exists()}
