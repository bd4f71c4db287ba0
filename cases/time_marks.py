"""Mark the timestamp links of a rendered document body with their quotes' time status.

A post-processing step on the sanitised HTML that ``cases.rendering`` produces, kept outside the
renderer: it looks only for the renderer's YouTube links (``href="https://www.youtube.com/watch?v=ID&amp;t=Ns"``),
whatever their other attributes. An under-review second gets a class and the words "(time under
review)"; a corrected second is pointed at the second kept, with the words "(time corrected on
import from …)" (the body was written from the anchors' ``data-t``).
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .timestamps import format_timestamp, youtube_url

__all__ = ["mark_times", "time_marks_for"]

_TIME_LINK = re.compile(
    r'<a\b(?P<attrs>[^>]*?\bhref="https://www\.youtube\.com/watch\?v=(?P<video>[A-Za-z0-9_-]+)&amp;t=(?P<second>\d+)s"[^>]*)>'
    r"(?P<label>[^<]*)</a>"
)


def time_marks_for(rows) -> dict[int, int | None]:
    """{second written: second kept (None: under review)} from a document's quotes as
    ``(start_second, time_status, corrected_from_seconds)`` rows."""
    marks: dict[int, int | None] = {}
    for start, status, corrected_from in rows:
        if status == "under_review":
            marks[start] = None
        elif status == "corrected" and corrected_from is not None:
            marks[corrected_from] = start
    return marks


def _with_class(attrs: str, name: str) -> str:
    if 'class="' in attrs:
        return attrs.replace('class="', f'class="{name} ', 1)
    return f'{attrs} class="{name}"'


def mark_times(html: SafeString, *, all_under_review: bool, marks: dict) -> SafeString:
    """`html` (sanitised) with its timestamp links marked: every one when `all_under_review`, else
    those whose second is in `marks` (None: under review; a second: corrected to that second)."""
    if not all_under_review and not marks:
        return html

    def mark(match):
        second = int(match.group("second"))
        if all_under_review or (second in marks and marks[second] is None):
            attrs = _with_class(match.group("attrs"), "timestamp--under_review")
            note = '<span class="time-status time-status--under-review">(time under review)</span>'
            return f"<a{attrs}>{match.group('label')}</a> {note}"
        if second in marks:
            kept = marks[second]
            href = escape(youtube_url(match.group("video"), kept))
            attrs = re.sub(r'href="[^"]*"', f'href="{href}"', match.group("attrs"), count=1)
            attrs = _with_class(attrs, "timestamp--corrected")
            note = (
                '<span class="time-status time-status--corrected">(time corrected on import from '
                f"{escape(format_timestamp(second))})</span>"
            )
            return f"<a{attrs}>{escape(format_timestamp(kept))}</a> {note}"
        return match.group(0)

    # The input is sanitised HTML and every piece added is fixed markup or escaped text.
    return mark_safe(_TIME_LINK.sub(mark, str(html)))
