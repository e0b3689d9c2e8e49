"""The registry version becomes a random number, new on every change (models.RegistryVersion);
integer fields are validated against the range of their PostgreSQL column on every database
(models.within_column_range).

The column stays as it is, so servers still on the previous release (which add one to it)
keep working beside this one during a rolling release; a change through either moves it.
"""

import django.core.validators
from django.db import migrations, models

import partnerships.models


def start_from_a_random_number(apps, schema_editor):
    """Each database starts at a number of its own: two databases migrated afresh must not both
    start at 0, the number pages of the first may still be cached under."""
    RegistryVersion = apps.get_model("partnerships", "RegistryVersion")
    RegistryVersion.objects.using(schema_editor.connection.alias).filter(pk=1).update(
        number=partnerships.models.new_registry_version()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0014_staff_rights_for_citations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registryversion",
            name="number",
            field=models.PositiveBigIntegerField(default=partnerships.models.new_registry_version),
        ),
        migrations.AlterField(
            model_name='citation',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
        migrations.AlterField(
            model_name='datedfact',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
    
        migrations.RunPython(start_from_a_random_number, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='agreement',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
        migrations.AlterField(
            model_name='cooperationactivity',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
        migrations.AlterField(
            model_name='cooperationarea',
            name='display_order',
            field=models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(32767)]),
        ),
        migrations.AlterField(
            model_name='cooperationarea',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
        migrations.AlterField(
            model_name='historicalcooperationarea',
            name='display_order',
            field=models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(32767)]),
        ),
        migrations.AlterField(
            model_name='organisation',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
        migrations.AlterField(
            model_name='region',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
        migrations.AlterField(
            model_name='sourcedocument',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)]),
        ),
    ]
