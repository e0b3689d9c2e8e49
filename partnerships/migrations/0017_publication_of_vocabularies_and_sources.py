"""Cooperation areas, regions and source documents get a publication state of their own.

Those that exist already are public today, so they are marked published (with their history,
so that the next edit does not show a change of state that never happened). New ones start as
drafts. Registry editors get the permission to publish them, as they have for the other records.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

MODELS = ["cooperationarea", "region", "sourcedocument"]
EDITORS = "Registry editors"


def publish_existing(apps, schema_editor):
    for name in MODELS:
        apps.get_model("partnerships", name).objects.update(is_published=True)
        apps.get_model("partnerships", f"historical{name}").objects.update(is_published=True)


def let_editors_publish(apps, schema_editor):
    # As in 0005_staff_groups: on a fresh database the permissions do not exist until after the
    # last migration, so this app's are created here.
    app_config = apps.get_app_config("partnerships")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = [f"publish_{name}" for name in MODELS]
    permissions = list(
        Permission.objects.filter(content_type__app_label="partnerships", codename__in=wanted)
    )
    if len(permissions) != len(wanted):
        raise RuntimeError(f"Permissions missing: {sorted(set(wanted) - {p.codename for p in permissions})}")
    for group in Group.objects.filter(name=EDITORS):
        group.permissions.add(*permissions)


def withdraw_from_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=EDITORS):
        group.permissions.remove(
            *group.permissions.filter(codename__in=[f"publish_{name}" for name in MODELS])
        )


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0016_citation_position_range'),
        ('partnerships', '0005_staff_groups'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='cooperationarea',
            options={'ordering': ['display_order', 'name', 'pk'], 'permissions': [('publish_cooperationarea', 'Can publish or unpublish cooperation areas')], 'verbose_name': 'cooperation area'},
        ),
        migrations.AlterModelOptions(
            name='region',
            options={'ordering': ['name', 'pk'], 'permissions': [('publish_region', 'Can publish or unpublish regions')]},
        ),
        migrations.AlterModelOptions(
            name='sourcedocument',
            options={'ordering': ['title', 'pk'], 'permissions': [('publish_sourcedocument', 'Can publish or unpublish source documents')], 'verbose_name': 'source document'},
        ),
        migrations.AddField(
            model_name='cooperationarea',
            name='is_published',
            field=models.BooleanField(db_default=False, default=False, verbose_name='published'),
        ),
        migrations.AddField(
            model_name='historicalcooperationarea',
            name='is_published',
            field=models.BooleanField(db_default=False, default=False, verbose_name='published'),
        ),
        migrations.AddField(
            model_name='historicalregion',
            name='is_published',
            field=models.BooleanField(db_default=False, default=False, verbose_name='published'),
        ),
        migrations.AddField(
            model_name='historicalsourcedocument',
            name='is_published',
            field=models.BooleanField(db_default=False, default=False, verbose_name='published'),
        ),
        migrations.AddField(
            model_name='region',
            name='is_published',
            field=models.BooleanField(db_default=False, default=False, verbose_name='published'),
        ),
        migrations.AddField(
            model_name='sourcedocument',
            name='is_published',
            field=models.BooleanField(db_default=False, default=False, verbose_name='published'),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
        migrations.RunPython(let_editors_publish, withdraw_from_editors),
    ]
