"""How the API writes each record: a JSON object with absolute links.

Every object carries its slug (agreements: id), the address of its public page (``url``) and
of itself in the API (``api_url``). Related records are named briefly, as
``{slug, name, api_url}``; the view that reads them keeps unpublished ones out.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Agreement, CooperationActivity, CooperationArea, Organisation, Region, SourceDocument
from ..provenance import Precision, machine_date


def absolute(request, path):
    return request.build_absolute_uri(path)


def api_url(request, collection, key):
    """The absolute API address of one record; the route is reversed once per request and collection."""
    makers = request.__dict__.setdefault("_api_url_makers", {})
    if collection not in makers:
        placeholder = "987654321987654321"  # valid both as a slug and as a record id
        before, after = absolute(request, reverse(f"api:{collection}-detail", args=[placeholder])).split(placeholder)
        makers[collection] = (before, after)
    before, after = makers[collection]
    return f"{before}{key}{after}"


def collection_url(request, collection, **filters):
    """The absolute API address of a collection, filtered."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return absolute(request, reverse(f"api:{collection}-list") + (f"?{query}" if query else ""))


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class OptionalURLField(serializers.URLField):
    """An address that may be unknown: null then, rather than an empty string."""

    def to_representation(self, value):
        return value or None


class Link(serializers.Serializer):
    """A related record, briefly: its slug, its name and where the API has it."""

    slug = serializers.CharField()
    name = serializers.CharField()
    api_url = serializers.URLField()

    collection = None
    name_attribute = "name"

    def to_representation(self, record):
        return {
            "slug": record.slug,
            "name": getattr(record, self.name_attribute),
            "api_url": api_url(self.context["request"], self.collection, record.slug),
        }


class OrganisationLink(Link):
    collection = "organisation"


class AreaLink(Link):
    collection = "area"


class RegionLink(Link):
    collection = "region"


class ActivityLink(Link):
    collection = "activity"
    name_attribute = "title"


class AgreementLink(serializers.Serializer):
    """An agreement, briefly: its id, its title and where the API has it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    api_url = serializers.URLField()

    def to_representation(self, agreement):
        return {
            "id": agreement.pk,
            "name": agreement.title,
            "api_url": api_url(self.context["request"], "agreement", agreement.pk),
        }


class SourceLink(serializers.Serializer):
    """A source document, briefly: its slug, its title and where the API has it."""

    slug = serializers.CharField()
    title = serializers.CharField()
    api_url = serializers.URLField()

    def to_representation(self, source):
        return {
            "slug": source.slug,
            "title": source.title,
            "api_url": api_url(self.context["request"], "source", source.slug),
        }


class CitationSerializer(serializers.Serializer):
    """Where a statement comes from: the source, the passage quoted word for word, where it stands."""

    source = SourceLink()
    passage = serializers.CharField(help_text="The passage of the source, quoted word for word; blank where unknown.")
    locator = serializers.CharField(help_text="Where in the source the passage stands (page, section); may be blank.")
    note = serializers.CharField(help_text="What the passage supports, where not obvious; may be blank.")


class DatedFactSerializer(serializers.Serializer):
    """Something that happened on a date, with the date's precision and its citations."""

    slug = serializers.CharField()
    date = serializers.SerializerMethodField(help_text="As far as it is known: 2009, 2022-04 or 2022-04-01.")
    precision = serializers.ChoiceField(choices=Precision.choices)
    since = serializers.BooleanField(source="continuing", help_text="The fact started then and still holds.")
    statement = serializers.CharField()
    citations = CitationSerializer(many=True)

    @extend_schema_field({"type": "string", "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"})
    def get_date(self, fact):
        return machine_date(fact.date, fact.precision)


class RecordSerializer(serializers.ModelSerializer):
    """What every record of the registry carries besides its own fields."""

    url = serializers.SerializerMethodField(help_text="The record's public page.")
    api_url = serializers.SerializerMethodField(help_text="This record in the API.")
    last_changed_on = serializers.SerializerMethodField(
        help_text="The day what the public sees of the record last changed."
    )

    collection = None
    key = "slug"

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, record):
        return absolute(self.context["request"], record.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, record):
        return api_url(self.context["request"], self.collection, getattr(record, self.key))

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_changed_on(self, record):
        changed_on = record.last_public_change_on
        return changed_on.isoformat() if changed_on else None


class CitedSerializer(RecordSerializer):
    """A record whose statements carry their citations and dated facts."""

    citations = CitationSerializer(many=True, read_only=True, help_text="Where the record's statements come from.")


