"""Audit the library's evidence: anchors read, seconds stored, empty quotes, doubtful times, flagged documents."""

import json

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.importing.audit import audit_library
from cases.importing.review import refresh_sources
from cases.timestamps import format_timestamp


class Command(BaseCommand):
    help = (
        "Audit the evidence of the library as it stands: anchors read from the stored documents, seconds "
        "stored, statements without a second, empty quotes, quotes past their video's end, quotes under "
        "review, documents flagged (with reasons) and each video's estimated length. --json prints one "
        "object (keys in docs/evidence-audit.md). --refresh first re-checks every video's times (writes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object.")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Re-estimate every video's end and re-check every document and quote before auditing.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="With --refresh: audit the refreshed figures, write nothing."
        )

    def handle(self, *args, as_json=False, refresh=False, dry_run=False, verbosity=1, **options):
        if refresh:
            with transaction.atomic():
                result = refresh_sources()
                figures = audit_library()
                if dry_run:
                    transaction.set_rollback(True)
            if verbosity >= 2 and not as_json:
                self.stdout.write(
                    f"Re-checked {result.sources} sources: {result.estimates_changed} estimates changed, "
                    f"{len(result.flagged)} documents flagged, {len(result.cleared)} cleared, "
                    f"{result.quotes_changed} quotes changed status."
                )
        else:
            figures = audit_library()
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
        elif verbosity >= 1:
            self._print(figures, verbosity)

    def _print(self, f, verbosity):
        write = self.stdout.write
        write(
            f"Anchors read: {f['anchors_read']} ({f['unreadable_anchors']} unreadable, "
            f"{f['merged_repeats']} repeats merged); seconds read: {f['seconds_read']}."
        )
        write(
            f"Quotes: {f['quotes']} citing {f['seconds_stored']} seconds; "
            f"statements without a second: {f['statements_without_second']}; empty quotes: {f['empty_quotes']}."
        )
        write(
            f"Time status: {f['quotes_exact']} exact, {f['quotes_corrected']} corrected on import, "
            f"{f['quotes_under_review']} under review."
        )
        style = self.style.SUCCESS if not f["quotes_past_end_not_under_review"] else self.style.ERROR
        write(
            style(
                f"Quotes past their video's end: {f['quotes_past_end']} "
                f"({f['quotes_past_end_not_under_review']} not under review, "
                f"{f['quotes_past_end_in_unflagged_documents']} in documents not flagged)."
            )
        )
        write(
            f"Documents: {f['documents']}; flagged: {len(f['documents_flagged'])}; confirmed by a curator: "
            f"{f['documents_confirmed']}; read as minutes:seconds: {f['documents_read_as_minutes_seconds']}."
        )
        for document in f["documents_flagged"]:
            write(f"  {document['slug']}: {document['reason']}")
        write(f"Videos with documents: {len(f['videos'])} ({f['videos_with_duration']} with a curator's duration).")
        if verbosity >= 2:
            for video in f["videos"]:
                duration = video["duration_seconds"]
                estimate = video["estimated_duration_seconds"]
                write(
                    f"  {video['video_id']}: {video['documents']} documents, "
                    f"duration {format_timestamp(duration) if duration is not None else '—'}, "
                    f"estimated {format_timestamp(estimate) if estimate is not None else '—'}"
                )
