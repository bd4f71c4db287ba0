"""Load the curated fixtures, but only into an empty library so curators' work is never overwritten."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.importing.importer import import_paths
from cases.models import Case, Challenge, Quote, Source, SuccessFactor

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
# Order matters: later files refer to rows of earlier ones.
SEED_FIXTURES = ["taxonomy.json", "sources.json", "cases.json", "quotes.json"]
# Imported after the fixtures: the seed document adopts the fixture quotes (their curated links kept).
SEED_DOCUMENTS_DIR = FIXTURES_DIR / "documents"


class Command(BaseCommand):
    help = "Load the curated seed library from fixtures/ when the library holds no content yet."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if the library has content.")

    def handle(self, *args, force=False, verbosity=1, **options):
        has_content = any(model.objects.exists() for model in (Case, Challenge, SuccessFactor, Source, Quote))
        if has_content and not force:
            self.stdout.write("The library already has content: seed fixtures not loaded.")
            return
        paths = [str(FIXTURES_DIR / name) for name in SEED_FIXTURES if (FIXTURES_DIR / name).exists()]
        with transaction.atomic():
            call_command("loaddata", *paths, verbosity=verbosity)
        if SEED_DOCUMENTS_DIR.is_dir():
            report = import_paths([SEED_DOCUMENTS_DIR], force=force)
            if report.failed:
                raise CommandError("Seed documents could not be imported:\n" + "\n".join(report.failures))
        self.stdout.write(self.style.SUCCESS(f"Loaded the seed library ({Case.objects.count()} cases)."))
