"""Links that survive renames: an old slug answers with a 301 to the record's current address,
for visitors only while the record is public; the editor is told the old link will redirect."""

import pytest
from django.urls import reverse

from partnerships.models import CooperationActivity, CooperationArea, Organisation, SourceDocument
from partnerships.renames import SlugRedirect, renamed_record

from .admin_forms import organisation_form


def rename(record, slug):
    record.slug = slug
    record.save()


def test_an_organisations_old_address_redirects_permanently_to_the_new_one(client, registry):
    iom = Organisation.objects.get(slug="iom")
    rename(iom, "iom-un")

    response = client.get("/organisations/iom/")

    assert response.status_code == 301
    assert response["Location"] == "/organisations/iom-un/"
    assert client.get("/organisations/iom-un/").status_code == 200


def test_the_query_string_is_kept(client, registry):
    rename(CooperationArea.objects.get(slug="return"), "returns")
    response = client.get("/areas/return/?page=1")
    assert (response.status_code, response["Location"]) == (301, "/areas/returns/?page=1")


def test_renamed_twice_both_old_addresses_lead_to_the_current_one(client, registry):
    activity = CooperationActivity.objects.order_by("pk").first()
    old = activity.slug
    rename(activity, "second-name")
    rename(activity, "third-name")
    assert client.get(f"/cooperation/{old}/")["Location"] == "/cooperation/third-name/"
    assert client.get("/cooperation/second-name/")["Location"] == "/cooperation/third-name/"


def test_renamed_back_the_slug_is_the_records_own_again(client, registry):
    iom = Organisation.objects.get(slug="iom")
    rename(iom, "iom-un")
    rename(iom, "iom")
    assert client.get("/organisations/iom/").status_code == 200
    assert client.get("/organisations/iom-un/")["Location"] == "/organisations/iom/"
    assert not SlugRedirect.objects.filter(old_slug="iom").exists()


def test_an_old_address_of_a_record_that_is_now_a_draft_is_not_found(client, registry):
    iom = Organisation.objects.get(slug="iom")
    rename(iom, "iom-un")
    iom.is_published = False
    iom.save()
    assert client.get("/organisations/iom/").status_code == 404


def test_one_function_finds_the_renamed_record_for_the_api_and_feeds(registry):
    iom = Organisation.objects.get(slug="iom")
    rename(iom, "iom-un")
    assert renamed_record(Organisation, "iom") == iom
    assert renamed_record(Organisation, "never-was") is None
    assert renamed_record(CooperationActivity, "iom") is None


def test_the_editor_is_told_the_old_link_will_redirect(admin_client, registry):
    iom = Organisation.objects.get(slug="iom")
    response = admin_client.get(reverse("admin:partnerships_organisation_change", args=[iom.pk]))
    assert "the old link keeps working" in response.content.decode()

    response = admin_client.post(
        reverse("admin:partnerships_organisation_change", args=[iom.pk]),
        organisation_form(iom, slug="iom-un"),
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert "The old link /organisations/iom/ keeps working: it now redirects to /organisations/iom-un/." in messages


@pytest.mark.parametrize("slug", ["IOM", "Iom"])
def test_slugs_and_acronyms_are_unique_in_any_case(admin_client, registry, slug):
    response = admin_client.post(
        reverse("admin:partnerships_organisation_add"),
        {
            "name": "Another organisation",
            "acronym": slug,
            "slug": slug,
            "kind": "intergovernmental",
            "relationship": "exploring",
            "agreements-TOTAL_FORMS": 0,
            "agreements-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "An organisation with this acronym (in any case) already exists." in errors
    assert "An organisation with this slug (in any case) already exists." in errors
    assert Organisation.objects.filter(acronym__iexact="iom").count() == 1


def test_a_source_documents_old_address_redirects_while_it_is_public(client, registry):
    source = SourceDocument.objects.public().order_by("pk").first()
    old = source.get_absolute_url()
    rename(source, "renamed-source")

    response = client.get(old)

    assert (response.status_code, response["Location"]) == (301, "/sources/renamed-source/")
    SourceDocument.objects.filter(pk=source.pk).update(is_published=False)
    assert client.get(old).status_code == 404  # a draft's old address leads nowhere for visitors


@pytest.mark.parametrize(
    ("model", "old", "new", "address"),
    [
        (Organisation, "iom", "iom-un", "/api/v1/organisations/{}/"),
        (CooperationArea, "return", "returns", "/api/v1/areas/{}/"),
        (Organisation, "iom", "iom-un", "/organisations/{}/feed/"),
        (CooperationArea, "return", "returns", "/areas/{}/feed/"),
    ],
)
def test_the_api_and_the_feeds_redirect_an_old_slug_to_the_same_address_with_the_new_one(
    client, registry, model, old, new, address
):
    rename(model.objects.get(slug=old), new)

    response = client.get(address.format(old) + "?format=json")

    assert (response.status_code, response["Location"]) == (301, address.format(new) + "?format=json")
    assert client.get(address.format(new)).status_code == 200


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/organisations/never-was/",
        "/api/v1/areas/never-was/",
        "/organisations/never-was/feed/",
        "/areas/never-was/feed/",
    ],
)
def test_the_api_and_the_feeds_answer_an_unknown_slug_with_404(client, registry, address):
    assert client.get(address).status_code == 404


@pytest.mark.parametrize(
    ("model", "old", "new", "addresses"),
    [
        (Organisation, "iom", "iom-un", ["/api/v1/organisations/{}/", "/organisations/{}/feed/"]),
        (CooperationArea, "return", "returns", ["/api/v1/areas/{}/", "/areas/{}/feed/"]),
    ],
)
def test_the_api_and_the_feeds_answer_a_drafts_old_slug_with_404(client, registry, model, old, new, addresses):
    record = model.objects.get(slug=old)
    rename(record, new)
    model.objects.filter(pk=record.pk).update(is_published=False)

    for address in addresses:
        assert client.get(address.format(old)).status_code == 404
        assert client.get(address.format(new)).status_code == 404
