"""Make every server render the public pages afresh: after a restore, a change made directly in
the database, or any maintenance that bypassed the application.

    python manage.py invalidate_public_cache

Changes the registry version (models.RegistryVersion), which every cache key includes, so
the next request to any server process looks under new keys. Pages cached before are never
read again and leave the cache as it evicts or expires them.
"""

from django.core.management.base import BaseCommand

from partnerships.models import RegistryVersion


class Command(BaseCommand):
    help = "Change the registry version, so that no page cached before is served again."

    def handle(self, *args, **options):
        RegistryVersion.bump()
        self.stdout.write(self.style.SUCCESS("The public pages will be rendered afresh on their next request."))
