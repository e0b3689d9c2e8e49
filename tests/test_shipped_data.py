"""`make run` loads the shipped data only into an empty registry: staff edits survive any number of runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from partnerships.models import CooperationArea, Organisation


def load_shipped_data():
    """What `make run` runs before serving, with what it says."""
    out = StringIO()
    call_command("load_shipped_data", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_an_empty_registry_gets_the_shipped_data():
    assert "Loaded the shipped data" in load_shipped_data()
    assert Organisation.objects.count() == 10
    assert CooperationArea.objects.count() == 14


@pytest.mark.django_db
def test_an_edit_its_version_and_its_history_survive_running_it_again(superuser):
    load_shipped_data()
    interpol = Organisation.objects.get(slug="interpol")
    interpol.headquarters_city = "Singapore"
    interpol._history_user = superuser
    interpol.save()

    said = load_shipped_data()

    assert "already holds records, so the shipped data was not loaded" in said
    interpol = Organisation.objects.get(slug="interpol")
    assert (interpol.headquarters_city, interpol.version) == ("Singapore", 2)
    latest = interpol.history.order_by("-history_date", "-history_id").first()
    assert (latest.headquarters_city, latest.history_user) == ("Singapore", superuser)


@pytest.mark.django_db
def test_a_registry_whose_records_were_all_deleted_is_not_loaded_again(superuser):
    """Its history remains: loading the shipped records would bring back what staff removed."""
    area = CooperationArea.objects.create(name="Return", slug="return")
    area.delete()
    assert "was not loaded" in load_shipped_data()
    assert not CooperationArea.objects.exists()
