"""Publishing keeps records whole: a record whose public page would show drafts (partners,
organisation, agreement, sources, parent) is refused with their names, or published together
with them by someone who may publish each; and the review dashboard lists what slipped through."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    SourceDocument,
)

from .admin_forms import empty_inlines

ACTIVITY = "health-and-safety-measures-at-the-borders"  # with WHO as its partner


def activity_form(activity, **changes):
    data = {
        "title": activity.title,
        "slug": activity.slug,
        "summary": activity.summary,
        "status": activity.status,
        "priority": activity.priority,
        "partners": [p.pk for p in activity.partners.all()],
        "areas": [a.pk for a in activity.areas.all()],
        "regions": [r.pk for r in activity.regions.all()],
        "agreement": activity.agreement_id or "",
        "version": activity.version,
        **empty_inlines("cooperationactivity"),
    }
    if activity.is_published:
        data["is_published"] = "on"
    return {**data, **changes}


@pytest.fixture
def draft_activity_with_draft_partner(registry):
    Organisation.objects.filter(slug="who").update(is_published=False)
    CooperationActivity.objects.filter(slug=ACTIVITY).update(is_published=False)
    return CooperationActivity.objects.get(slug=ACTIVITY)


def change_url(record):
    return reverse(f"admin:partnerships_{record._meta.model_name}_change", args=[record.pk])


def test_publishing_on_the_form_is_refused_naming_the_draft_partner(admin_client, draft_activity_with_draft_partner):
    activity = draft_activity_with_draft_partner
    response = admin_client.post(change_url(activity), activity_form(activity, is_published="on"))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith(
        "Its public page would leave out what is still a draft: World Health Organization (WHO) (organisation)."
    )
    activity.refresh_from_db()
    assert not activity.is_published


def test_ticking_publish_drafts_too_publishes_them_together(admin_client, draft_activity_with_draft_partner):
    activity = draft_activity_with_draft_partner
    response = admin_client.post(
        change_url(activity), activity_form(activity, is_published="on", publish_drafts_too="on")
    )

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.is_published
    who = Organisation.objects.get(slug="who")
    assert who.is_published
    assert who.history.get().history_change_reason == "Published"


def test_someone_who_may_not_publish_the_partner_is_told_so(
    client, draft_activity_with_draft_partner, django_user_model
):
    user = django_user_model.objects.create_user("pia", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_cooperationactivity", "change_cooperationactivity", "publish_cooperationactivity"]
        )
    )
    client.force_login(user)
    activity = draft_activity_with_draft_partner

    response = client.post(change_url(activity), activity_form(activity, is_published="on", publish_drafts_too="on"))

    [error] = response.context["adminform"].form.non_field_errors()
    assert "You may not publish World Health Organization (WHO) (organisation)" in error
    assert not Organisation.objects.get(slug="who").is_published


def test_adding_a_draft_partner_to_a_published_activity_is_saved_with_a_warning(admin_client, registry):
    # Nothing more becomes public: the page leaves the draft out, the editor is told so, and
    # the review dashboard lists the activity (publishing it is what gets refused).
    activity = CooperationActivity.objects.get(slug=ACTIVITY)
    draft = Organisation.objects.create(
        name="Draft Body", acronym="DB", slug="db", kind="intergovernmental", relationship="exploring"
    )
    response = admin_client.post(
        change_url(activity),
        activity_form(activity, partners=[*[p.pk for p in activity.partners.all()], draft.pk]),
        follow=True,
    )
    assert response.redirect_chain[-1][1] == 302
    assert draft in activity.partners.all()
    [warning] = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warning == (
        f"“{activity.title}” is public, and its page leaves out what is still a draft: Draft Body (DB) (organisation)."
    )
    assert "Draft Body" not in Client().get(activity.get_absolute_url()).content.decode()


def cite(activity, source, passage="Quoted."):
    return Citation.objects.create(activity=activity, source=source, passage=passage, position=5)


def test_publishing_an_activity_that_cites_a_draft_source_is_refused(admin_client, draft_activity_with_draft_partner):
    activity = draft_activity_with_draft_partner
    Organisation.objects.filter(slug="who").update(is_published=True)
    source = SourceDocument.objects.create(title="Internal memo", slug="internal-memo")
    cite(activity, source)

    response = admin_client.post(change_url(activity), activity_form(activity, is_published="on"))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith("Its public page would leave out what is still a draft: Internal memo (source document).")
    activity.refresh_from_db()
    assert not activity.is_published


def test_a_draft_source_cited_on_the_form_itself_is_refused_then_published_together(
    admin_client, draft_activity_with_draft_partner
):
    activity = draft_activity_with_draft_partner
    Organisation.objects.filter(slug="who").update(is_published=True)
    source = SourceDocument.objects.create(title="Internal memo", slug="internal-memo")
    citation_row = {
        "citations-TOTAL_FORMS": 1,
        "citations-0-source": source.pk,
        "citations-0-passage": "Quoted on the form.",
        "citations-0-position": 9,
    }
    data = activity_form(activity, is_published="on", **citation_row)

    response = admin_client.post(change_url(activity), data)

    assert response.status_code == 200  # rolled back: neither the citation nor the publication saved
    assert "Internal memo (source document)" in response.context["adminform"].form.non_field_errors()[0]
    activity.refresh_from_db()
    assert not activity.is_published and not activity.citations.filter(source=source).exists()

    response = admin_client.post(change_url(activity), {**data, "publish_drafts_too": "on"})

    assert response.status_code == 302
    activity.refresh_from_db()
    source.refresh_from_db()
    assert activity.is_published and source.is_published
    assert "Quoted on the form." in Client().get(activity.get_absolute_url()).content.decode()


def test_the_dashboard_filter_finds_published_records_citing_draft_sources(admin_client, registry):
    activity = CooperationActivity.objects.get(slug=ACTIVITY)
    cite(activity, SourceDocument.objects.create(title="Internal memo", slug="internal-memo"))
    changelist = reverse("admin:partnerships_cooperationactivity_changelist")

    response = admin_client.get(changelist, {"shows_drafts": "yes"})

    assert [record.slug for record in response.context["cl"].result_list] == [ACTIVITY]


def test_unpublishing_an_area_leaves_the_records_showing_it_for_the_dashboard(admin_client, registry):
    area = CooperationArea.objects.get(slug="return")
    changelist = reverse("admin:partnerships_cooperationarea_changelist")
    admin_client.post(changelist, {"action": "unpublish", "_selected_action": [area.pk]})
    area.refresh_from_db()
    assert not area.is_published

    response = admin_client.get(reverse("admin:partnerships_organisation_changelist"), {"shows_drafts": "yes"})

    expected = set(Organisation.objects.filter(is_published=True, areas=area).values_list("slug", flat=True))
    assert expected and {o.slug for o in response.context["cl"].result_list} == expected


def test_an_agreement_is_published_only_with_its_organisation(admin_client, registry):
    Organisation.objects.filter(slug="who").update(is_published=False)
    agreement = Agreement.objects.create(
        title="Letter", organisation=Organisation.objects.get(slug="who"), kind="other", status="under-negotiation"
    )
    changelist = reverse("admin:partnerships_agreement_changelist")

    response = admin_client.post(changelist, {"action": "publish", "_selected_action": [agreement.pk]}, follow=True)
    agreement.refresh_from_db()
    assert not agreement.is_published
    messages = [str(m) for m in response.context["messages"]]
    assert "“Letter” not published: its public page would leave out what is still a draft: " in messages[0]

    admin_client.post(changelist, {"action": "publish_with_drafts", "_selected_action": [agreement.pk]})
    agreement.refresh_from_db()
    assert agreement.is_published and agreement.organisation.is_published


def test_a_draft_parent_holds_back_its_sub_organisation(admin_client, registry):
    Organisation.objects.filter(slug="osce").update(is_published=False)
    Organisation.objects.filter(slug="odihr").update(is_published=False)
    odihr = Organisation.objects.get(slug="odihr")
    assert [o.slug for o in odihr.drafts_it_depends_on()] == ["osce"]


@pytest.fixture
def half_public(registry):
    """Published records that point at drafts, and agreements whose dates need a look."""
    today = timezone.localdate()
    Organisation.objects.filter(slug="who").update(is_published=False)  # the activity's partner
    Organisation.objects.filter(slug="osce").update(is_published=False)  # ODIHR's parent
    iom = Organisation.objects.get(slug="iom")
    Agreement.objects.create(
        title="Lapsed",
        organisation=iom,
        kind="other",
        status="in-force",
        is_published=True,
        expires_on=today - datetime.timedelta(days=1),
    )
    Agreement.objects.create(
        title="Soon",
        organisation=iom,
        kind="other",
        status="in-force",
        is_published=True,
        expires_on=today + datetime.timedelta(days=30),
    )


def test_the_dashboard_counts_published_records_that_show_drafts(admin_client, half_public):
    items = {item["label"]: (item["count"], item["url"]) for item in admin_client.get("/admin/").context["items"]}

    assert items["Published organisations that show drafts"] == (
        1,
        "/admin/partnerships/organisation/?shows_drafts=yes",
    )
    with_draft_partners = CooperationActivity.objects.filter(partners__slug__in=["who", "osce"]).distinct()
    assert items["Published cooperation activities that show drafts"][0] == with_draft_partners.count() == 3
    assert items["Published agreements that show drafts"][0] == 0
    assert items["Agreements in force past their expiry date"] == (1, "/admin/partnerships/agreement/?expires=passed")
    assert items["Agreements expiring within 180 days"][0] == 1


@pytest.mark.parametrize(
    "link, field, expected",
    [
        ("/admin/partnerships/organisation/?shows_drafts=yes", "slug", {"odihr"}),
        (
            "/admin/partnerships/cooperationactivity/?shows_drafts=yes",
            "slug",
            {
                ACTIVITY,
                "reviewing-and-strengthening-partnership-frameworks",
                "operational-cooperation-against-cross-border-crime",
            },
        ),
        ("/admin/partnerships/agreement/?expires=passed", "title", {"Lapsed"}),
    ],
)
def test_each_new_dashboard_link_shows_exactly_the_records_counted(admin_client, half_public, link, field, expected):
    response = admin_client.get(link)
    assert {getattr(record, field) for record in response.context["cl"].result_list} == expected


def test_an_agreement_in_force_past_its_expiry_is_refused_on_the_form(admin_client, registry):
    response = admin_client.post(
        reverse("admin:partnerships_agreement_add"),
        {
            "title": "Old",
            "organisation": Organisation.objects.get(slug="iom").pk,
            "kind": "other",
            "status": "in-force",
            "expires_on": "2021-01-31",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        "It expired on 31 January 2021: mark it expired, or correct the expiry date."
    ]
    assert not Agreement.objects.exists()


def test_published_areas_hold_no_record_back_and_a_withdrawn_one_does(registry):
    """An activity is held back only by what is a draft: its areas, all published, are not
    named among its drafts; once one of them is withdrawn, that area is."""
    activity = CooperationActivity.objects.get(slug=ACTIVITY)
    assert activity.areas.exists() and not activity.areas.filter(is_published=False).exists()
    assert activity.drafts_it_depends_on() == []
    area = activity.areas.order_by("pk").first()
    CooperationArea.objects.filter(pk=area.pk).update(is_published=False)
    assert activity.drafts_it_depends_on() == [area]
