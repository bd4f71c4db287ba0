"""Markdown of summary documents: plain text of a fragment and the kind of each line (pure Python).

Every pattern is linear in its input: emphasis markers are dropped run by run instead of being
paired by a backtracking pattern, so a megabyte of '*a *a *a' reads in one pass.
"""

from __future__ import annotations

import html
import re

from ..wiki import WIKI_LINK, wiki_label

# --------------------------------------------------------------------------- plain text

_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_CALLOUT_MARK = re.compile(r"\[![A-Za-z][\w-]*\][+-]?")
# A run of '*' or '_' that marks emphasis: every run except one standing alone between spaces
# ('2 * 3') or, for '_', one inside a word ('public_sector'); '*' inside a word is emphasis. Each
# alternative starts only at the first character of a run and takes the run whole (possessive):
# no pairing, no backtracking.
_EMPHASIS = re.compile(
    r"(?<=[^\s*])\*++|(?<!\*)\*++(?=\S)"  # '*' after a character, or before one
    r"|(?<=[^\s\w])_++|(?<!_)_++(?=[^\s\w])"  # '_' beside punctuation
    r"|(?<![^\s])_++(?=[^\W_])|(?<=[^\W_])_++(?!\S)"  # '_' between a space and a letter
)
_LEADING_JUNK = re.compile(r"^[\s,.;:!?)\]}]+")


def plain(text: str) -> str:
    """Markdown fragment -> plain text (links resolved to labels, markers dropped, spaces collapsed)."""
    if not text:
        return ""
    if "[" in text:
        text = WIKI_LINK.sub(wiki_label, text)
        text = _MD_LINK.sub(r"\1", text)
        text = _CALLOUT_MARK.sub(" ", text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    if "`" in text:
        text = text.replace("`", "")
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = " ".join(text.split())
    return _LEADING_JUNK.sub("", text)


def has_alnum(text: str) -> bool:
    """Whether the text holds a letter or digit (markup and punctuation alone do not count)."""
    return any(ch.isalnum() for ch in text)


# --------------------------------------------------------------------------- lines

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_QUOTE = re.compile(r"[ \t]{0,3}>[ \t]?")
_LIST = re.compile(r"([ \t]*)([*+-]|\d{1,9}[.)])(?:[ \t]+|$)")
_CALLOUT = re.compile(r"\[![A-Za-z][\w-]*\][+-]?[ \t]*")
_TABLE_DELIMITER = re.compile(r"[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*(?::?-+:?[ \t]*)?$")


def heading_content(content: str) -> str:
    """A heading's text without its optional closing hashes ('Title ##' -> 'Title')."""
    stripped = content.rstrip(" \t")
    without_hashes = stripped.rstrip("#")
    if without_hashes != stripped and (not without_hashes or without_hashes[-1] in " \t"):
        return without_hashes.rstrip(" \t")
    return content


def classify(line: str) -> tuple[str, int, int]:
    """(kind, content start, heading level) of one non-blank line.

    Kinds: 'heading', 'rule', 'fence', 'table' (a row starting with '|'), 'delimiter' (a table's
    '|---|' row), 'quote' (block-quote text), 'qitem' (a list item inside a block quote), 'item',
    'callout' ('[!NOTE] Title', also inside a block quote), 'para'.
    """
    heading = _HEADING.match(line)
    if heading:
        return "heading", heading.end(), len(heading.group(1))
    if _RULE.match(line):
        return "rule", len(line), 0
    if _FENCE.match(line):
        return "fence", len(line), 0
    kind, pos = "para", 0
    quote = _QUOTE.match(line)
    if quote:
        kind = "quote"
        while quote:
            pos = quote.end()
            quote = _QUOTE.match(line, pos)
    if line[pos:].lstrip(" \t").startswith("|"):
        return ("delimiter" if _TABLE_DELIMITER.match(line, pos) else "table"), pos, 0
    item = _LIST.match(line, pos)
    if item and not _RULE.match(line, pos):
        return ("qitem" if kind == "quote" else "item"), item.end(), 0
    callout = _CALLOUT.match(line, pos)
    if callout:
        return "callout", callout.end(), 0
    return kind, pos, 0


def mask_table_pipes(line: str) -> str:
    """A table row with its cell pipes made ';' (same length: offsets stay), wiki-link pipes kept.

    The leading and closing pipes become spaces, an escaped '\\|' stays a character of its cell.
    """
    keep = set()
    if "[[" in line:
        for link in WIKI_LINK.finditer(line):
            keep.update(range(link.start(), link.end()))
    chars = list(line)
    pipes = [i for i, ch in enumerate(chars) if ch == "|" and i not in keep and (i == 0 or chars[i - 1] != "\\")]
    for i in pipes:
        chars[i] = ";"
    if pipes:
        first_text = len(line) - len(line.lstrip(" \t>"))
        if pipes[0] == first_text:
            chars[pipes[0]] = " "
        if not line[pipes[-1] + 1 :].strip():
            chars[pipes[-1]] = " "
    return "".join(chars)
