"""Template helpers of the public site."""

from urllib.parse import urlsplit

from django import template

from ..caching import cached
from ..provenance import cited_sources, date_at_precision

register = template.Library()


def footer_sources():
    return list(cited_sources().only("title", "slug", "publisher", "published_on"))


@register.inclusion_tag("includes/source_list.html", takes_context=True)
def source_documents(context):
    """The documents the registry's published statements cite, for the footer: each links to
    its page. Worked out once per registry version, as every page shows it."""
    request = context.get("request")
    return {"sources": cached(request, "footer-sources", footer_sources) if request else footer_sources()}


@register.filter
def plural(count, forms):
    """``{{ n|plural:"organisation,organisations" }}`` gives "1 organisation" or "3 organisations"."""
    singular, many = forms.split(",")
    return f"{count} {singular if count == 1 else many}"


@register.filter
def at_precision(date, precision):
    """``{{ fact.date|at_precision:fact.precision }}``: "2009", "April 2022" or "1 April 2022"."""
    return date_at_precision(date, precision)


@register.filter
def host(url):
    """The host name of a URL, for link text: "www.interpol.int"."""
    return urlsplit(url).hostname or url
