from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships registry"

    def ready(self):
        from . import changes, signals
        from .search import index as search_index

        # The change log first: a fixture load dates its records before the registry version
        # compares them with what is stored.
        changes.connect()
        signals.connect()
        post_migrate.connect(search_index.flushed, sender=self, dispatch_uid="search-index-flushed")
