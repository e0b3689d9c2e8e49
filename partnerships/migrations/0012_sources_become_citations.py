"""Every record's source and quoted passage becomes its first citation, unchanged.

A passage whose record names no document is kept too: it is cited from a source document
"Source not recorded", made only when such a passage exists, so that nothing quoted is lost
and editors can find and correct it (the review dashboard counts citations by source).
Going back, each organisation and activity takes its first citation as its source again.
"""

from django.db import migrations

UNRECORDED = {"slug": "source-not-recorded", "title": "Source not recorded"}
BATCH = 2000


def citations_from_sources(apps, schema_editor):
    Citation = apps.get_model("partnerships", "Citation")
    SourceDocument = apps.get_model("partnerships", "SourceDocument")
    unrecorded = None
    for model_name, owner in (("Organisation", "organisation"), ("CooperationActivity", "activity")):
        model = apps.get_model("partnerships", model_name)
        rows = (
            model.objects.exclude(source__isnull=True, source_passage="")
            .order_by("pk")
            .values_list("pk", "source_id", "source_passage", "updated_at")
        )
        batch = []
        for pk, source_id, passage, updated_at in rows.iterator(chunk_size=BATCH):
            if source_id is None:
                if unrecorded is None:
                    unrecorded, _ = SourceDocument.objects.get_or_create(
                        slug=UNRECORDED["slug"], defaults={"title": UNRECORDED["title"]}
                    )
                source_id = unrecorded.pk
            batch.append(
                Citation(
                    source_id=source_id,
                    passage=passage,
                    created_at=updated_at,
                    updated_at=updated_at,
                    **{f"{owner}_id": pk},
                )
            )
            if len(batch) >= BATCH:
                Citation.objects.bulk_create(batch)
                batch = []
        Citation.objects.bulk_create(batch)


def sources_from_citations(apps, schema_editor):
    Citation = apps.get_model("partnerships", "Citation")
    for model_name, owner in (("Organisation", "organisation"), ("CooperationActivity", "activity")):
        model = apps.get_model("partnerships", model_name)
        first = {}
        for owner_id, source_id, passage in (
            Citation.objects.filter(**{f"{owner}__isnull": False})
            .order_by("-position", "-pk")
            .values_list(f"{owner}_id", "source_id", "passage")
        ):
            first[owner_id] = (source_id, passage)  # the last one written is the first in order
        for owner_id, (source_id, passage) in first.items():
            model.objects.filter(pk=owner_id).update(source_id=source_id, source_passage=passage)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0011_citations_and_dated_facts"),
    ]

    operations = [
        migrations.RunPython(citations_from_sources, sources_from_citations),
    ]
