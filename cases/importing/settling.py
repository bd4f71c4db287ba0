"""After a document's quotes are written: curator links and edited texts recorded, reported to curators, and restored."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..curation.applying import bump_content_version
from ..curation.history import BASELINE_REASON
from ..models import CaseChallenge, CaseSuccessFactor, Quote, QuoteRelink, StoryEvidence, StorySection
from ..timestamps import format_timestamp
from ..tracking import record_in_bulk

__all__ = ["baseline", "describe_links", "restore", "settle"]


@dataclass
class CaseLink:
    """A case a quote is evidence of, and the claims of that case it supports ('Summary', 'Challenge: X')."""

    pk: int
    title: str
    status: str
    claims: list[str] = field(default_factory=list)


@dataclass
class QuoteLinks:
    cases: list[CaseLink] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # challenges and success factors it is linked to

    @property
    def case_titles(self) -> list[str]:
        return [case.title for case in self.cases]


def describe_links(quote_ids) -> dict[int, QuoteLinks]:
    """{quote id: QuoteLinks} of the quotes `quote_ids`: the cases each backs and, per case, the claims
    it supports (as cases.claims reads them: a challenge or success factor both linked to the quote
    and claimed by the case; a story section whose evidence names it, even when the quote is not
    linked to the case itself; else the summary). Six queries whatever the number of quotes."""
    quote_ids = list(quote_ids)
    found = {pk: QuoteLinks() for pk in quote_ids}
    if not quote_ids:
        return found
    case_rows = list(
        Quote.cases.through.objects.filter(quote_id__in=quote_ids)
        .order_by("case__title", "case_id")
        .values_list("quote_id", "case_id", "case__title", "case__status")
    )
    term_rows = []
    for relation, column, label, model, claim_column in (
        ("challenges", "challenge", "Challenge", CaseChallenge, "challenge_id"),
        ("success_factors", "successfactor", "Success factor", CaseSuccessFactor, "success_factor_id"),
    ):
        through = Quote._meta.get_field(relation).remote_field.through
        rows = list(
            through.objects.filter(quote_id__in=quote_ids).values_list("quote_id", f"{column}_id", f"{column}__name")
        )
        claimed = (
            set(
                model.objects.filter(
                    case_id__in={row[1] for row in case_rows}, **{f"{claim_column}__in": {r[1] for r in rows}}
                ).values_list("case_id", claim_column)
            )
            if rows and case_rows
            else set()
        )
        term_rows.append((label, rows, claimed))
    # Story sections' evidence (a StoryEvidence row names the quote, linked to the case or not).
    sections = dict(StorySection.choices)
    story = {}
    for quote_id, case_id, title, status, section in (
        StoryEvidence.quotes.through.objects.filter(quote_id__in=quote_ids)
        .order_by("storyevidence__case__title", "storyevidence__case_id", "storyevidence__section")
        .values_list(
            "quote_id",
            "storyevidence__case_id",
            "storyevidence__case__title",
            "storyevidence__case__status",
            "storyevidence__section",
        )
    ):
        entry = story.setdefault((quote_id, case_id), (title, status, []))
        entry[2].append(f"Story: {sections.get(section, section)}")
    for quote_id, case_id, title, status in case_rows:
        claims = [
            f"{label}: {name}"
            for label, rows, claimed in term_rows
            for row_quote, term_id, name in rows
            if row_quote == quote_id and (case_id, term_id) in claimed
        ]
        claims += story.pop((quote_id, case_id), (None, None, []))[2]
        found[quote_id].cases.append(CaseLink(case_id, title, status, claims or ["Summary"]))
    for (quote_id, case_id), (title, status, claims) in story.items():
        found[quote_id].cases.append(CaseLink(case_id, title, status, claims))
    for label, rows, _ in term_rows:
        for quote_id, _, name in rows:
            found[quote_id].terms.append(f"{label}: {name}")
    return found


REASON_LENGTH = 100  # simple_history's history_change_reason column


QUOTED_LENGTH = 120  # characters of a statement quoted in a problem line


def clipped(text: str, length: int) -> str:
    """`text` cut to at most `length` characters, an ellipsis marking the cut."""
    return text if len(text) <= length else text[: length - 1] + "…"


def history_reason(text: str) -> str:
    """`text` cut to fit a history record's reason."""
    return clipped(text, REASON_LENGTH)


