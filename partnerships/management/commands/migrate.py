"""Django's migrate, which also creates the SQLite database file where there is none yet.

The settings open a SQLite file read-write only, so that a missing file is an error everywhere
else rather than a new, empty database that answers every page with "no such table"
(config/settings.py, ``sqlite_database``). Migrating is what makes a database, so it alone
creates the file.
"""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from partnerships.database import sqlite_file


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        path = sqlite_file(connections[options["database"]])
        if path is not None and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()  # an empty file is an empty SQLite database
            if options["verbosity"] >= 1:
                self.stdout.write(f"Created the SQLite database {path}.")
        return super().handle(*args, **options)
