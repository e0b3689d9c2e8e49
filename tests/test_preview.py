"""Staff preview drafts on their public address, under a banner; visitors still get 404, and
nothing staff see is kept by the page cache or by any shared cache on the way."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    SourceDocument,
)

BANNER = "Draft — not public"


@pytest.fixture
def drafts(registry):
    """A draft organisation, a draft activity with it, and a draft agreement."""
    iom = Organisation.objects.get(slug="iom")
    Organisation.objects.filter(slug="who").update(is_published=False)
    CooperationActivity.objects.filter(slug="health-and-safety-measures-at-the-borders").update(is_published=False)
    agreement = Agreement.objects.create(title="Draft arrangement", organisation=iom, kind="other", status="in-force")
    return {
        "organisation": "/organisations/who/",
        "activity": "/cooperation/health-and-safety-measures-at-the-borders/",
        "agreement": f"/agreements/{agreement.pk}/",
    }


@pytest.mark.parametrize("kind", ["organisation", "activity", "agreement"])
def test_staff_see_a_draft_on_its_public_address_with_the_banner(client, drafts, viewer, kind):
    client.force_login(viewer)
    response = client.get(drafts[kind])
    assert response.status_code == 200
    assert BANNER in response.content.decode()
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("kind", ["organisation", "activity", "agreement"])
def test_visitors_get_404_for_a_draft_even_after_staff_previewed_it(client, drafts, viewer, page_cache, kind):
    client.force_login(viewer)
    assert client.get(drafts[kind]).status_code == 200
    client.logout()

    response = client.get(drafts[kind])

    assert response.status_code == 404
    assert BANNER not in response.content.decode()


def test_a_preview_leaves_nothing_in_the_page_cache(client, drafts, viewer, page_cache):
    client.force_login(viewer)
    client.get(drafts["organisation"])
    # The local-memory cache's store holds no page (public fragments such as the footer may be there).
    assert [key for key in page_cache._cache if "partnerships:page:" in key] == []


def test_a_published_record_shows_no_banner_to_staff(client, registry, viewer):
    client.force_login(viewer)
    response = client.get("/organisations/iom/")
    assert response.status_code == 200
    assert BANNER not in response.content.decode()


def test_an_agreement_of_a_draft_organisation_is_a_draft_too(client, registry, viewer):
    who = Organisation.objects.get(slug="who")
    agreement = Agreement.objects.create(
        title="Letter", organisation=who, kind="other", status="in-force", is_published=True
    )
    who.is_published = False
    who.save()
    client.force_login(viewer)
    assert BANNER in client.get(f"/agreements/{agreement.pk}/").content.decode()
    client.logout()
    assert client.get(f"/agreements/{agreement.pk}/").status_code == 404


def test_staff_without_the_view_permission_get_404(client, drafts, django_user_model):
    user = django_user_model.objects.create_user("stan", is_staff=True)
    client.force_login(user)
    assert client.get(drafts["organisation"]).status_code == 404


def test_view_on_site_in_the_admin_leads_to_the_draft(client, drafts, viewer):
    who = Organisation.objects.get(slug="who")
    client.force_login(viewer)
    change_page = client.get(reverse("admin:partnerships_organisation_change", args=[who.pk])).content.decode()
    view_on_site = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(who).pk, who.pk])
    assert view_on_site in change_page

    response = client.get(view_on_site, follow=True)

    assert response.redirect_chain[-1][0].endswith("/organisations/who/")
    assert BANNER in response.content.decode()


def test_a_preview_shows_the_citations_the_public_will_see(client, drafts, viewer):
    activity = CooperationActivity.objects.get(slug="health-and-safety-measures-at-the-borders")
    published = SourceDocument.objects.published().order_by("pk").first()
    draft = SourceDocument.objects.create(title="Internal memo", slug="internal-memo")
    Citation.objects.create(activity=activity, source=published, passage="A passage the public will read.")
    Citation.objects.create(activity=activity, source=draft, passage="A passage of a draft source.")
    client.force_login(viewer)

    page = client.get(drafts["activity"]).content.decode()

    assert BANNER in page
    assert "A passage the public will read." in page
    assert "A passage of a draft source." not in page  # shown nowhere while its source is a draft


@pytest.mark.parametrize("model", [CooperationArea, SourceDocument])
def test_staff_preview_draft_areas_and_sources_visitors_get_404(client, registry, viewer, model):
    record = model.objects.published().order_by("pk").first()
    if model is SourceDocument:
        record = SourceDocument.objects.public().order_by("pk").first()
    model.objects.filter(pk=record.pk).update(is_published=False)
    url = record.get_absolute_url()

    assert client.get(url).status_code == 404
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert BANNER in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_banner_names_the_drafts_the_page_leaves_out(client, drafts, viewer):
    activity = CooperationActivity.objects.get(slug="health-and-safety-measures-at-the-borders")
    memo = SourceDocument.objects.create(title="Internal memo", slug="internal-memo")
    Citation.objects.create(activity=activity, source=memo, passage="Memo words.")
    client.force_login(viewer)

    page = client.get(drafts["activity"]).content.decode()

    assert (
        "Left out here until they are published too: World Health Organization (WHO) (organisation), "
        "Internal memo (source document)."
    ) in page
