"""Links that survive renames: every slug a record had keeps leading to it.

When the slug of a record with a public page changes, its old slug is kept (``SlugRedirect``);
a public page whose slug finds no record asks ``renamed_record()`` and answers with a
permanent redirect to the record's current address.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class SlugRedirect(models.Model):
    """A slug a record was known by before it was renamed: its old public link redirects (301).

    Written whenever the slug of a registry record with a public page changes; read only when
    a public page's slug finds no record (``renamed_record()``).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    old_slug = models.SlugField(max_length=120)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "old link"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "old_slug"], name="%(app_label)s_%(class)s_one_per_slug"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.old_slug}"


def renamed_record(model, old_slug):
    """The record of ``model`` that was known as ``old_slug`` before a rename, or None.

    The public pages, the API and the feeds call this when a slug finds no record, and answer
    with a permanent redirect to the record's current address if the visitor may see it.
    """
    link = (
        SlugRedirect.objects.filter(content_type=ContentType.objects.get_for_model(model), old_slug=old_slug)
        .only("object_id")
        .first()
    )
    if link is None:
        return None
    return model._base_manager.filter(pk=link.object_id).first()


class SlugHistory(models.Model):
    """Keeps every slug a record had as an old link (SlugRedirect) when its slug changes."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        renamed_from = None
        if not self._state.adding and self.pk is not None:
            renamed_from = type(self)._base_manager.filter(pk=self.pk).values_list("slug", flat=True).first()
        super().save(*args, **kwargs)
        if renamed_from and renamed_from != self.slug:
            content_type = ContentType.objects.get_for_model(type(self))
            SlugRedirect.objects.update_or_create(
                content_type=content_type, old_slug=renamed_from, defaults={"object_id": self.pk}
            )
            # Renamed back: the slug is the record's own again, not an old link.
            SlugRedirect.objects.filter(content_type=content_type, old_slug=self.slug).delete()
