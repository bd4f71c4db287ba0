"""Curator work across a re-import: a linked or edited quote whose statement changed wording or time
moves to the new version of the same statement; where no match is safe it is cut loose and listed.

The importer first matches stored quotes exactly (same text and first second, then same text: a
time change keeps the quote; a quote's text is the one imported, whatever a curator edited it to).
:func:`carry_over` then pairs each linked or edited quote left over with the statements of the new
version left over, by three signals:

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

A quote whose text or times a curator edited (a ``Quote.IMPORTED_FIELDS`` column set) is curator
work too, linked or not, compared by its values as imported: a safe pairing moves it, its imported
values taking the new statement's while the curator's stay; without one it is cut loose, its text
kept. Either way the import report names it for a curator to review (cases.importing.settling);
only a linked one gets a QuoteRelink (an unlinked one has no links to re-link).

Moving a link to the new version of the same statement is the import's, not a change of a case's
content: it needs no review on a published case; each moved or cut-loose quote gets a history record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..models import Quote

__all__ = ["CarryOver", "carry_over"]

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
    time_close = abs(statement.start_second - quote.start_second_as_imported) <= TIME_WINDOW
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
    """Pair the quotes `leftovers` (stored quotes curators linked or edited that no exact match took,
    each compared by its ``text_as_imported``) with the statements of `wanted` that `matches` (one
    stored quote or None per wanted statement) left without a quote.

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
    # The wording the document gave, not a curator's edit of it: the statements compared are the document's.
    old_words = {quote.pk: words(quote.text_as_imported) for quote in leftovers}
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
                    abs(wanted[p.index].start_second - quote.start_second_as_imported),
                    abs(wanted[p.index].position - quote.position),
                    p.index,
                )
            )
        result.stranded.append(Stranded(quote, reason, [p.index for p in close[:MAX_CANDIDATES]], best, kind))
    return result
