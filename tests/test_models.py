"""Database constraints, natural keys and the published() querysets."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    Region,
    SourceDocument,
)

from .admin_forms import empty_inlines

pytestmark = pytest.mark.django_db


def make_organisation(slug="org", **fields):
    fields.setdefault("name", f"Organisation {slug}")
    fields.setdefault("acronym", slug.upper())
    fields.setdefault("kind", Organisation.Kind.UN_SYSTEM)
    fields.setdefault("relationship", Organisation.Relationship.ACTIVE)
    return Organisation.objects.create(slug=slug, **fields)


def test_the_database_rejects_an_agreement_that_expires_before_it_is_signed():
    organisation = make_organisation()
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            title="Backwards",
            organisation=organisation,
            kind=Agreement.Kind.OTHER,
            status=Agreement.Status.IN_FORCE,
            signed_on=datetime.date(2024, 5, 1),
            expires_on=datetime.date(2024, 4, 30),
        )


def test_an_agreement_may_expire_on_the_day_it_is_signed_or_leave_dates_open():
    organisation = make_organisation()
    same_day = datetime.date(2024, 5, 1)
    Agreement.objects.create(
        title="One day",
        organisation=organisation,
        kind="other",
        status="expired",
        signed_on=same_day,
        expires_on=same_day,
    )
    Agreement.objects.create(title="Undated", organisation=organisation, kind="other", status="under-negotiation")
    assert Agreement.objects.count() == 2


def test_validation_names_the_expiry_date_problem():
    agreement = Agreement(
        title="Backwards",
        organisation=make_organisation(),
        kind="other",
        status="in-force",
        signed_on=datetime.date(2024, 5, 1),
        expires_on=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="expiry date cannot be before the signature date"):
        agreement.full_clean()


def test_the_database_rejects_an_activity_that_ends_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        CooperationActivity.objects.create(
            title="Backwards", slug="backwards", starts_on=datetime.date(2025, 1, 2), ends_on=datetime.date(2025, 1, 1)
        )


def test_the_database_rejects_an_organisation_that_is_its_own_parent():
    organisation = make_organisation()
    organisation.parent_id = organisation.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        organisation.save()


def test_the_database_rejects_duplicate_slugs_and_acronyms():
    make_organisation("iom")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_organisation("iom", acronym="OTHER")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_organisation("other", acronym="IOM")
    CooperationArea.objects.create(name="Return", slug="return")
    with pytest.raises(IntegrityError), transaction.atomic():
        CooperationArea.objects.create(name="Return again", slug="return")


def test_organisation_names_are_unique_in_any_case():
    make_organisation("who", name="World Health Organization", acronym="WHO")
    twin = Organisation(
        name="world health organization", acronym="WHO-2", slug="who-2", kind="un-system", relationship="active"
    )

    with pytest.raises(ValidationError) as refused:
        twin.full_clean()

    assert refused.value.messages == ["An organisation with this name (in any case) already exists."]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert Organisation.objects.filter(name__iexact="world health organization").count() == 1


def test_the_admin_refuses_an_organisation_name_differing_only_in_case(admin_client):
    make_organisation("who", name="World Health Organization", acronym="WHO")

    response = admin_client.post(
        reverse("admin:partnerships_organisation_add"),
        {
            "name": "WORLD HEALTH ORGANIZATION",
            "acronym": "WHO-2",
            "slug": "who-2",
            "kind": "un-system",
            "relationship": "active",
            **empty_inlines("organisation"),
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["An organisation with this name (in any case) already exists."]
    assert list(Organisation.objects.values_list("name", flat=True)) == ["World Health Organization"]


@pytest.mark.parametrize(
    ("model", "fields", "message"),
    [
        (CooperationArea, {"name": "Return"}, "A cooperation area with this slug (in any case) already exists."),
        (Region, {"name": "Western Balkans"}, "A region with this slug (in any case) already exists."),
        (SourceDocument, {"title": "Annual report"}, "A source document with this slug (in any case) already exists."),
        (
            CooperationActivity,
            {"title": "Joint training"},
            "A cooperation activity with this slug (in any case) already exists.",
        ),
    ],
)
def test_slugs_are_unique_in_any_case(model, fields, message):
    model.objects.create(slug="return", **fields)
    twin = model(slug="Return", **{name: f"{value} again" for name, value in fields.items()})

    with pytest.raises(ValidationError) as refused:
        twin.full_clean()

    assert refused.value.messages == [message]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert list(model.objects.values_list("slug", flat=True)) == ["return"]


def test_published_returns_only_published_records():
    shown = make_organisation("shown", is_published=True)
    make_organisation("draft", is_published=False)
    assert list(Organisation.objects.published()) == [shown]


def test_saving_stamps_the_change_time_but_keeps_the_creation_time():
    organisation = make_organisation()
    created, updated = organisation.created_at, organisation.updated_at
    organisation.summary = "Changed"
    organisation.save(update_fields=["summary"])
    organisation.refresh_from_db()
    assert organisation.created_at == created
    assert organisation.updated_at > updated


def test_models_describe_themselves():
    organisation = make_organisation("iom", name="International Organization for Migration")
    assert str(organisation) == "International Organization for Migration (IOM)"
    assert str(Organisation(name="Council of Europe (CoE)", acronym="CoE")) == "Council of Europe (CoE)"


def snapshot():
    return {
        "areas": sorted(CooperationArea.objects.values_list("slug", "name", "display_order")),
        "regions": sorted(Region.objects.values_list("slug", "kind")),
        "sources": sorted(SourceDocument.objects.values_list("slug", "title")),
        "organisations": sorted(
            (o.slug, o.relationship, o.kind, o.parent.slug if o.parent else None, tuple(a.slug for a in o.areas.all()))
            for o in Organisation.objects.prefetch_related("areas").select_related("parent")
        ),
        "activities": sorted(
            (a.slug, a.status, a.priority, tuple(p.slug for p in a.partners.all()))
            for a in CooperationActivity.objects.prefetch_related("partners")
        ),
        "citations": sorted(
            (str(c.key), c.source.slug, c.passage, c.locator, str(c.record)) for c in Citation.objects.all()
        ),
        "facts": sorted(
            (f.slug, f.date, f.precision, f.statement, tuple(o.slug for o in f.organisations.all()))
            for f in DatedFact.objects.all()
        ),
    }


def test_natural_keys_round_trip_through_dumpdata_and_loaddata(registry, tmp_path):
    """A dump with natural keys, loaded into an emptied database, gives back the same records."""
    dump = tmp_path / "registry.json"
    call_command(
        "dumpdata",
        "partnerships",
        exclude=["partnerships.RegistryVersion"],  # the page caches' counter, not registry data
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
    )
    assert all("pk" not in record for record in json.loads(dump.read_text()))
    before = snapshot()

    Citation.objects.all().delete()
    DatedFact.objects.all().delete()
    CooperationActivity.objects.all().delete()
    Organisation.objects.filter(parent__isnull=False).delete()
    Organisation.objects.all().delete()
    for model in (SourceDocument, Region, CooperationArea):
        model.objects.all().delete()
    assert snapshot() == {key: [] for key in before}

    call_command("loaddata", str(dump), verbosity=0)
    assert snapshot() == before
