"""Fill the library with a realistic, deterministic generated library (for benchmarks and demos).

Every generated row carries the slug prefix `gen-` (quotes: their source's slug), so
`--clear` removes exactly the generated rows and never touches curated content. What is generated,
and how, is cases/generation/.
"""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases.generation.library import PREFIX, clear_generated, generate_library
from cases.models import Case


class Command(BaseCommand):
    help = (
        "Generate a realistic, deterministic library (cases with countries, organisations, taxonomy, notes; "
        "sources; quotes linked to cases). Generated rows have the slug prefix 'gen-'; --clear deletes only those."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="Number of cases to generate (default 1000).")
        parser.add_argument("--quotes", type=int, default=20000, help="Number of quotes to generate (default 20000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same library.")
        parser.add_argument("--clear", action="store_true", help="Delete previously generated rows (gen-) first.")
        parser.add_argument(
            "--force", action="store_true", help="Generate even when the library holds curated (non-generated) cases."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done, write nothing.")

    def handle(self, *args, cases, quotes, seed, clear, force, dry_run, verbosity, **options):
        if cases < 0 or quotes < 0:
            raise CommandError("--cases and --quotes must not be negative.")
        if quotes and not cases:
            raise CommandError("Quotes need cases to be linked to: give --cases too.")
        generated = Case.objects.filter(slug__startswith=PREFIX).count()
        curated = Case.objects.exclude(slug__startswith=PREFIX).count()
        if generated and not clear:
            raise CommandError(f"The library already holds {generated} generated cases: pass --clear to replace them.")
        if curated and not force:
            raise CommandError(
                f"The library holds {curated} curated cases: pass --force to add generated rows beside them "
                "(they stay untouched; --clear only ever deletes 'gen-' rows)."
            )
        if dry_run:
            if clear:
                self.stdout.write(f"Would delete {generated} generated cases and the other generated rows.")
            self.stdout.write(f"Would generate {cases} cases and {quotes} quotes with seed {seed}.")
            return

        def say(message):
            if verbosity >= 2:
                self.stdout.write(message)

        started = time.monotonic()
        with transaction.atomic():
            if clear:
                clear_generated(say=say)
            if cases:
                generate_library(random.Random(seed), case_count=cases, quote_count=quotes, say=say)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh statistics and visibility map, or the planner keeps estimating the tables as
            # they were and cannot use index-only scans until autovacuum comes by.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        done = f"Generated {cases} cases and {quotes} quotes (seed {seed})" if cases else "Cleared the generated rows"
        self.stdout.write(self.style.SUCCESS(f"{done} in {time.monotonic() - started:.1f} s."))
