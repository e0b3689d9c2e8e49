"""Counts beside every option of a register's filters: how many results each option would give.

Within one parameter, whose values mean "any of", the counts leave that parameter's own
selection out (so choosing "Return" does not turn every other area into 0); the other
parameters apply. Only published records are counted: the registers' querysets start from
``published()``; only published areas and regions are listed and counted. An option without
results is shown with 0 and can still be chosen.

Never one query per option. On the cooperation register, the areas, regions, statuses and
priorities are counted from bit sets of the published activities (partnerships/bitsets.py),
with no query at all. Elsewhere each filter's counts take one GROUP BY query, on the record's
own table (choices, counted together; the organisation of an agreement) or on the link table
of a many-to-many relation (the partner organisations). A query's result is cached per
registry version under the selection it depends on, so the counts of the unfiltered registers
are computed once per version and shared by every page, and so are the counts that several
filter combinations have in common.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import Count
from django.http import QueryDict

from . import bitsets, works_in
from .caching import cached
from .filters import AgreementFilter, CooperationActivityFilter, OrganisationFilter
from .models import CooperationArea, Organisation, Region

# How many organisations the partner filter lists before "Show all".
ORGANISATIONS_SHOWN = 12
# The parameter that shows every option of a long filter, and the filters it may name.
EXPAND = "expand"
EXPANDABLE = {"organisation"}


@dataclass(frozen=True)
class Column:
    """A field of the record itself (a choice, or a foreign key's id): GROUP BY that column.

    The columns whose counts are wanted under the same selection are counted together, in one
    GROUP BY over all of them (``count_columns``).
    """

    field: str


def count_columns(queryset, fields):
    """{field: {value: count}} for each of ``fields``, from one query grouping by all of them."""
    counts = {field: {} for field in fields}
    for *values, n in queryset.order_by().values_list(*fields).annotate(n=Count("*")):
        for field, value in zip(fields, values, strict=True):
            counts[field][value] = counts[field].get(value, 0) + n
    return counts


@dataclass(frozen=True)
class Linked:
    """A many-to-many relation: GROUP BY the other side, over the link table of the selected records."""

    relation: str

    def count(self, queryset, request):
        relation = queryset.model._meta.get_field(self.relation)
        links = relation.remote_field.through._base_manager.filter(
            **{f"{relation.m2m_field_name()}__in": queryset.order_by().values("pk")}
        )
        target = f"{relation.m2m_reverse_field_name()}_id"
        # COUNT(*), not COUNT(id): the link table's index then answers the query alone.
        return dict(links.values_list(target).annotate(n=Count("*")).order_by())


@dataclass(frozen=True)
class Bits:
    """Counted from the bit sets of the published activities (partnerships/bitsets.py), with no query."""

    dimension: str


@dataclass(frozen=True)
class WorksIn:
    """Organisations by the areas they work in (partnerships/works_in.py)."""

    def count(self, queryset, request):
        return works_in.organisations_per_area(request, queryset.values_list("pk", flat=True))


def vocabulary():
    """The options of the related filters as (id, slug, label), in the order they are listed:
    only published areas, regions and organisations."""
    return {
        "area": list(CooperationArea.objects.published().values_list("pk", "slug", "name")),
        "region": list(Region.objects.published().values_list("pk", "slug", "name")),
        "organisation": [
            (organisation.pk, organisation.slug, str(organisation))
            for organisation in Organisation.objects.published().only("pk", "slug", "name", "acronym")
        ],
    }


# Each register's counted filters: parameter -> how its counts are computed.
COUNTED = {
    OrganisationFilter: {"area": WorksIn(), "kind": Column("kind"), "relationship": Column("relationship")},
    AgreementFilter: {
        "organisation": Column("organisation_id"),
        "area": Linked("areas"),
        "kind": Column("kind"),
        "status": Column("status"),
    },
    CooperationActivityFilter: {
        "area": Bits("area"),
        "organisation": Linked("partners"),
        "region": Bits("region"),
        "status": Bits("status"),
        "priority": Bits("priority"),
    },
}


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    """One filter's options with their counts, as the form shows them."""

    name: str
    label: str
    options: list
    # Options left out of a long list ("Show all"), and whether the full list is shown.
    hidden: int = 0
    expanded: bool = False
    long: bool = False
    more_url: str = ""
    less_url: str = ""


class Faceting:
    """The counts of one register page's filters, for a valid filter set."""

    def __init__(self, filterset, request):
        self.filterset = filterset
        self.request = request
        self.counted = COUNTED[type(filterset)]
        cleaned = filterset.form.cleaned_data
        # What the URL chose (blank values were dropped before): the cleaned value of each.
        self.selected = {
            name: cleaned[name] for name in filterset.filters if name != "sort" and filterset.data.getlist(name)
        }
        self.counts = {}
        self.bits = None
        if any(isinstance(counter, Bits) for counter in self.counted.values()):
            self.bits = bitsets.activity_bits(request)
            self.matching = {}
        columns = {}  # the Column filters, by the selection their counts are taken under
        for name, counter in self.counted.items():
            others = tuple(other for other in self.selected if other != name)
            if isinstance(counter, Column):
                columns.setdefault(others, []).append(name)
            elif isinstance(counter, Bits):
                selection = self.selection_bits(others)
                self.counts[name] = {
                    key: (selection & bits).bit_count() for key, bits in self.bits[counter.dimension].items()
                }
            else:
                self.counts[name] = self.cached_counts(others, [name], lambda q, c=counter: c.count(q, request))
        for others, names in columns.items():
            fields = [self.counted[name].field for name in names]
            counts = self.cached_counts(others, names, lambda q, fields=fields: count_columns(q, fields))
            for name, field in zip(names, fields, strict=True):
                self.counts[name] = counts[field]

    def expandable(self):
        return EXPANDABLE & self.counted.keys()

    def selection_key(self, names):
        """A stable text for the selection of ``names``, whatever order the URL gave them in."""
        return "&".join(f"{name}={sorted(self.filterset.data.getlist(name))!r}" for name in sorted(names))

    def select(self, names):
        queryset = self.filterset.queryset.prefetch_related(None)
        for name in names:
            queryset = self.filterset.filters[name].filter(queryset, self.selected[name])
        return queryset

    def cached_counts(self, others, names, compute):
        """``compute(queryset of the records selected by others)``, cached per registry version."""
        key = hashlib.sha256(self.selection_key(others).encode()).hexdigest()[:32]
        register = self.filterset._meta.model._meta.model_name
        return cached(self.request, f"facet:{register}:{'+'.join(names)}:{key}", lambda: compute(self.select(others)))

    def selection_bits(self, names):
        """The bit set of the published activities that the selected filters ``names`` select."""
        selection = self.bits["published"]
        for name in names:
            if name not in self.matching:
                self.matching[name] = self.matching_bits(name)
            selection &= self.matching[name]
        return selection

    def matching_bits(self, name):
        """The bit set of the activities that filter ``name`` alone selects (any of its values)."""
        chosen = self.filterset.data.getlist(name)
        if isinstance(self.counted.get(name), Bits):
            if name in ("area", "region"):
                ids = {slug: pk for pk, slug, _ in vocabulary_of(self.request)[name]}
                chosen = [ids[slug] for slug in chosen]
            found = 0
            for key in chosen:
                found |= self.bits[self.counted[name].dimension].get(key, 0)
            return found
        # The other filters (partner organisations, the text search) ask the database once.
        model = self.filterset._meta.model
        matching = self.filterset.filters[name].filter(model.objects.published(), self.selected[name])
        return bitsets.bits_of(matching.order_by().values_list("pk", flat=True))

    def total(self):
        """The number of results, when the counts already hold it: no COUNT query."""
        if self.bits is not None:
            return self.selection_bits(self.selected).bit_count()
        for name, counter in self.counted.items():
            if name not in self.selected and isinstance(counter, Column) and name in choice_filters(self.filterset):
                return sum(self.counts[name].values())
        return None

    def facets(self):
        words = vocabulary_of(self.request)
        expand = self.request.GET.get(EXPAND)
        result = []
        for name in self.counted:
            definition = self.filterset.filters[name]
            counts = self.counts[name]
            chosen = set(self.filterset.data.getlist(name))
            if name in choice_filters(self.filterset):
                options = [
                    Option(value, label, counts.get(value, 0), value in chosen)
                    for value, label in definition.extra["choices"]
                ]
                result.append(Facet(name, definition.label, options))
            elif name in EXPANDABLE:
                result.append(self.long_list(name, definition.label, words[name], counts, chosen, expand == name))
            else:
                options = [Option(slug, label, counts.get(pk, 0), slug in chosen) for pk, slug, label in words[name]]
                result.append(Facet(name, definition.label, options))
        return result

    def long_list(self, name, label, words, counts, chosen, expanded):
        """A long list (the organisations): those with results, the most first, and the chosen
        ones, then "Show all"; or, expanded, every option in the order of their names."""
        if expanded:
            options = [Option(slug, text, counts.get(pk, 0), slug in chosen) for pk, slug, text in words]
            return Facet(name, label, options, expanded=True, long=True, less_url=self.url_with(EXPAND, None))
        # Only the options with results are ranked: a few of some 2,000, most of the time.
        ranked = sorted(
            ((counts[pk], text, slug) for pk, slug, text in words if counts.get(pk)),
            key=lambda option: (-option[0], option[1].casefold()),
        )[:ORGANISATIONS_SHOWN]
        options = [Option(slug, text, n, slug in chosen) for n, text, slug in ranked]
        shown = {option.value for option in options}
        options += [
            Option(slug, text, counts.get(pk, 0), True)
            for pk, slug, text in words
            if slug in chosen and slug not in shown
        ]
        hidden = len(words) - len(options)
        more_url = self.url_with(EXPAND, name) if hidden else ""
        return Facet(name, label, options, hidden=hidden, long=True, more_url=more_url)

    def url_with(self, name, value):
        query = QueryDict(mutable=True)
        for key, values in self.request.GET.lists():
            if key not in (name, "page"):
                query.setlist(key, [v for v in values if v.strip()])
        if value is not None:
            query[name] = value
        return f"?{query.urlencode()}" if query else self.request.path


def choice_filters(filterset):
    return {name for name, definition in filterset.filters.items() if "choices" in definition.extra}


def vocabulary_of(request):
    return cached(request, "facet-vocabulary", vocabulary)
