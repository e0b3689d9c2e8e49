"""The staff roles reach citations and dated facts.

Editors view, add and change both, and may delete a citation: a citation is a part of its
record, like an area ticked on it, and a wrong one must be removable from the record's form.
Dated facts are records of their own, deleted by superusers only, like the others.
Viewers read both.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Registry editors"
VIEWERS = "Registry viewers"

RIGHTS = {
    EDITORS: ["view_citation", "add_citation", "change_citation", "delete_citation"]
    + ["view_datedfact", "add_datedfact", "change_datedfact"],
    VIEWERS: ["view_citation", "view_datedfact"],
}


def grant(apps, schema_editor):
    # As in 0005: the permissions of models created since exist only after post_migrate.
    app_config = apps.get_app_config("partnerships")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in RIGHTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue  # removed by the site's administrators: not ours to bring back
        group.permissions.add(*Permission.objects.filter(content_type__app_label="partnerships", codename__in=wanted))


def withdraw(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in RIGHTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="partnerships", codename__in=wanted)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0013_remove_single_source_fields"),
    ]

    operations = [migrations.RunPython(grant, withdraw)]
