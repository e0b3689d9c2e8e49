"""A register's current selection in words, each chosen value a link that removes it.

"Showing 3 activities in Return or Fundamental rights, ongoing": one phrase per filter in
use, its values joined by "or" (several values of one filter mean "any of"), the phrases by
commas (different filters combine with "and").
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.dateformat import format as format_date

# How each filter reads in the sentence: the words before its values, per register.
# A filter not named here is described by its values alone ("ongoing").
WORDS = {
    "organisation": {"q": "matching", "area": "working in", "relationship": "with"},
    "agreement": {
        "q": "matching",
        "organisation": "with",
        "area": "on",
        "signed_after": "signed on or after",
        "signed_before": "signed on or before",
    },  # fmt: skip
    "cooperationactivity": {"q": "matching", "area": "in", "organisation": "with", "region": "covering"},
}
# Choice labels that read as they are; the others are lower-cased in the sentence ("ongoing").
PROPER = {"UN system"}


@dataclass
class Chosen:
    label: str
    remove_url: str


@dataclass
class Phrase:
    words: str
    values: list


def in_sentence(label):
    label = str(label)
    if label in PROPER or not label[1:2].islower():
        return label
    return label[0].lower() + label[1:]


def describe(filterset, request, vocabulary):
    """The phrases of the filters in use, in the order of the form."""
    model = filterset._meta.model._meta.model_name
    words = WORDS[model]
    phrases = []
    for name, definition in filterset.filters.items():
        chosen = filterset.data.getlist(name) if filterset.data else []
        if name == "sort" or not chosen:
            continue
        if "choices" in definition.extra:
            labels = dict(definition.extra["choices"])
            values = [(value, in_sentence(labels[value])) for value in chosen]
        elif name in vocabulary:
            labels = {slug: label for _, slug, label in vocabulary[name]}
            values = [(value, labels[value]) for value in chosen]
        else:
            value = filterset.form.cleaned_data[name]
            label = format_date(value, "j F Y") if isinstance(value, datetime.date) else f"“{value}”"
            values = [(chosen[0], label)]
        removals = [Chosen(label, without(request, name, value)) for value, label in values]
        phrases.append(Phrase(words.get(name, ""), removals))
    return phrases


def without(request, name, value):
    """The address of the page without one chosen value (and back on the first page)."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key == "page":
            continue
        kept = [v for v in values if v.strip() and not (key == name and v == value)]
        if kept:
            query.setlist(key, kept)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def clear_all(request):
    """The address of the register without filters, in the same order."""
    sort = request.GET.get("sort", "").strip()
    return f"{request.path}?{urlencode({'sort': sort})}" if sort else request.path
