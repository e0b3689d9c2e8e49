"""The filters of the public registers.

Parameter names and values are part of the public contract (docs/contract.md, "Public URLs"):
several values of one parameter mean "any of", different parameters combine with "and".
"""

import datetime

import django_filters as filters
from django import forms
from django.db.models import Exists, F, OuterRef

from . import works_in
from .models import Agreement, CooperationActivity, CooperationArea, Organisation, Region
from .search.query import search

# Longer search terms are refused: no title or name in the registry comes close.
SEARCH_MAX_LENGTH = 200


def published_organisations(request=None):
    return Organisation.objects.published().only("pk", "slug", "name", "acronym")


class RelatedSlugsFilter(filters.ModelMultipleChoiceFilter):
    """An "any of" filter over a relation, chosen by slug.

    Over a many-to-many relation it matches through a ``pk IN (subquery)`` on the link table
    instead of a join, so that rows linked to several chosen values appear once without a
    ``DISTINCT`` over the whole table, and the subquery is answered from the link table's index
    alone. A foreign key is matched directly.

    ``broad`` marks a vocabulary of a few values each shared by a large part of the records
    (areas, regions). A filter set that reads only the latest changed records (a feed, whose
    filter set says ``latest_first``) matches those through a correlated ``EXISTS`` instead:
    the database then walks the records in the order of the index on their last change and
    stops at the few it needs, where ``IN`` would read and sort every record of the area.
    """

    def __init__(self, *args, broad=False, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs["distinct"] = False
        self.broad = broad
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        relation = qs.model._meta.get_field(self.field_name)
        if not relation.many_to_many:
            return qs.filter(**{f"{self.field_name}__in": value})
        links = relation.remote_field.through._base_manager
        matching = links.filter(**{f"{relation.m2m_reverse_field_name()}__in": value})
        if self.broad and getattr(self.parent, "latest_first", False):
            return qs.filter(Exists(matching.filter(**{relation.m2m_field_name(): OuterRef("pk")})))
        return qs.filter(pk__in=matching.values(relation.m2m_field_name()))


class ChoicesFilter(filters.MultipleChoiceFilter):
    """An "any of" filter over a choice field, shown as checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs["distinct"] = False
        super().__init__(*args, **kwargs)


class SearchFilter(filters.CharFilter):
    """Free-text search over names, acronyms, titles and summaries."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Search")
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return search(qs, value) if value and value.strip() else qs


class DateInput(forms.DateInput):
    """A date picker; it shows an ISO date or nothing.

    HTML allows a type="date" input only a yyyy-mm-dd value, so a malformed date from the
    query string is not echoed back into it: the error message above the form names it.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        value = super().format_value(value)
        if isinstance(value, str):
            try:
                datetime.datetime.strptime(value, "%Y-%m-%d")
            except ValueError:
                return None
        return value


class WorksInAreaFilter(RelatedSlugsFilter):
    """Organisations that work in any of the chosen areas: they declare the area, or take part
    in a published activity in it (partnerships/works_in.py)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(pk__in=works_in.organisations_working_in(getattr(self.parent, "request", None), value))


class SortFilter(filters.ChoiceFilter):
    """The order of a register: ``sort`` takes one of the register's orderings, the first by default.

    ``orderings`` maps each value to its label and the fields it orders by; undated records
    come last either way, and the record id breaks ties, so that pages never repeat a row.
    Without ``sort``, a text search on PostgreSQL keeps its order by relevance.
    """

    def __init__(self, orderings, **kwargs):
        self.orderings = orderings
        kwargs.setdefault("label", "Sort by")
        kwargs["choices"] = [(value, label) for value, (label, _) in orderings.items()]
        kwargs["empty_label"] = None
        kwargs["null_label"] = None
        super().__init__(**kwargs)

    @property
    def default(self):
        return next(iter(self.orderings))

    def filter(self, qs, value):
        """Order ``qs``; the filter set remembers the ordering used as ``sorted_by`` (None: relevance)."""
        if not value and qs.query.order_by:  # ordered by search relevance
            self.parent.sorted_by = None
            return qs
        value = value or self.default
        self.parent.sorted_by = value
        names = self.orderings[value][1]
        tie_break = [] if names[-1].removeprefix("-") == "id" else ["pk"]
        return qs.order_by(*(order_by(qs.model, name) for name in names), *tie_break)


