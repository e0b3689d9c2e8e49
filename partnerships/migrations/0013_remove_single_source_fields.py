"""The old one-source-per-record fields go: their contents are citations now (0012)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0012_sources_become_citations"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="cooperationactivity",
            name="source",
        ),
        migrations.RemoveField(
            model_name="cooperationactivity",
            name="source_passage",
        ),
        migrations.RemoveField(
            model_name="historicalcooperationactivity",
            name="source",
        ),
        migrations.RemoveField(
            model_name="historicalcooperationactivity",
            name="source_passage",
        ),
        migrations.RemoveField(
            model_name="historicalorganisation",
            name="source",
        ),
        migrations.RemoveField(
            model_name="historicalorganisation",
            name="source_passage",
        ),
        migrations.RemoveField(
            model_name="organisation",
            name="source",
        ),
        migrations.RemoveField(
            model_name="organisation",
            name="source_passage",
        ),
    ]
