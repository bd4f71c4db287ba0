"""Replace the library database with a backup written by backup_library."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from kb.backups import BackupError, backup_kind, restore_database


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_library: every table of the database is replaced by the "
        "backup's, in one transaction on PostgreSQL. Asks for confirmation unless --noinput."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file (.dump for PostgreSQL, .sqlite3 for SQLite).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and say what would happen.")

    def handle(self, *args, file, database=DEFAULT_DB_ALIAS, interactive=True, dry_run=False, **options):
        connection = connections[database]
        try:
            kind = backup_kind(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if kind != connection.vendor:
            raise CommandError(f"{file} is a {kind} backup; the database is {connection.vendor}.")
        target = connection.settings_dict["NAME"]
        if dry_run:
            self.stdout.write(f"Would replace every table of {target} with the contents of {file}.")
            return
        if interactive:
            answer = input(f"This replaces ALL data in {target} with {file}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore_database(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {target} from {file}."))
