"""Highlighted snippets of search hits, built in Python in time linear in the text's length (both databases).

The text is read word by word until the first matched word; only a window around it is cleaned of
markdown and marked, so a long document costs one pass over its words, never a backtracking regex.
"""

import re

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from .text import LINK_TARGET, WORD, fold

SNIPPET_CHARS = 240
SCAN_CHARS = 50_000  # how far into a text the first matched word is looked for
# Highlight marks around matched words: private-use characters, replaced by <mark> only after the
# text around them has been escaped.
START_SEL, STOP_SEL = "\ue000", "\ue001"
MARKED = re.compile(f"{START_SEL}([^{START_SEL}{STOP_SEL}]*){STOP_SEL}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MARKDOWN_NOISE = [
    (re.compile(r"\[\[(?:[^\]|\n]{0,200}\|)?([^\]\n]{0,200})\]\]"), r"\1"),  # [[target|label]] -> label
    (re.compile(r"!?\[([^\]\n]{0,300})\]\([^)\s]{0,500}\)?"), r"\1"),  # [text](url) -> text
    (re.compile(r"\]\([^)\s]{0,500}\)?"), ""),  # the tail of a link cut by the window
    (re.compile(r"https?://\S{0,500}"), ""),
    (re.compile(r"(^|\s)#{1,6}\s"), r"\1"),
    (re.compile(r"[*`>|\[\]]+"), ""),
    (re.compile(r"(?<![^\W_])_+|_+(?![^\W_])"), ""),  # emphasis underscores; in-word ones (snake_case) stay
]


def plain_text(text, markdown=False):
    """`text` on one line, without markdown syntax when `markdown` (links keep their label)."""
    if markdown:
        for pattern, replacement in MARKDOWN_NOISE:
            text = pattern.sub(replacement, text)
    return " ".join(text.split())


def marked_html(text):
    """Escape `text`, turning START_SEL…STOP_SEL spans into <mark>; stray marks are dropped."""
    parts = []
    position = 0
    for match in MARKED.finditer(text):
        parts.append(conditional_escape(text[position : match.start()].replace(START_SEL, "").replace(STOP_SEL, "")))
        parts.append(format_html("<mark>{}</mark>", match.group(1)))
        position = match.end()
    parts.append(conditional_escape(text[position:].replace(START_SEL, "").replace(STOP_SEL, "")))
    return SafeString("".join(parts))


class Matcher:
    """Whether a word of a text is one a query looks for: `words` are (folded word, prefix) pairs."""

    def __init__(self, words):
        self.whole = {word for word, prefix in words if not prefix}
        self.prefixes = tuple(sorted({word for word, prefix in words if prefix}))

    def __call__(self, word):
        folded = word.lower() if word.isascii() else fold(word)
        return folded in self.whole or (bool(self.prefixes) and folded.startswith(self.prefixes))


def mark_words(text, matcher):
    """`text` with the words `matcher` accepts between START_SEL and STOP_SEL."""
    return WORD.sub(
        lambda match: f"{START_SEL}{match.group(0)}{STOP_SEL}" if matcher(match.group(0)) else match.group(0), text
    )


def snippet(text, matcher, *, markdown=False, limit=SNIPPET_CHARS):
    """SafeString: about `limit` characters of `text` from shortly before its first matched word
    (its start when none matches), matched words in <mark>, "…" where it was cut."""
    text = CONTROL.sub(" ", text or "")
    scanned = text[:SCAN_CHARS]
    if markdown and "](" in scanned:
        # A link's address is never the match (the index leaves it out: text.LINK_TARGET); blanked
        # at the same length, so positions stay those of `text`.
        scanned = LINK_TARGET.sub(lambda target: " " * len(target.group()), scanned)
    first = next((match.start() for match in WORD.finditer(scanned) if matcher(match.group(0))), 0)
    window_start = max(0, first - limit)
    window = text[window_start : first + 3 * limit]
    # Where the first match lies in the cleaned window: clean what precedes it separately.
    before = plain_text(window[: first - window_start], markdown)
    after = plain_text(window[first - window_start :], markdown)
    keep_before = before[-(limit // 3) :] if len(before) > limit // 3 else before
    if keep_before != before and " " in keep_before:
        keep_before = keep_before.split(" ", 1)[1]
    excerpt = (keep_before + " " + after).strip() if keep_before else after
    cut_end = len(excerpt) > limit or window_start + len(window) < len(text)
    if len(excerpt) > limit:
        excerpt = excerpt[:limit]
        if " " in excerpt[limit // 2 :]:
            excerpt = excerpt.rsplit(" ", 1)[0]
    cut_start = keep_before != before or window_start > 0
    return marked_html(("… " if cut_start else "") + mark_words(excerpt, matcher) + (" …" if cut_end else ""))
