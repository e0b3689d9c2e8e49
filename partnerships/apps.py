from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships registry"

    def ready(self):
        from . import signals

        signals.connect()
