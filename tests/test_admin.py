"""The staff admin: every model's pages, search, publishing and validation on the form."""

import pytest
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

MODELS = [CooperationArea, Region, SourceDocument, Organisation, Agreement, CooperationActivity, Citation, DatedFact]


def admin_url(model, action, *args):
    return reverse(f"admin:partnerships_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def agreement(registry):
    return Agreement.objects.create(
        title="Working arrangement with IOM",
        organisation=Organisation.objects.get(slug="iom"),
        kind="working-arrangement",
        status="in-force",
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_add_and_change_pages_render_for_a_superuser(admin_client, agreement, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "a"}).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    obj = model.objects.order_by("pk").first()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_admin_search_finds_organisations_by_acronym(admin_client, registry):
    response = admin_client.get(admin_url(Organisation, "changelist"), {"q": "maoc"})
    assert [o.slug for o in response.context["cl"].result_list] == ["maoc-n"]


def test_admin_search_finds_activities_by_partner(admin_client, registry):
    response = admin_client.get(admin_url(CooperationActivity, "changelist"), {"q": "WHO"})
    assert [a.slug for a in response.context["cl"].result_list] == ["health-and-safety-measures-at-the-borders"]


@pytest.mark.parametrize("action, published", [("unpublish", False), ("publish", True)])
def test_the_publish_actions_set_the_flag_on_the_selected_records(admin_client, registry, action, published):
    organisations = Organisation.objects.filter(slug__in=["who", "imo"])
    if published:
        organisations.update(is_published=False)
    response = admin_client.post(
        admin_url(Organisation, "changelist"),
        {"action": action, "_selected_action": [o.pk for o in organisations]},
        follow=True,
    )
    assert response.status_code == 200
    assert set(Organisation.objects.filter(is_published=published).values_list("slug", flat=True)) >= {"who", "imo"}
    others = Organisation.objects.exclude(slug__in=["who", "imo"])
    assert all(o.is_published for o in others)
    assert "2 records" in response.content.decode()


def test_an_activity_with_dates_out_of_order_is_refused_on_the_form(admin_client, registry):
    response = admin_client.post(
        admin_url(CooperationActivity, "add"),
        {
            "title": "Backwards",
            "slug": "backwards",
            "status": "planned",
            "priority": "normal",
            "starts_on": "2025-06-01",
            "ends_on": "2025-05-01",
        },
    )
    assert response.status_code == 200
    assert "The planned end cannot be before the planned start." in response.content.decode()
    assert not CooperationActivity.objects.filter(slug="backwards").exists()
