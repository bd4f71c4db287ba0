#!/usr/bin/env python
"""Re-import an edited corpus whose quotes curators linked, and time the carry-over of the links.

    .venv/bin/python bench/reimport_links.py [FOLDER] [--every N]

Imports FOLDER (default ../shared/corpus) into a fresh database (test_<name>, as bench/import_corpus.py),
links every Nth quote (default 3) to a case and to a challenge, then edits a copy of every document
(the first "and" of every other line with an anchor becomes "as well as", every tenth such line is
removed) and imports the copies: it prints the seconds (wall and CPU) of that re-import, of a
forced re-import of the same edited files (nothing changed any more), and the counts of links
carried over and quotes cut loose. ``--every 0`` links nothing: the same re-import without
carry-over work, to compare with.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO / ".." / "shared" / "corpus"


def edit(text):
    """The document with every other anchored line reworded a little and every tenth one removed."""
    lines, anchored = [], 0
    for line in text.split("\n"):
        if "yt-timestamp" in line:
            anchored += 1
            if anchored % 10 == 0:
                continue
            if anchored % 2 == 0:
                line = line.replace(" and ", " as well as ", 1)
        lines.append(line)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--every", type=int, default=3, help="link every Nth quote (default %(default)s; 0: none)")
    args = parser.parse_args()
    folder = Path(args.folder).resolve()
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("CACHE_BACKEND", "locmem")
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    from cases.importing.importer import import_paths
    from cases.models import Case, CaseChallenge, Challenge, Quote

    workdir = Path(tempfile.mkdtemp(prefix="reimport-bench-"))
    try:
        if connection.vendor == "sqlite":
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
        edited = workdir / "edited"
        edited.mkdir()
        for path in sorted(folder.glob("*.md")):
            (edited / path.name).write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            import_paths([folder])
            challenge = Challenge.objects.create(name="Bench challenge", slug="bench-challenge")
            quote_ids = (
                list(Quote.objects.order_by("pk").values_list("pk", flat=True)[:: args.every]) if args.every else []
            )
            cases = Case.objects.bulk_create(
                [
                    Case(title=f"Bench case {n}", slug=f"bench-case-{n}", status="published")
                    for n in range(len(quote_ids) // 10 + 1)
                ]
            )
            CaseChallenge.objects.bulk_create([CaseChallenge(case=case, challenge=challenge) for case in cases])
            Quote.cases.through.objects.bulk_create(
                [Quote.cases.through(quote_id=pk, case_id=cases[n // 10].pk) for n, pk in enumerate(quote_ids)]
            )
            Quote.challenges.through.objects.bulk_create(
                [Quote.challenges.through(quote_id=pk, challenge_id=challenge.pk) for pk in quote_ids]
            )
            started, cpu_started = time.perf_counter(), time.process_time()
            report = import_paths([edited])
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
            started, cpu_started = time.perf_counter(), time.process_time()
            import_paths([edited], force=True)
            forced, forced_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "documents": report.documents,
                "linked_quotes": len(quote_ids),
                "links_carried": report.links_carried,
                "links_cut_loose": report.links_cut_loose,
                "quotes_deleted": report.quotes_deleted,
                "failed": report.failed,
                "reimport_seconds": round(seconds, 3),
                "reimport_cpu_seconds": round(cpu_seconds, 3),
                "forced_reimport_seconds": round(forced, 3),
                "forced_reimport_cpu_seconds": round(forced_cpu, 3),
            }
        )
    )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
