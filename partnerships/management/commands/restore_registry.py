"""Restore a backup written by ``backup_registry`` (partnerships/backup.py).

python manage.py migrate                      # a new database: create its tables first
python manage.py restore_registry FILE        # into a database that holds no records or users
python manage.py restore_registry FILE --replace   # over a database that does
"""

from django.core.management.base import BaseCommand, CommandError

from partnerships.backup import BackupError, holdings, read_backup, restore_backup, summary


class Command(BaseCommand):
    help = (
        "Restore the registry's records, history, staff accounts and admin log from a backup, in one transaction. "
        "Everyone is logged out, and no page cached before is served again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup written by backup_registry")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace what the database holds now (without it, only an empty database is restored into)",
        )

    def handle(self, *args, file, replace, **options):
        try:
            data = read_backup(file)
            held = holdings()
            if held and not replace:
                raise BackupError(
                    "This database already holds "
                    + " and ".join(f"{count} {what}" for what, count in held.items())
                    + ". Restoring would replace them all: run again with --replace to do so "
                    "(after a backup of them, if they may be needed)."
                )
            counts = restore_backup(data)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {data['created']} from {file}: {summary(counts)}. "
                "Everyone has been logged out; the public pages will be rendered afresh."
            )
        )
