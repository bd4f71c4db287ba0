"""Import webinar summary documents (files and folders of *.md) into sources, documents, quotes and topics."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from cases.importing.importer import import_paths


def interrupted_message(*, dry_run):
    """What a run stopped midway (Ctrl-C) leaves, as cases.importing.importer._run stores it."""
    if dry_run:
        return "Interrupted: nothing was written (a dry run). Run the import again."
    return (
        "Interrupted: the files committed before the interrupt stay, each whole (the files of the "
        "last second or so are rolled back); none is half-written. Run the import again to "
        "finish (unchanged files are skipped)."
    )


class Command(BaseCommand):
    help = (
        "Import webinar summary documents: files and folders (*.md, recursively; a folder's README.md is "
        "skipped). The channel index is recognised and imported as the channel's videos. Each file is "
        "imported whole or not at all (a savepoint of a batch that commits at least once a second); files that cannot be read are reported as FILE:LINE: reason and "
        "skipped, and the command then exits with status 1. Unchanged files are skipped quickly."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Markdown files or folders holding them.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON object summarising the import."
        )
        parser.add_argument(
            "--force", action="store_true", help="Read files again even when their content has not changed."
        )

    def handle(self, *args, paths, dry_run=False, as_json=False, force=False, verbosity=1, **options):
        show_progress = not as_json and verbosity >= 1 and self.stdout.isatty()
        try:
            report = import_paths(
                paths, dry_run=dry_run, force=force, progress=self._progress if show_progress else None
            )
        except KeyboardInterrupt:
            if show_progress:
                self.stdout.write("\r\033[K", ending="")
            raise CommandError(interrupted_message(dry_run=dry_run), returncode=130) from None
        if show_progress:
            self.stdout.write("\r\033[K", ending="")
        for failure in report.failures:
            self.stderr.write(failure)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            if verbosity >= 2:
                for problem in report.problems:
                    self.stderr.write(self.style.WARNING(problem))
            if verbosity >= 1:
                self._summary(report, verbosity)
        if report.failed:
            raise CommandError(f"{report.failed} file{pluralize(report.failed)} could not be imported.", returncode=1)

    def _progress(self, done, total, name):
        width = 30
        filled = width * done // max(total, 1)
        self.stdout.write(f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[-50:]}", ending="")
        self.stdout.flush()

    def _summary(self, report, verbosity):
        prefix = "Dry run, nothing written: would import" if report.dry_run else "Imported"
        self.stdout.write(
            f"{prefix} {report.documents} documents ({report.created} new, {report.updated} changed, "
            f"{report.unchanged} unchanged) from {report.sources} sources: {report.quotes} quotes citing "
            f"{report.timestamps} timestamps, {report.topics} topics; {report.flagged} flagged for review; "
            f"{report.corrected} times corrected; "
            f"{report.failed} failed; {report.seconds:.2f} s."
        )
        if report.quotes_created or report.quotes_updated or report.quotes_deleted:
            self.stdout.write(
                f"Quotes: {report.quotes_created} new, {report.quotes_updated} updated, {report.quotes_deleted} removed."
            )
        for entry in report.relinks:
            cases = (
                "; ".join(f"“{case['title']}” ({', '.join(case['claims'])})" for case in entry["cases"]) or "no case"
            )
            what = (
                (
                    f"moved with its statement to {entry['new_time']}"
                    if entry["change"] == "time"
                    else "moved with its reworded statement"
                )
                if entry["outcome"] == "carried"
                else f"cut loose, to re-link ({entry['reason']})"
            )
            self.stdout.write(f"Linked quote at {entry['old_time']} in {entry['document']} for {cases}: {what}.")
        if report.edits_kept:
            # Listed at the default verbosity, as the linked quotes are: each asks a curator to look.
            self.stdout.write(
                f"Quotes a curator edited, kept as edited while their statement changed: {report.edits_kept}."
            )
            for line in report.edits:
                self.stdout.write(f"  {line}")
        if report.indexes:
            self.stdout.write(f"Channel indexes: {report.indexes}.")
        if report.problems and verbosity < 2:
            self.stdout.write(f"{len(report.problems)} things were read imperfectly (-v 2 lists them).")
