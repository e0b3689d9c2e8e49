"""Write the search index afresh from the records.

    python manage.py rebuild_search_index

The index is kept in step with every change by itself (partnerships/search/index.py); this is
for a database whose records were written around the application (a restore made with other
tools, rows changed by hand in SQL), or to check how long a full build takes.
"""

import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from partnerships.search import index


class Command(BaseCommand):
    help = "Rebuild the search index from the published records."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to rebuild the index of.")

    def handle(self, *args, database, **options):
        started = time.monotonic()
        with transaction.atomic(using=database):
            counts = index.rebuild(using=database)
        if options["verbosity"] > 0:
            written = ", ".join(f"{count} {kind}" for kind, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Indexed {written} in {time.monotonic() - started:.1f} s."))
