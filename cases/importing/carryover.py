"""Curator links across a re-import: a linked quote whose statement changed wording or time moves to
the new version of the same statement; where no match is safe it is cut loose and listed for curators.

The importer first matches stored quotes exactly (same text and first second, then same text: a
time change keeps the quote). :func:`carry_over` then pairs each linked quote left over with the
statements of the new version left over, by three signals:

* **text similarity** (:func:`similarity`, 0 to 1): the mean of difflib's ``SequenceMatcher.ratio()``
  over the lower-cased words and the overlap of their sets of words (one word changed in a 20-word
  statement gives about 0.95, the same words reordered about 0.6, half the words rewritten about 0.5);
* **time**: the first seconds are at most ``TIME_WINDOW`` apart;
* **position**: the statements' places in their documents are at most ``POSITION_WINDOW`` apart.

A pairing is safe when the wording is nearly the same (``SAME_WORDING``, 0.85: whatever moved), or
similar (``SIMILAR_WORDING``, 0.6) and close in time or position. It is ambiguous, so not safe,
when another safe pairing of either side comes within ``AMBIGUITY_MARGIN`` (0.05) of it. A safe
pairing updates the old quote in place with the new statement (its id, permalink and every link,
history and revision pointing at it stay valid); the others are cut loose (kept with their old
text and links, without a document) and get a :class:`~cases.models.QuoteRelink` naming the
statements closest to them (``candidates``: similarity at least ``CANDIDATE_FLOOR`` or close in
time or place, at most ``MAX_CANDIDATES``) for a curator to re-link or dismiss (cases.importing.relinking).

Moving a link to the new version of the same statement is the import's, not a change of a case's
content: it needs no review on a published case; each moved or cut-loose quote gets a history record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..curation.applying import bump_content_version
from ..history import BASELINE_REASON
from ..models import CaseChallenge, CaseSuccessFactor, Quote, QuoteRelink, StoryEvidence, StorySection
from ..timestamps import format_timestamp
from ..tracking import record_in_bulk

__all__ = ["CarryOver", "carry_over", "describe_links", "settle"]

SAME_WORDING = 0.85
SIMILAR_WORDING = 0.6
TIME_WINDOW = 30  # seconds
POSITION_WINDOW = 2  # statements
AMBIGUITY_MARGIN = 0.05
CANDIDATE_FLOOR = 0.3
MAX_CANDIDATES = 3
WORDS = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The lower-cased words of `text`: what similarity compares (punctuation and spacing ignored)."""
    return [word.lower() for word in WORDS.findall(text or "")]


def similarity(old: list[str], new: list[str]) -> float:
    """How alike two word lists are, 0 to 1: the mean of difflib's ratio (2 × words in common in
    order / words in both) and the Dice overlap of their sets of words (the same words reordered
    count too); 1.0 when both are empty."""
    if not old and not new:
        return 1.0
    return _mean(SequenceMatcher(None, old, new, autojunk=False).ratio(), old, new)


def _mean(ratio, old, new):
    old_set, new_set = set(old), set(new)
    overlap = 2 * len(old_set & new_set) / (len(old_set) + len(new_set)) if old_set or new_set else 1.0
    return (ratio + overlap) / 2


@dataclass(frozen=True)
class Pairing:
    """An old quote and a statement of the new version (its index among the wanted statements)."""

    index: int
    similarity: float
    time_close: bool
    position_close: bool

    @property
    def safe(self) -> bool:
        return self.similarity >= SAME_WORDING or (
            self.similarity >= SIMILAR_WORDING and (self.time_close or self.position_close)
        )

    @property
    def rank(self) -> float:
        """How close, for ordering candidates: similarity, then time, then position."""
        return self.similarity + 0.2 * self.time_close + 0.1 * self.position_close


@dataclass
class Stranded:
    """A linked quote with no safe match: cut loose; `candidates` are wanted-statement indices, best
    first; `kind` is "removed" (no statement says nearly the same: the candidates are its neighbours
    in time or place) or "unsure" (a statement may be its new version)."""

    quote: Quote
    reason: str
    candidates: list[int] = field(default_factory=list)
    similarity: float | None = None
    kind: str = "removed"


