"""Whether a document's timestamps are plausible for the video they point into (pure Python, no Django).

Every function here takes seconds (ints) and answers with seconds or a reason in words, so the
parser, the importer, the admin and the audit command share one set of rules:

* :func:`shift_pattern` -- values written one field left (``13:23:00`` meaning 13 min 23 s): far more
  values than chance share one last field (``:00``, ``:05``, ``:01``...) and, read as
  hours:minutes:seconds, they run for hours. Whether *all* values look like that or correct values
  are mixed with shifted ones, the document is flagged (the reason says which).
* :func:`estimate_end` -- a video's end estimated from the largest second of each document about
  it, robust to one document whose values are shifted: the lower median of the documents' maxima
  is the reference, and a document whose maximum runs past ``ESTIMATE_SPREAD`` times that
  reference is left out (shifting one field left multiplies a value by about 60; documents of
  the same video end within a few percent of each other). A document that itself looks shifted
  counts with its patterned values read as minutes:seconds; a document a curator confirmed
  counts as it is, always.
* :func:`past_end` -- a real share of a document's values after the video's end.
* :func:`choose_second` -- an anchor whose ``data-t`` and text disagree: the plausible one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import median_low

from ..timestamps import format_timestamp

__all__ = [
    "ESTIMATE_SPREAD",
    "LONGEST_VIDEO_SECONDS",
    "ShiftPattern",
    "assess_document",
    "choose_second",
    "estimate_end",
    "past_end",
    "plausible_maximum",
    "shift_pattern",
]

# A shift pattern needs at least this many distinct values sharing one last field...
SHIFT_MIN_VALUES = 3
# ...making at least this share of the document's distinct values (chance alone gives 1/60)...
SHIFT_MIN_SHARE = 0.25
# ...the largest of them, read as hours:minutes:seconds, at least this long (a 2-hour-plus webinar
# whose summary rounds every time to the same last field is not what documents look like).
SHIFT_MIN_SECONDS = 2 * 3600
# A document is flagged when at least this many of its distinct values, and this share, fall
# after the video's end (one stray value leaves only its own quote under review).
PAST_END_MIN_VALUES = 2
PAST_END_MIN_SHARE = 0.10
# A document's maximum past this many times the reference (lower median) is not used for the estimate.
ESTIMATE_SPREAD = 2.0
# No estimate runs past this: a value beyond it is past the end of any webinar in the library.
LONGEST_VIDEO_SECONDS = 10 * 3600


@dataclass(frozen=True)
class ShiftPattern:
    """Values of a document that look written one field left.

    ``last_field``: the field they share (0 for ``:00``); ``values``: those values (seconds, as
    hours:minutes:seconds), sorted; ``total``: the document's distinct values; ``others``: how many
    of them do not share the last field.
    """

    last_field: int
    values: tuple[int, ...]
    total: int
    others: int

    @property
    def mixed(self) -> bool:
        """Correct-looking values stand beside the shifted ones."""
        return self.others >= 2

    def reason(self) -> str:
        ending = f":{self.last_field:02d}"  # (values repeating their minutes, '03:05:05', count too)
        largest = format_timestamp(self.values[-1])
        if not self.mixed:
            return (
                f"{len(self.values)} of {self.total} timestamps end in {ending} and run to {largest}: "
                f"values look shifted one field left (minutes:seconds{ending})"
            )
        return (
            f"{len(self.values)} of {self.total} timestamps end in {ending} and run to {largest}, the "
            f"{self.others} others do not: shifted values (minutes:seconds{ending}) mixed with correct ones"
        )


def _repeats_minutes(second: int) -> bool:
    """'03:05:05': the last field repeats the middle one (minutes:seconds:seconds)."""
    return (second // 60) % 60 == second % 60


def shift_pattern(seconds) -> ShiftPattern | None:
    """The shift pattern of a document's values (seconds as written, read as hours:minutes:seconds), or None.

    Patterned: values whose last field is the one most values of an hour or more share (below an
    hour the hours field is 0 and says nothing), and values of an hour or more whose last field
    repeats the middle one ('03:05:05').
    """
    distinct = sorted(set(seconds))
    if len(distinct) < SHIFT_MIN_VALUES:
        return None
    by_last = Counter(second % 60 for second in distinct if second >= 3600)
    if not by_last:
        return None
    top = max(by_last.values())
    last_field = 0 if by_last.get(0) == top else max(by_last, key=by_last.get)
    values = tuple(s for s in distinct if s % 60 == last_field or s >= 3600 and _repeats_minutes(s))
    if len(values) < SHIFT_MIN_VALUES or len(values) < SHIFT_MIN_SHARE * len(distinct):
        return None
    if values[-1] < SHIFT_MIN_SECONDS:
        return None
    others = len(distinct) - len(values)
    return ShiftPattern(last_field=last_field, values=values, total=len(distinct), others=others)


def as_minutes_seconds(second: int) -> int:
    """A value written one field left read back: H:M:S as H minutes M seconds (13:23:00 -> 803)."""
    return (second // 3600) * 60 + (second // 60) % 60


def plausible_maximum(seconds) -> int | None:
    """The largest second of a document once values that look shifted are read as minutes:seconds.

    With a shift pattern, its values are read so; when nearly all values follow the pattern (not mixed), every value of an hour or more is.
    """
    seconds = list(seconds)
    if not seconds:
        return None
    pattern = shift_pattern(seconds)
    if pattern is None:
        return max(seconds)

    def shifted(second):
        if second >= 3600 and not pattern.mixed:
            return True
        return second in pattern.values

    return max(as_minutes_seconds(s) if shifted(s) else s for s in seconds)


def estimate_end(maxima, *, confirmed=()) -> int | None:
    """A video's estimated end (seconds) from its documents' plausible maxima, or None without any.

    ``maxima``: one value per document (see :func:`plausible_maximum`); ``confirmed``: maxima of
    documents whose times a curator confirmed, always within the estimate. The estimate is the
    largest maximum within ``ESTIMATE_SPREAD`` times the lower median, capped at
    ``LONGEST_VIDEO_SECONDS`` (a confirmed maximum may exceed the cap).
    """
    maxima = [m for m in maxima if m is not None]
    confirmed = [m for m in confirmed if m is not None]
    estimate = None
    if maxima:
        reference = median_low(maxima)
        estimate = min(max(m for m in maxima if m <= reference * ESTIMATE_SPREAD), LONGEST_VIDEO_SECONDS)
    if confirmed:
        estimate = max(estimate or 0, *confirmed)
    return estimate


def past_end(seconds, end: int | None) -> list[int]:
    """The distinct seconds after `end` (none when the end is unknown), sorted."""
    if end is None:
        return []
    return sorted(s for s in set(seconds) if s > end)


def assess_document(seconds, *, end: int | None, estimated: bool = True) -> str:
    """Why a document's values are not plausible for its video ('' when they are).

    ``seconds``: every second the document's quotes cite, as stored; ``end``: the video's duration
    (``estimated`` False: a curator's) or estimated end. Reasons are joined by '; '.
    """
    seconds = list(seconds)
    reasons = []
    pattern = shift_pattern(seconds)
    if pattern is not None:
        reasons.append(pattern.reason())
    late = past_end(seconds, end)
    total = len(set(seconds))
    if len(late) >= PAST_END_MIN_VALUES and len(late) >= PAST_END_MIN_SHARE * total:
        which = "estimated end" if estimated else "end"
        reasons.append(
            f"{len(late)} of {total} timestamps fall after the video's {which} ({format_timestamp(end)}), "
            f"up to {format_timestamp(late[-1])}"
        )
    return "; ".join(reasons)


def choose_second(value: int, alternative: int | None, *, end: int | None) -> tuple[int, int | None]:
    """(second to store, the second it replaces or None) for an anchor whose text names `alternative`.

    ``value`` is what ``data-t`` says; when exactly one of the two is within `end` (or, with no
    end known, within ``LONGEST_VIDEO_SECONDS``), that one is stored; otherwise ``value`` is.
    """
    if alternative is None or alternative == value:
        return value, None
    bound = LONGEST_VIDEO_SECONDS if end is None else end
    if alternative <= bound < value:
        return alternative, value
    return value, None