def order_by(model, name):
    """An ordering for ``name`` ("-signed_on"): a field that may be empty has its empty values
    last in both directions; the others are ordered plainly, as their indexes are."""
    field = name.removeprefix("-")
    if not model._meta.get_field(field).null:
        return name
    return F(field).desc(nulls_last=True) if name.startswith("-") else F(field).asc(nulls_last=True)


# The values of ``sort`` (fixed by the public contract), their labels and the fields they order by.
# "Recently updated" follows the last public change, as the record pages, the feeds and the change
# log date it (an edit the public cannot see moves nothing), with the latest id first among
# records changed together, in the feeds' order.
RECENTLY_UPDATED = ("Recently updated", ["-public_changed_at", "-id"])
ORGANISATION_ORDERINGS = {
    "name": ("Name", ["name"]),
    "-updated": RECENTLY_UPDATED,
}
AGREEMENT_ORDERINGS = {
    "title": ("Title", ["title"]),
    "signed_on": ("Signed on, earliest first", ["signed_on"]),
    "-signed_on": ("Signed on, latest first", ["-signed_on"]),
    "expires_on": ("Expires on, earliest first", ["expires_on"]),
    "-updated": RECENTLY_UPDATED,
}
ACTIVITY_ORDERINGS = {
    "title": ("Title", ["title"]),
    "starts_on": ("Planned start, earliest first", ["starts_on"]),
    "-starts_on": ("Planned start, latest first", ["-starts_on"]),
    "-updated": RECENTLY_UPDATED,
}


class OrganisationFilter(filters.FilterSet):
    q = SearchFilter(help_text="Name, acronym or summary")
    area = WorksInAreaFilter(
        field_name="areas", queryset=CooperationArea.objects.published(), label="Cooperation area"
    )
    kind = ChoicesFilter(choices=Organisation.Kind.choices, label="Kind of organisation")
    relationship = ChoicesFilter(choices=Organisation.Relationship.choices, label="Relationship")
    sort = SortFilter(ORGANISATION_ORDERINGS)

    class Meta:
        model = Organisation
        fields = ["q", "area", "kind", "relationship", "sort"]


class AgreementFilter(filters.FilterSet):
    q = SearchFilter(help_text="Title or summary")
    organisation = RelatedSlugsFilter(
        field_name="organisation", queryset=published_organisations, label="Organisation"
    )
    area = RelatedSlugsFilter(
        field_name="areas", queryset=CooperationArea.objects.published(), label="Cooperation area", broad=True
    )
    kind = ChoicesFilter(choices=Agreement.Kind.choices, label="Kind of agreement")
    status = ChoicesFilter(choices=Agreement.Status.choices, label="Status")
    signed_after = filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", label="Signed on or after", widget=DateInput
    )
    signed_before = filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", label="Signed on or before", widget=DateInput
    )
    sort = SortFilter(AGREEMENT_ORDERINGS)

    class Meta:
        model = Agreement
        fields = ["q", "organisation", "area", "kind", "status", "signed_after", "signed_before", "sort"]


class CooperationActivityFilter(filters.FilterSet):
    q = SearchFilter(help_text="Title or summary")
    area = RelatedSlugsFilter(
        field_name="areas", queryset=CooperationArea.objects.published(), label="Cooperation area", broad=True
    )
    organisation = RelatedSlugsFilter(
        field_name="partners",
        queryset=published_organisations,
        label="Partner organisation",
    )
    region = RelatedSlugsFilter(field_name="regions", queryset=Region.objects.published(), label="Region", broad=True)
    status = ChoicesFilter(choices=CooperationActivity.Status.choices, label="Status")
    priority = ChoicesFilter(choices=CooperationActivity.Priority.choices, label="Priority")
    sort = SortFilter(ACTIVITY_ORDERINGS)

    class Meta:
        model = CooperationActivity
        fields = ["q", "area", "organisation", "region", "status", "priority", "sort"]
