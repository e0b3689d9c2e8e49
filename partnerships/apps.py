from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships registry"

    def ready(self):
        from . import changes, signals

        # The change log first: a fixture load dates its records before the registry version
        # compares them with what is stored.
        changes.connect()
        signals.connect()