@dataclass
class CarryOver:
    """carried: {wanted index: (old quote, similarity)}; stranded: the old quotes cut loose."""

    carried: dict[int, tuple[Quote, float]] = field(default_factory=dict)
    stranded: list[Stranded] = field(default_factory=list)


def _pairing(quote, old_words, index, statement, new_words, *, floor=0.0) -> Pairing:
    """The pairing of a stored quote and a statement; None when it is close neither in time nor in
    place and its similarity cannot reach `floor` (difflib's cheap upper bounds, before the full ratio)."""
    time_close = abs(statement.start_second - quote.start_second) <= TIME_WINDOW
    position_close = abs(statement.position - quote.position) <= POSITION_WINDOW
    if not old_words and not new_words:
        return Pairing(index, 1.0, time_close, position_close)
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    overlap = _mean(0.0, old_words, new_words) * 2  # the Dice overlap alone
    if (
        floor
        and not time_close
        and not position_close
        and ((matcher.real_quick_ratio() + overlap) / 2 < floor or (matcher.quick_ratio() + overlap) / 2 < floor)
    ):
        return None
    return Pairing(index, (matcher.ratio() + overlap) / 2, time_close, position_close)


def carry_over(wanted, matches, leftovers) -> CarryOver:
    """Pair the linked quotes `leftovers` (stored quotes no exact match took) with the statements of
    `wanted` that `matches` (one stored quote or None per wanted statement) left without a quote.

    Returns the safe pairings (see the module's rules) and the rest, cut loose with their reason
    and candidates (among all the wanted statements). Reads nothing from the database.
    """
    free = [index for index, match in enumerate(matches) if match is None]
    word_lists = {}

    def words_of(index):
        if index not in word_lists:
            word_lists[index] = words(wanted[index].text)
        return word_lists[index]

    safe_by_quote: dict[int, list[Pairing]] = {}
    old_words = {quote.pk: words(quote.text) for quote in leftovers}
    for quote in leftovers:
        pairings = [
            _pairing(quote, old_words[quote.pk], index, wanted[index], words_of(index), floor=SIMILAR_WORDING)
            for index in free
        ]
        safe = sorted(
            (p for p in pairings if p is not None and p.safe), key=lambda p: (-p.similarity, -p.rank, p.index)
        )
        safe_by_quote[quote.pk] = safe

    result = CarryOver()
    ambiguous: set[int] = set()
    claims: dict[int, list[tuple[float, Quote]]] = {}
    for quote in leftovers:
        safe = safe_by_quote[quote.pk]
        if len(safe) > 1 and safe[0].similarity - safe[1].similarity < AMBIGUITY_MARGIN:
            ambiguous.add(quote.pk)
        elif safe:
            claims.setdefault(safe[0].index, []).append((safe[0].similarity, quote))
    for index, rivals in claims.items():
        rivals.sort(key=lambda pair: (-pair[0], pair[1].pk))
        if len(rivals) > 1 and rivals[0][0] - rivals[1][0] < AMBIGUITY_MARGIN:
            ambiguous.update(quote.pk for _, quote in rivals)
            continue
        score, quote = rivals[0]
        result.carried[index] = (quote, score)

    carried_ids = {quote.pk for quote, _ in result.carried.values()}
    for quote in leftovers:
        if quote.pk in carried_ids:
            continue
        pairings = [
            _pairing(quote, old_words[quote.pk], index, statement, words_of(index), floor=CANDIDATE_FLOOR)
            for index, statement in enumerate(wanted)
        ]
        close = [
            p
            for p in pairings
            if p is not None and (p.similarity >= CANDIDATE_FLOOR or p.time_close or p.position_close)
        ]
        close.sort(key=lambda p: (-p.rank, p.index))
        best = max((p.similarity for p in close), default=None)
        if quote.pk in ambiguous:
            kind, reason = "unsure", "several statements of the new version match it about equally well"
        elif best is not None and best >= SIMILAR_WORDING:
            kind, reason = "unsure", "a similar statement moved too far in time and place to be sure it is the same"
        elif best is not None and best >= CANDIDATE_FLOOR:
            kind, reason = (
                "unsure",
                f"its wording changed too much to be sure (closest statement {round(100 * best)}% similar)",
            )
        else:
            kind, reason = "removed", "its statement is no longer in the document"
            # No statement says nearly the same: the candidates are its neighbours, the nearest in
            # time, then in place, first (a shared word or two would only be noise).
            close.sort(
                key=lambda p: (
                    abs(wanted[p.index].start_second - quote.start_second),
                    abs(wanted[p.index].position - quote.position),
                    p.index,
                )
            )
        result.stranded.append(Stranded(quote, reason, [p.index for p in close[:MAX_CANDIDATES]], best, kind))
    return result


