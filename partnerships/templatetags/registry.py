"""Template helpers of the public site."""

from urllib.parse import urlsplit

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


@register.simple_tag
def facet_fieldset(facet):
    """A filter's options as checkboxes, each with its count: "Return (4)".

    Rendered here rather than through a template per option: the full list of organisations
    holds some 2,000 of them.
    """
    options = format_html_join(
        "\n",
        '<li{}><label><input type="checkbox" name="{}" value="{}"{}> {} <span class="count">({})</span></label></li>',
        (
            (
                mark_safe(' class="none"') if not option.count else "",
                facet.name,
                option.value,
                mark_safe(" checked") if option.selected else "",
                option.label,
                f"{option.count:,}",
            )
            for option in facet.options
        ),
    )
    links = ""
    if facet.more_url:
        links = format_html(
            '<p class="more"><a href="{}">Show all {} {}</a></p>', facet.more_url, facet.hidden + len(facet.options),
            "organisations",
        )  # fmt: skip
    elif facet.expanded:
        links = format_html('<p class="more"><a href="{}">Show only those with results</a></p>', facet.less_url)
    narrow = mark_safe(' data-narrow="Find an organisation in this list"') if facet.long else ""
    return format_html(
        '<fieldset class="facet facet-{}" aria-describedby="filters-hint"{}>\n<legend>{}</legend>\n'
        '<ul class="options">\n{}\n</ul>\n{}</fieldset>',
        facet.name,
        narrow,
        facet.label,
        options,
        links,
    )


@register.simple_tag(takes_context=True)
def sort_header(context, label, *values):
    """A sortable column header: a link to sort by the column (the other way when sorted by it),
    and ``aria-sort`` on the column the results are sorted by."""
    current = context.get("sorted_by")
    request = context["request"]
    direction = ""
    target = values[0]
    if current in values:
        direction = "descending" if current.startswith("-") else "ascending"
        following = values[(values.index(current) + 1) % len(values)]
        target = following
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = target
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(direction, "")
    return format_html(
        '<th scope="col"{}><a href="?{}">{}<span aria-hidden="true">{}</span></a></th>',
        format_html(' aria-sort="{}"', direction) if direction else "",
        query.urlencode(),
        label,
        arrow,
    )


UNSTATED = mark_safe('<span class="none" aria-hidden="true">—</span><span class="visually-hidden">not stated</span>')


@register.filter
def date_or_unstated(value):
    """A date as ``<time>`` ("1 Apr 2022"), or a dash that reads "not stated"."""
    if not value:
        return UNSTATED
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), date_format(value, "j M Y"))


@register.filter
def at_precision(date, precision):
    """``{{ fact.date|at_precision:fact.precision }}``: "2009", "April 2022" or "1 April 2022"."""
    return date_at_precision(date, precision)


@register.filter
def host(url):
    """The host name of a URL, for link text: "www.interpol.int"."""
    return urlsplit(url).hostname or url