def baseline(quote_ids) -> None:
    """Before the import changes linked quotes: record each one's current state where nothing is
    recorded yet (as cases.curation.history.ensure_quote_baseline, in bulk queries)."""
    if quote_ids:
        unrecorded = Quote.objects.filter(pk__in=list(quote_ids)).exclude(
            Exists(Quote.history.filter(id=OuterRef("pk")))
        )
        record_in_bulk(unrecorded, reason=BASELINE_REASON)


def settle(*, name, document, report, moved, stranded, placed, wanted, linked) -> None:
    """Once the quotes are written: history records, re-link tasks and report entries.

    moved: {quote id: (old text, first second, other seconds, heading path as imported)} of linked or
    edited quotes updated in place (their statement's wording or time changed, or a value a curator
    edited); stranded: the Stranded quotes cut loose; placed: the stored quote of each wanted
    statement (the candidates' ids); wanted: those statements (their lines); linked: the ids of the
    quotes curators linked. A linked quote gets a report entry and, cut loose, a re-link task; a
    quote a curator edited (Quote.IMPORTED_FIELDS) gets a line in the report's edits for each
    edited text, time or heading path the document now gives differently, or one when its statement
    has no safe match. The cases concerned are marked changed for the stale-edit guard
    (cases/admin/forms.py). A fixed number of queries.
    """
    if not moved and not stranded:
        return
    links = describe_links([pk for pk in [*moved, *(item.quote.pk for item in stranded)] if pk in linked])
    relink_ids = {}
    file_name = Path(name).name
    linked_stranded = [item for item in stranded if item.quote.pk in linked]
    index_of = {quote.pk: index for index, quote in enumerate(placed) if quote.pk in moved}
    reasons = defaultdict(list)  # {history reason: quote ids}
    for pk in moved:
        kept = "links" if pk in linked else f"edited {edited_words(placed[index_of[pk]])}"
        reasons[f"Statement changed; {kept} kept (re-import of {file_name})"].append(pk)
    for item in stranded:
        kept = "links, to re-link" if item.quote.pk in linked else f"edited {edited_words(item.quote)}"
        reasons[f"Cut loose with its {kept} (re-import of {file_name})"].append(item.quote.pk)
    for reason, quote_ids in reasons.items():
        record_in_bulk(Quote.objects.filter(pk__in=quote_ids), reason=history_reason(reason))
    if linked_stranded:
        open_ids = set(
            QuoteRelink.objects.filter(
                quote_id__in=[item.quote.pk for item in linked_stranded], status=QuoteRelink.Status.PENDING
            ).values_list("quote_id", flat=True)
        )
        created = QuoteRelink.objects.bulk_create(
            [
                QuoteRelink(
                    quote_id=item.quote.pk,
                    document=document,
                    reason=item.reason[:300],
                    candidates=[placed[index].pk for index in item.candidates],
                    similarity=round(item.similarity, 3) if item.similarity is not None else None,
                )
                for item in linked_stranded
                if item.quote.pk not in open_ids
            ]
        )
        relink_ids = {relink.quote_id: relink.pk for relink in created}
    bump_content_version({case.pk for entry in links.values() for case in entry.cases})

    for pk, (old_text, old_second, old_others, old_headings) in moved.items():
        quote = placed[index_of[pk]]
        new_text, new_second = quote.text_as_imported, quote.start_second_as_imported
        where = f"{name}:{wanted[index_of[pk]].line}: quote {pk} keeps a curator's"
        lines = []
        if quote.imported_text is not None and new_text != old_text:
            lines.append(
                f"{where} edited text; the document now says “{clipped(new_text, QUOTED_LENGTH)}” "
                f"(it said “{clipped(old_text, QUOTED_LENGTH)}”)"
            )
        if quote.imported_start_second is not None and new_second != old_second:
            lines.append(
                f"{where} time {format_timestamp(quote.start_second)}; the document now says "
                f"{format_timestamp(new_second)} (it said {format_timestamp(old_second)})"
            )
        new_others = quote.as_imported("other_seconds")
        if quote.imported_other_seconds is not None and new_others != old_others:
            lines.append(
                f"{where} other times {_times(quote.other_seconds)}; the document now says "
                f"{_times(new_others)} (it said {_times(old_others)})"
            )
        new_headings = quote.as_imported("heading_path")
        if quote.imported_heading_path is not None and new_headings != old_headings:
            lines.append(
                f"{where} heading path “{clipped(quote.heading_path, QUOTED_LENGTH)}”; the document now says "
                f"“{clipped(new_headings, QUOTED_LENGTH)}” (it said “{clipped(old_headings, QUOTED_LENGTH)}”)"
            )
        report.edits_kept += bool(lines)
        report.edits.extend(lines)
        if pk not in linked or (new_text, new_second) == (old_text, old_second):
            continue  # no link to carry, or only a curator's other times the document changed
        report.links_carried += 1
        report.relinks.append(
            _entry(
                name,
                "carried",
                "wording" if new_text != old_text else "time",
                links[pk],
                old_text=old_text,
                old_second=old_second,
                new_text=new_text,
                new_second=new_second,
                quote=pk,
            )
        )
    for item in stranded:
        closest = item.candidates[0] if item.candidates and item.kind != "removed" else None
        if item.quote.edited_fields:
            report.edits_kept += 1
            now_says = (
                f"; the closest statement says “{clipped(wanted[closest].text, QUOTED_LENGTH)}”"
                if closest is not None
                else ""
            )
            report.edits.append(
                f"{name}:{wanted[closest].line if closest is not None else 0}: quote {item.quote.pk} keeps a "
                f"curator's edited {edited_words(item.quote)}; its statement "
                f"(“{clipped(item.quote.text_as_imported, QUOTED_LENGTH)}”) has no safe match "
                f"in the new version ({item.reason}){now_says}: kept without a document"
            )
        if item.quote.pk not in linked:
            continue
        best = wanted[closest] if closest is not None else None
        report.links_cut_loose += 1
        entry = _entry(
            name,
            "cut_loose",
            item.kind,
            links[item.quote.pk],
            old_text=item.quote.text,
            old_second=item.quote.start_second,
            new_text=best.text if best else "",
            new_second=best.start_second if best else None,
            quote=item.quote.pk,
            reason=item.reason,
            relink=relink_ids.get(item.quote.pk),
        )
        # Listed with the linked quotes (the command's summary, the admin's import page), not among
        # what was read imperfectly: nothing was misread (found by QA, listed there as well).
        report.relinks.append(entry)


