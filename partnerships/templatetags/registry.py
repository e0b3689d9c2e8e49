"""Template helpers of the public site."""

from django import template

from ..models import SourceDocument

register = template.Library()


@register.inclusion_tag("includes/source_list.html")
def source_documents():
    """The documents the public statements are quoted from, for the footer: public ones only."""
    return {"sources": SourceDocument.objects.public().only("title", "publisher", "url", "published_on")}


@register.filter
def plural(count, forms):
    """``{{ n|plural:"organisation,organisations" }}`` gives "1 organisation" or "3 organisations"."""
    singular, many = forms.split(",")
    return f"{count} {singular if count == 1 else many}"
