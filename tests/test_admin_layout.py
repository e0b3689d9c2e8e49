"""The admin as staff meet it: branded, a viewer told on every page that they may only look,
its own pages for "not allowed" and "not found", and dates written as on the public site."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Agreement, CooperationArea, Organisation

NOTICE = "You have read-only access"


def test_the_admin_is_branded_partnerships_registry(admin_client, db):
    page = admin_client.get("/admin/").content.decode()
    assert "Partnerships registry" in page
    assert "Django administration" not in page
    assert "<title>Registry administration | Partnerships registry staff</title>" in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/partnerships/organisation/",
        "/admin/partnerships/cooperationactivity/",
        "/admin/partnerships/agreement/",
    ],
)
def test_a_viewer_is_told_on_every_page_that_they_may_only_look(client, registry, viewer, url):
    client.force_login(viewer)
    assert NOTICE in client.get(url).content.decode()


def test_a_viewer_is_told_on_a_record_page_too(client, registry, viewer):
    client.force_login(viewer)
    iom = Organisation.objects.get(slug="iom")
    assert NOTICE in client.get(reverse("admin:partnerships_organisation_change", args=[iom.pk])).content.decode()


def test_editors_see_no_read_only_notice(client, registry, editor):
    client.force_login(editor)
    assert NOTICE not in client.get("/admin/").content.decode()


def test_a_viewer_reaching_an_add_page_gets_the_admins_own_403(client, registry, viewer):
    client.force_login(viewer)
    response = client.get(reverse("admin:partnerships_organisation_add"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "You may not do this" in page
    assert 'id="site-name"' in page  # the admin's header, not the public site's
    assert "Access denied" not in page


def test_an_unknown_admin_record_gets_the_admins_own_404(admin_client, registry):
    response = admin_client.get("/admin/partnerships/nothing-here/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "There is no such page in the registry administration" in page
    assert 'id="site-name"' in page


def test_the_public_site_keeps_its_own_404(client, registry, viewer):
    client.force_login(viewer)
    response = client.get("/organisations/no-such-organisation/")
    assert response.status_code == 404
    assert 'id="site-name"' not in response.content.decode()


def test_admin_dates_are_written_as_on_the_public_site(admin_client, registry):
    Agreement.objects.create(
        title="Dated",
        organisation=Organisation.objects.get(slug="iom"),
        kind="other",
        status="in-force",
        expires_on=datetime.date(2031, 3, 5),
    )
    page = admin_client.get(reverse("admin:partnerships_agreement_changelist")).content.decode()
    assert "5 March 2031" in page
    assert "March 5, 2031" not in page


def test_the_last_change_column_shows_minutes_in_the_sites_time_zone(admin_client, registry):
    area = CooperationArea.objects.get(slug="return")
    CooperationArea.objects.filter(pk=area.pk).update(
        updated_at=datetime.datetime(2025, 3, 1, 23, 30, tzinfo=datetime.UTC)
    )
    page = admin_client.get(reverse("admin:partnerships_cooperationarea_changelist")).content.decode()
    assert "2 Mar 2025, 00:30" in page  # 23:30 UTC is 00:30 in Warsaw
    assert timezone.get_current_timezone_name() == "Europe/Warsaw"


def test_the_activity_list_shows_the_partners(admin_client, registry):
    response = admin_client.get(reverse("admin:partnerships_cooperationactivity_changelist"), {"q": "WHO"})
    assert '<td class="field-partner_list">WHO</td>' in response.content.decode()
