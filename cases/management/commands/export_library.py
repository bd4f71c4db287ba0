"""Build the whole-library downloads of /data/ (cases.opendata)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.opendata import FILES, TABLES, export_library


class Command(BaseCommand):
    help = (
        "Write the published library as a zipped CSV bundle, JSON Lines and a SQLite file (with a manifest) "
        "into OPEN_DATA_DIR (default media/data/), served at /data/. Older files are replaced once the new ones are complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", help="Write here instead of OPEN_DATA_DIR.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be written, write nothing.")

    def handle(self, *args, directory, dry_run, verbosity, **options):
        target = Path(directory or settings.OPEN_DATA_DIR)
        if dry_run:
            self.stdout.write(f"Would write {', '.join(FILES)} ({len(TABLES)} tables) into {target}.")
            return
        started = time.monotonic()
        manifest = export_library(directory=target)
        if verbosity >= 2:
            for name, count in manifest["tables"].items():
                self.stdout.write(f"{name}: {count} rows")
        sizes = ", ".join(f"{name} {info['size'] / 1e6:.1f} MB" for name, info in manifest["files"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {manifest['tables']['cases']} cases and {manifest['tables']['quotes']} quotes into {target} "
                f"in {time.monotonic() - started:.1f} s ({sizes})."
            )
        )
