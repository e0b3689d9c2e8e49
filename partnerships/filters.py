"""The filters of the public registers.

Parameter names and values are part of the public contract (docs/contract.md, "Public URLs"):
several values of one parameter mean "any of", different parameters combine with "and".
"""

import datetime

import django_filters as filters
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .caching import cached
from .models import Agreement, CooperationActivity, CooperationArea, Organisation, Region
from .search import search

# Longer search terms are refused: no title or name in the registry comes close.
SEARCH_MAX_LENGTH = 200


def published_organisations(request=None):
    return Organisation.objects.published().only("pk", "slug", "name", "acronym")


def organisation_options():
    """The organisation filter's options as HTML, rendered once per registry version."""
    return [
        (
            organisation.slug,
            str(organisation),
            format_html('<option value="{}">{}</option>', organisation.slug, organisation),
        )
        for organisation in published_organisations()
    ]


class OrganisationSelect(forms.SelectMultiple):
    """The organisations as a ``<select multiple>``: some 2,000 options on every register page.

    Django renders each option of a select through a template, which at that number costs
    more than all the rest of the page. Here the options are rendered once per registry
    version (``organisation_options``) and only the selected ones are rendered per request.
    The filter set gives the widget the request, which carries the registry version.
    """

    request = None

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = [
            format_html('<option value="{}" selected>{}</option>', slug, label) if slug in selected else html
            for slug, label, html in cached(self.request, "organisation-options", organisation_options)
        ]
        attrs = {**self.build_attrs(self.attrs, attrs), "multiple": True}
        # The markup of Django's templates for the widget (forms/widgets/select.html and attrs.html).
        attributes = format_html_join(
            "",
            " {}{}",
            (
                (attribute, "" if value is True else format_html('="{}"', value))
                for attribute, value in attrs.items()
                if value is not False
            ),
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', name, attributes, mark_safe("".join(f"\n  {o}\n" for o in options))
        )


class RelatedSlugsFilter(filters.ModelMultipleChoiceFilter):
    """An "any of" filter over a relation, chosen by slug.

    Over a many-to-many relation it matches through a ``pk IN (subquery)`` on the link table
    instead of a join, so that rows linked to several chosen values appear once without a
    ``DISTINCT`` over the whole table, and the subquery is answered from the link table's index
    alone. A foreign key is matched directly.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs["distinct"] = False
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        relation = qs.model._meta.get_field(self.field_name)
        if not relation.many_to_many:
            return qs.filter(**{f"{self.field_name}__in": value})
        links = relation.remote_field.through._base_manager
        matching = links.filter(**{f"{relation.m2m_reverse_field_name()}__in": value}).values(
            relation.m2m_field_name()
        )
        return qs.filter(pk__in=matching)


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


class OrganisationSelectMixin:
    """Gives the organisation filter's widget the request, for the registry version."""

    @property
    def form(self):
        form = super().form
        form.fields["organisation"].widget.request = self.request
        return form


class OrganisationFilter(filters.FilterSet):
    q = SearchFilter(help_text="Name, acronym or summary")
    area = RelatedSlugsFilter(
        field_name="areas", queryset=CooperationArea.objects.published(), label="Cooperation area"
    )
    kind = ChoicesFilter(choices=Organisation.Kind.choices, label="Kind of organisation")
    relationship = ChoicesFilter(choices=Organisation.Relationship.choices, label="Relationship")

    class Meta:
        model = Organisation
        fields = ["q", "area", "kind", "relationship"]


class AgreementFilter(OrganisationSelectMixin, filters.FilterSet):
    q = SearchFilter(help_text="Title or summary")
    organisation = RelatedSlugsFilter(
        field_name="organisation", queryset=published_organisations, label="Organisation", widget=OrganisationSelect
    )
    area = RelatedSlugsFilter(
        field_name="areas", queryset=CooperationArea.objects.published(), label="Cooperation area"
    )
    kind = ChoicesFilter(choices=Agreement.Kind.choices, label="Kind of agreement")
    status = ChoicesFilter(choices=Agreement.Status.choices, label="Status")
    signed_after = filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", label="Signed on or after", widget=DateInput
    )
    signed_before = filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", label="Signed on or before", widget=DateInput
    )

    class Meta:
        model = Agreement
        fields = ["q", "organisation", "area", "kind", "status", "signed_after", "signed_before"]


class CooperationActivityFilter(OrganisationSelectMixin, filters.FilterSet):
    q = SearchFilter(help_text="Title or summary")
    area = RelatedSlugsFilter(
        field_name="areas", queryset=CooperationArea.objects.published(), label="Cooperation area"
    )
    organisation = RelatedSlugsFilter(
        field_name="partners",
        queryset=published_organisations,
        label="Partner organisation",
        widget=OrganisationSelect,
    )
    region = RelatedSlugsFilter(field_name="regions", queryset=Region.objects.published(), label="Region")
    status = ChoicesFilter(choices=CooperationActivity.Status.choices, label="Status")
    priority = ChoicesFilter(choices=CooperationActivity.Priority.choices, label="Priority")

    class Meta:
        model = CooperationActivity
        fields = ["q", "area", "organisation", "region", "status", "priority"]
