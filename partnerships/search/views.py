"""``/search/?q=…``: one search over organisations, activities, agreements, areas and sources.

The matches are grouped by kind, each group with its count, its best matches and a link to the
whole register filtered by the same ``q``. Areas and sources, vocabularies of a few dozen
records with no register to filter, are listed whole, each linking to its own page. A search
that finds nothing suggests what the visitor may have meant. Only published records are
searched; the page is served through the page cache like the others.
"""

from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ..caching import cache_public_page
from ..filters import SEARCH_MAX_LENGTH
from ..models import Agreement, CooperationActivity, CooperationArea, Organisation, SourceDocument
from .query import search
from .suggestions import suggestions
from .text import parse

# How many matches of a register's kind the page lists before linking to the register.
SHOWN = 10


def kinds():
    """(key, heading, published records, register URL name or None) of each kind, in page order."""
    return [
        (
            "organisations",
            "Organisations",
            Organisation.objects.published().only("name", "acronym", "slug"),
            "organisation-list",
        ),
        (
            "activities",
            "Cooperation activities",
            CooperationActivity.objects.published()
            .only("title", "slug")
            .prefetch_related(Prefetch("partners", queryset=Organisation.objects.published().only("acronym", "name"))),
            "activity-list",
        ),
        (
            "agreements",
            "Agreements",
            Agreement.objects.published().select_related("organisation").only("title", "organisation__acronym"),
            "agreement-list",
        ),
        ("areas", "Cooperation areas", CooperationArea.objects.published().only("name", "slug"), None),
        ("sources", "Sources", SourceDocument.objects.public().only("title", "publisher", "url", "slug"), None),
    ]


def read_query(request):
    """The ``q`` parameter, or the errors that make it unusable (as the registers report them)."""
    values = request.GET.getlist("q")
    if len(values) > 1:
        return "", {"q": [f"Give the q parameter once, not {len(values)} times."]}
    q = values[0] if values else ""
    if "\x00" in q:
        return "", {"q": ["The value contains a null character."]}
    if len(q) > SEARCH_MAX_LENGTH:
        return "", {"q": [f"Ensure this value has at most {SEARCH_MAX_LENGTH} characters (it has {len(q)})."]}
    return q.strip(), {}


@require_safe
@cache_public_page(parameters={"q"})
def search_page(request):
    q, errors = read_query(request)
    context = {"q": q, "groups": [], "total": 0, "suggestions": [], "errors": errors, "no_words": False}
    if errors:
        # Labelled as the filter forms' errors are: (parameter, messages) under a readable name.
        context["errors"] = {"Search": ("q", errors["q"])}
        return render(request, "partnerships/search.html", context, status=400)
    if q and not parse(q).alternatives:
        context["no_words"] = True  # only punctuation, or only exclusions: nothing to look for
    elif q:
        for key, heading, records, register in kinds():
            results = search(records, q)
            count = results.count()
            context["groups"].append(
                {
                    "key": key,
                    "heading": heading,
                    "count": count,
                    "records": list(results[:SHOWN] if register else results) if count else [],
                    "register_url": f"{reverse(f'partnerships:{register}')}?{urlencode({'q': q})}"
                    if register
                    else None,
                }
            )
            context["total"] += count
        if not context["total"]:
            context["suggestions"] = [
                {"text": text, "url": f"{reverse('partnerships:search')}?{urlencode({'q': text})}"}
                for text in suggestions(request, q)
            ]
    return render(request, "partnerships/search.html", context)