class OrganisationSerializer(CitedSerializer):
    """An international organisation the agency cooperates with."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    relationship_label = serializers.CharField(source="get_relationship_display", read_only=True)
    parent = serializers.SerializerMethodField(help_text="The organisation this one is a body of.")
    sub_organisations = OrganisationLink(many=True, read_only=True)
    areas = AreaLink(many=True, read_only=True)
    website = OptionalURLField(read_only=True)
    dated_facts = DatedFactSerializer(many=True, read_only=True, help_text="What happened when, each cited.")
    agreements_api_url = serializers.SerializerMethodField(help_text="The agreements made with the organisation.")
    activities_api_url = serializers.SerializerMethodField(help_text="The activities the organisation takes part in.")

    collection = "organisation"

    class Meta:
        model = Organisation
        fields = [
            "slug", "acronym", "name", "kind", "kind_label", "relationship", "relationship_label", "parent",
            "sub_organisations", "headquarters_city", "headquarters_country", "website", "summary", "areas",
            "citations", "dated_facts", "url", "api_url", "agreements_api_url", "activities_api_url",
            "last_changed_on",
        ]  # fmt: skip

    @extend_schema_field(OrganisationLink(allow_null=True))
    def get_parent(self, organisation):
        parent = organisation.parent
        if parent is None or not parent.is_published:
            return None
        return OrganisationLink(parent, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_agreements_api_url(self, organisation):
        return collection_url(self.context["request"], "agreement", organisation=organisation.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_activities_api_url(self, organisation):
        return collection_url(self.context["request"], "activity", organisation=organisation.slug)


class AgreementSerializer(CitedSerializer):
    """A formal instrument between the agency and an organisation."""

    organisation = OrganisationLink(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    areas = AreaLink(many=True, read_only=True)
    supersedes = serializers.SerializerMethodField(help_text="The earlier agreement this one replaces.")
    superseded_by = AgreementLink(many=True, read_only=True, help_text="Later agreements that replace this one.")
    document_url = OptionalURLField(read_only=True, help_text="The agreement's text.")

    collection = "agreement"
    key = "pk"

    class Meta:
        model = Agreement
        fields = [
            "id", "title", "organisation", "kind", "kind_label", "status", "status_label", "signed_on",
            "in_force_from", "expires_on", "areas", "supersedes", "superseded_by", "document_url", "summary",
            "citations", "url", "api_url", "last_changed_on",
        ]  # fmt: skip

    @extend_schema_field(AgreementLink(allow_null=True))
    def get_supersedes(self, agreement):
        earlier = agreement.supersedes
        if earlier is None or not (earlier.is_published and earlier.organisation.is_published):
            return None
        return AgreementLink(earlier, context=self.context).data


class ActivitySerializer(CitedSerializer):
    """Something the agency does or plans with one or more organisations."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    partners = OrganisationLink(many=True, read_only=True)
    areas = AreaLink(many=True, read_only=True)
    regions = RegionLink(many=True, read_only=True)
    agreement = serializers.SerializerMethodField(help_text="The agreement the activity runs under.")
    dated_facts = DatedFactSerializer(many=True, read_only=True, help_text="What happened when, each cited.")

    collection = "activity"

    class Meta:
        model = CooperationActivity
        fields = [
            "slug", "title", "summary", "status", "status_label", "priority", "priority_label", "partners",
            "areas", "regions", "starts_on", "ends_on", "agreement", "citations", "dated_facts", "url",
            "api_url", "last_changed_on",
        ]  # fmt: skip

    @extend_schema_field(AgreementLink(allow_null=True))
    def get_agreement(self, activity):
        agreement = activity.agreement
        if agreement is None or not (agreement.is_published and agreement.organisation.is_published):
            return None
        return AgreementLink(agreement, context=self.context).data


class AreaSerializer(RecordSerializer):
    """A field of cooperation from the controlled vocabulary."""

    organisations_api_url = serializers.SerializerMethodField(help_text="The organisations working in the area.")
    activities_api_url = serializers.SerializerMethodField(help_text="The activities in the area.")

    collection = "area"

    class Meta:
        model = CooperationArea
        fields = [
            "slug", "name", "description", "display_order", "url", "api_url", "organisations_api_url",
            "activities_api_url", "last_changed_on",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_organisations_api_url(self, area):
        return collection_url(self.context["request"], "organisation", area=area.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_activities_api_url(self, area):
        return collection_url(self.context["request"], "activity", area=area.slug)


class RegionSerializer(RecordSerializer):
    """The geographic scope of activities: a region or a single country."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    collection = "region"

    class Meta:
        model = Region
        fields = ["slug", "name", "kind", "kind_label", "url", "api_url", "last_changed_on"]


class SourceSerializer(RecordSerializer):
    """A document the registry's statements are quoted from."""

    document_url = OptionalURLField(source="url", read_only=True, help_text="The document's own address.")

    collection = "source"

    class Meta:
        model = SourceDocument
        fields = ["slug", "title", "publisher", "published_on", "document_url", "url", "api_url", "last_changed_on"]
