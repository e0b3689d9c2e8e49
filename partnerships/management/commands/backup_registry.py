"""Write a backup of the registry to a file, while the site runs (partnerships/backup.py).

python manage.py backup_registry /var/backups/registry/2026-12-02.json
"""

from django.core.management.base import BaseCommand, CommandError

from partnerships.backup import summary, write_backup


class Command(BaseCommand):
    help = (
        "Write the registry's records, their edit history, the staff accounts and the admin's log to FILE, "
        "consistently, while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup (JSON); replaced once the backup is complete")

    def handle(self, *args, file, **options):
        try:
            counts = write_backup(file)
        except OSError as error:
            raise CommandError(f"The backup could not be written to {file}: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Backed up to {file}: {summary(counts)}."))