# What a curator edited, in the report's and the history's words.
EDITED_WORDS = {"text": "text", "start_second": "times", "other_seconds": "times", "heading_path": "heading path"}


def edited_words(quote) -> str:
    """The fields of `quote` a curator edited, in words: "text", "text and times", ..."""
    words = list(dict.fromkeys(EDITED_WORDS[name] for name in quote.edited_fields))
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _times(seconds) -> str:
    return ", ".join(format_timestamp(second) for second in seconds) or "none"


def _entry(name, outcome, kind, links, *, old_text, old_second, new_text, new_second, quote, reason="", relink=None):
    return {
        "document": name,
        "outcome": outcome,
        "change": kind,
        "quote": quote,
        "relink": relink,
        "old_text": old_text,
        "old_time": format_timestamp(old_second),
        "new_text": new_text,
        "new_time": format_timestamp(new_second) if new_second is not None else "",
        "reason": reason,
        "cases": [
            {"id": case.pk, "title": case.title, "status": case.status, "claims": case.claims} for case in links.cases
        ],
        "terms": list(links.terms),
    }


def restore(quote_ids) -> int:
    """Quotes an import took back into their document (same text and second again): their re-link tasks close."""
    if not quote_ids:
        return 0
    return QuoteRelink.objects.filter(quote_id__in=list(quote_ids), status=QuoteRelink.Status.PENDING).update(
        status=QuoteRelink.Status.RESTORED, resolved_at=timezone.now()
    )
