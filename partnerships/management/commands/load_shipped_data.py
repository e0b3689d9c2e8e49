"""Load the shipped data (fixtures/registry.json) into an empty registry, and only there.

    python manage.py load_shipped_data

``make run`` and a first deployment run it. Loading the fixtures over a registry that staff
have edited would put each shipped record back as it was shipped, with its version back at 1
and its history claiming the edit is current; so once the registry holds any record, this
command says so and changes nothing. To start again from the shipped data on purpose, empty
the database first (README, "Starting again from the shipped data").
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from partnerships.signals import REGISTRY_MODELS

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "registry.json"


def registry_is_empty():
    """No record and no history of one: a registry whose records were all deleted is not new."""
    tables = [*REGISTRY_MODELS, *(model.history.model for model in REGISTRY_MODELS)]
    return not any(model._base_manager.exists() for model in tables)


class Command(BaseCommand):
    help = "Load the shipped fixtures into an empty registry; skip, saying so, when it holds any record."

    def handle(self, *args, **options):
        with transaction.atomic():
            if not registry_is_empty():
                self.stdout.write(
                    "The registry already holds records, so the shipped data was not loaded: "
                    "it would overwrite the staff's edits. (README: starting again from the shipped data.)"
                )
                return
            call_command("loaddata", str(FIXTURES), verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the shipped data from {FIXTURES.relative_to(settings.BASE_DIR)}.")
        )
