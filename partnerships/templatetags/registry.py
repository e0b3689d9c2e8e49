"""Template helpers of the public site."""

from django import template

from ..models import SourceDocument

register = template.Library()


@register.inclusion_tag("includes/source_list.html")
def source_documents():
    """The documents the registry's statements are quoted from, for the footer."""
    return {"sources": SourceDocument.objects.only("title", "publisher", "url", "published_on")}


@register.filter
def plural(count, forms):
    """``{{ n|plural:"organisation,organisations" }}`` gives "1 organisation" or "3 organisations"."""
    singular, many = forms.split(",")
    return f"{count} {singular if count == 1 else many}"


@register.simple_tag(takes_context=True)
def current_url_name(context):
    """The name of the URL being shown, or "" where no URL matched (the 404 page of an unknown address)."""
    match = getattr(context.get("request"), "resolver_match", None)
    return match.url_name if match else ""
