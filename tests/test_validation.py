"""Validation in the admin: bad input comes back as messages on the form's fields, never as a 500."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnerships.models import Agreement, CooperationActivity, CooperationArea, Organisation

from .admin_forms import empty_inlines, organisation_form

PARTNER_NEEDED = "A published activity needs at least one partner organisation."


def admin_url(model, action, *args):
    return reverse(f"admin:partnerships_{model._meta.model_name}_{action}", args=args)


def activity_form(**fields):
    data = {"title": "Joint training", "slug": "joint-training", "status": "planned", "priority": "normal"}
    return {**data, **empty_inlines("cooperationactivity"), **fields}


def form_errors(response):
    return {field: list(errors) for field, errors in response.context["adminform"].form.errors.items()}


def test_an_organisation_cannot_be_its_own_parent(admin_client, registry):
    who = Organisation.objects.get(slug="who")

    response = admin_client.post(admin_url(Organisation, "change", who.pk), organisation_form(who, parent=who.pk))

    assert response.status_code == 200
    assert form_errors(response) == {"parent": ["An organisation cannot be its own parent."]}
    assert response.content.decode().count("An organisation cannot be its own parent.") == 1
    who.refresh_from_db()
    assert who.parent is None


def test_an_organisation_cannot_be_placed_under_its_own_sub_organisation(admin_client, registry):
    osce = Organisation.objects.get(slug="osce")
    odihr = Organisation.objects.get(slug="odihr")

    response = admin_client.post(admin_url(Organisation, "change", osce.pk), organisation_form(osce, parent=odihr.pk))

    assert response.status_code == 200
    assert form_errors(response) == {"parent": [f"{odihr} is under this organisation, so it cannot be its parent."]}
    osce.refresh_from_db()
    assert osce.parent is None


def test_the_ancestry_check_walks_the_whole_chain(registry):
    osce = Organisation.objects.get(slug="osce")
    odihr = Organisation.objects.get(slug="odihr")
    unit = Organisation.objects.create(
        name="Example unit", acronym="UNIT", slug="unit", kind="institution", relationship="active", parent=odihr
    )

    osce.parent = unit
    with pytest.raises(ValidationError) as error:
        osce.full_clean()
    assert error.value.message_dict == {"parent": [f"{unit} is under this organisation, so it cannot be its parent."]}


def test_any_existing_organisation_may_be_the_parent_of_a_new_one(admin_client, registry):
    odihr = Organisation.objects.get(slug="odihr")
    data = organisation_form(
        Organisation(name="Example unit", acronym="UNIT", slug="unit", kind="institution", relationship="active"),
        parent=odihr.pk,
    )

    response = admin_client.post(admin_url(Organisation, "add"), data)

    assert response.status_code == 302
    assert Organisation.objects.get(slug="unit").parent == odihr


@pytest.mark.parametrize(
    "date_field, message",
    [
        ("in_force_from", "An agreement cannot be in force before it is signed."),
        ("expires_on", "The expiry date cannot be before the signature date."),
    ],
)
def test_an_agreement_with_dates_out_of_order_is_refused_on_the_form(admin_client, registry, date_field, message):
    response = admin_client.post(
        admin_url(Agreement, "add"),
        {
            "title": "Backwards",
            "organisation": Organisation.objects.get(slug="iom").pk,
            "kind": "other",
            "status": "expired",
            "signed_on": "2024-05-01",
            date_field: "2024-04-01",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {"__all__": [message]}
    assert not Agreement.objects.exists()


def test_a_malformed_date_is_a_field_error(admin_client, registry):
    response = admin_client.post(
        admin_url(CooperationActivity, "add"), activity_form(starts_on="2025-13-45", ends_on="soon")
    )

    assert response.status_code == 200
    assert form_errors(response) == {"starts_on": ["Enter a valid date."], "ends_on": ["Enter a valid date."]}


def test_a_published_activity_needs_a_partner(admin_client, registry):
    response = admin_client.post(admin_url(CooperationActivity, "add"), activity_form(is_published="on"))

    assert response.status_code == 200
    assert form_errors(response) == {"partners": [PARTNER_NEEDED]}
    assert not CooperationActivity.objects.filter(slug="joint-training").exists()


def test_a_published_activity_may_have_no_area_where_its_source_names_none(admin_client, registry):
    """The shipped "Reviewing and strengthening existing partnership frameworks" names no area,
    as its source names none; an editor correcting a typo in it must be able to save it as it is."""
    activity = CooperationActivity.objects.get(slug="reviewing-and-strengthening-partnership-frameworks")
    assert not activity.areas.exists() and activity.is_published
    data = {
        "title": "Reviewing and strengthening existing partnership frameworks (corrected)",
        "slug": activity.slug,
        "summary": activity.summary,
        "status": activity.status,
        "priority": activity.priority,
        "partners": [partner.pk for partner in activity.partners.all()],
        "is_published": "on",
        "version": activity.version,
        **empty_inlines("cooperationactivity"),
    }

    response = admin_client.post(admin_url(CooperationActivity, "change", activity.pk), data)

    assert response.status_code == 302, form_errors(response)
    activity.refresh_from_db()
    assert activity.title.endswith("(corrected)") and activity.is_published
    assert activity.citations.count() == 1  # the citation is left as it was


def test_a_draft_activity_may_wait_for_its_partners_and_areas(admin_client, registry):
    response = admin_client.post(admin_url(CooperationActivity, "add"), activity_form())

    assert response.status_code == 302
    assert not CooperationActivity.objects.get(slug="joint-training").is_published


def test_an_activity_with_a_partner_and_an_area_is_published(admin_client, registry):
    data = activity_form(
        is_published="on",
        partners=[Organisation.objects.get(slug="iom").pk],
        areas=[CooperationArea.objects.get(slug="return").pk],
    )

    response = admin_client.post(admin_url(CooperationActivity, "add"), data)

    assert response.status_code == 302
    activity = CooperationActivity.objects.get(slug="joint-training")
    assert activity.is_published
    assert [p.slug for p in activity.partners.all()] == ["iom"]


def test_a_published_activity_cannot_lose_its_last_partner_even_where_the_flag_is_read_only(
    client, django_user_model, registry
):
    user = django_user_model.objects.create_user("carl", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_cooperationactivity", "change_cooperationactivity"])
    )
    client.force_login(user)
    activity = CooperationActivity.objects.get(slug="health-and-safety-measures-at-the-borders")
    data = {
        "title": activity.title,
        "slug": activity.slug,
        "status": activity.status,
        "priority": activity.priority,
        "areas": [area.pk for area in activity.areas.all()],
        "partners": [],
        "version": activity.version,
        **empty_inlines("cooperationactivity"),
    }

    response = client.post(admin_url(CooperationActivity, "change", activity.pk), data)

    assert response.status_code == 200
    assert form_errors(response) == {"partners": [PARTNER_NEEDED]}
    assert [p.slug for p in activity.partners.all()] == ["who"]


def test_the_publish_action_leaves_incomplete_activities_unpublished(admin_client, registry):
    complete = CooperationActivity.objects.get(slug="fields-deployment")
    CooperationActivity.objects.filter(pk=complete.pk).update(is_published=False)
    incomplete = CooperationActivity.objects.create(title="Idea", slug="idea")
    incomplete.areas.add(CooperationArea.objects.get(slug="return"))

    response = admin_client.post(
        admin_url(CooperationActivity, "changelist"),
        {"action": "publish", "_selected_action": [complete.pk, incomplete.pk]},
        follow=True,
    )

    assert dict(
        CooperationActivity.objects.filter(slug__in=["fields-deployment", "idea"]).values_list("slug", "is_published")
    ) == {
        "fields-deployment": True,
        "idea": False,
    }
    assert [str(m) for m in response.context["messages"]] == [
        "1 activity not published: it needs a partner organisation first.",
        "1 record published.",
    ]


@pytest.mark.parametrize("value", ["not a link", "https://", "javascript:alert(1)"])
def test_a_website_must_be_a_valid_url(admin_client, registry, value):
    who = Organisation.objects.get(slug="who")

    response = admin_client.post(admin_url(Organisation, "change", who.pk), organisation_form(who, website=value))

    assert response.status_code == 200
    assert form_errors(response) == {"website": ["Enter a valid URL."]}
    who.refresh_from_db()
    assert who.website == "https://who.int"


def test_a_website_typed_without_a_scheme_is_taken_as_https(admin_client, registry):
    who = Organisation.objects.get(slug="who")

    response = admin_client.post(
        admin_url(Organisation, "change", who.pk), organisation_form(who, website="www.who.int/emergencies")
    )

    assert response.status_code == 302
    who.refresh_from_db()
    assert who.website == "https://www.who.int/emergencies"


def test_an_agreement_document_link_must_be_a_valid_url(admin_client, registry):
    response = admin_client.post(
        admin_url(Agreement, "add"),
        {
            "title": "Example",
            "organisation": Organisation.objects.get(slug="iom").pk,
            "kind": "other",
            "status": "in-force",
            "document_url": "http://exa mple.org/doc.pdf",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == {"document_url": ["Enter a valid URL."]}