# --------------------------------------------------------------------------- after the writes


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


def history_reason(text: str) -> str:
    """`text` cut to fit a history record's reason."""
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


def baseline(quote_ids) -> None:
    """Before the import changes linked quotes: record each one's current state where nothing is
    recorded yet (as cases.history.ensure_quote_baseline, in bulk queries)."""
    if quote_ids:
        unrecorded = Quote.objects.filter(pk__in=list(quote_ids)).exclude(
            Exists(Quote.history.filter(id=OuterRef("pk")))
        )
        record_in_bulk(unrecorded, reason=BASELINE_REASON)


def settle(*, name, document, report, moved, stranded, placed) -> None:
    """Once the quotes are written: history records, re-link tasks and report entries.

    moved: {quote id: (old text, old first second)} of linked quotes updated in place (their
    wording or time changed); stranded: the Stranded quotes cut loose; placed: the stored quote of
    each wanted statement (the candidates' ids). The cases concerned are marked changed for the
    stale-edit guard (cases/admin/forms.py). A fixed number of queries.
    """
    if not moved and not stranded:
        return
    links = describe_links([*moved, *(item.quote.pk for item in stranded)])
    relink_ids = {}
    file_name = Path(name).name
    if moved:
        record_in_bulk(
            Quote.objects.filter(pk__in=list(moved)),
            reason=history_reason(f"Statement changed; links kept (re-import of {file_name})"),
        )
    if stranded:
        record_in_bulk(
            Quote.objects.filter(pk__in=[item.quote.pk for item in stranded]),
            reason=history_reason(f"Cut loose with its links, to re-link (re-import of {file_name})"),
        )
        open_ids = set(
            QuoteRelink.objects.filter(
                quote_id__in=[item.quote.pk for item in stranded], status=QuoteRelink.Status.PENDING
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
                for item in stranded
                if item.quote.pk not in open_ids
            ]
        )
        relink_ids = {relink.quote_id: relink.pk for relink in created}
    bump_content_version({case.pk for entry in links.values() for case in entry.cases})

    by_quote = {quote.pk: quote for quote in placed if quote.pk in moved}
    for pk, (old_text, old_second) in moved.items():
        quote = by_quote[pk]
        kind = "wording" if quote.text != old_text else "time"
        report.links_carried += 1
        report.relinks.append(
            _entry(
                name,
                "carried",
                kind,
                links[pk],
                old_text=old_text,
                old_second=old_second,
                new_text=quote.text,
                new_second=quote.start_second,
                quote=pk,
            )
        )
    for item in stranded:
        best = placed[item.candidates[0]] if item.candidates and item.kind != "removed" else None
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
        report.relinks.append(entry)
        report.problems.append(
            f"{name}:0: the quote at {format_timestamp(item.quote.start_second)} linked by curators "
            f"({_named(entry)}) has no safe match in the new version ({item.reason}): kept without a "
            "document, to re-link in the admin"
        )


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


def _named(entry) -> str:
    cases = [f"“{case['title']}” ({', '.join(case['claims'])})" for case in entry["cases"]]
    return "; ".join(cases) if cases else "no case; " + ", ".join(entry["terms"])


def restore(quote_ids) -> int:
    """Quotes an import took back into their document (same text and second again): their re-link tasks close."""
    if not quote_ids:
        return 0
    return QuoteRelink.objects.filter(quote_id__in=list(quote_ids), status=QuoteRelink.Status.PENDING).update(
        status=QuoteRelink.Status.RESTORED, resolved_at=timezone.now()
    )
