"""Write a complete, timestamped backup of the library database (pg_dump or SQLite's backup API)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from kb.backups import BackupError, backup_database, backup_path, prune_backups


class Command(BaseCommand):
    help = (
        "Back up the whole database into a timestamped file: a pg_dump custom-format archive on "
        "PostgreSQL, a SQLite database file (online backup API) on SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=None,
            help="Folder for the backup (default: settings.BACKUP_DIR, from the BACKUP_DIR variable, else backups/).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")
        parser.add_argument("--keep", type=int, default=None, help="Then delete all but the KEEP newest backups.")
        parser.add_argument("--dry-run", action="store_true", help="Say where the backup would go; write nothing.")

    def handle(self, *args, output_dir=None, database=DEFAULT_DB_ALIAS, keep=None, dry_run=False, **options):
        directory = output_dir or settings.BACKUP_DIR
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        if dry_run:
            path = backup_path(directory, vendor=connections[database].vendor)
            self.stdout.write(f"Would write {path}.")
            return
        try:
            path = backup_database(directory=directory, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({size:,} bytes)."))
        if keep is not None:
            for old in prune_backups(directory, keep=keep):
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Deleted old backup {old}.")
