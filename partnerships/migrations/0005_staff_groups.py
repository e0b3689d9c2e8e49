"""The two staff roles as groups: editors keep the registry current, viewers only read it.

Deleting is left to superusers alone, so neither group gets a delete permission. The
permission lists are written out here rather than imported, so that this migration keeps
doing what it did when it was written.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Registry editors"
VIEWERS = "Registry viewers"

REGISTRY_MODELS = ["cooperationarea", "region", "sourcedocument", "organisation", "agreement", "cooperationactivity"]
PUBLISHABLE_MODELS = ["organisation", "agreement", "cooperationactivity"]


def codenames(actions, models):
    return [f"{action}_{model}" for model in models for action in actions]


def create_groups(apps, schema_editor):
    # Django creates permissions after the last migration has run (post_migrate), so on a fresh
    # database they do not exist yet: create this app's now. Doing it twice is harmless.
    app_config = apps.get_app_config("partnerships")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    registry_permissions = Permission.objects.filter(content_type__app_label="partnerships")
    roles = {
        EDITORS: codenames(["view", "add", "change"], REGISTRY_MODELS) + codenames(["publish"], PUBLISHABLE_MODELS),
        VIEWERS: codenames(["view"], REGISTRY_MODELS),
    }
    for name, wanted in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = list(registry_permissions.filter(codename__in=wanted))
        if len(permissions) != len(wanted):
            missing = set(wanted) - {permission.codename for permission in permissions}
            raise RuntimeError(f"Permissions missing for the group {name!r}: {sorted(missing)}")
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, VIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnerships", "0004_publish_permission"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
