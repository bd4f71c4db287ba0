"""Callouts: `> [!KIND] Title` quotes (and marker paragraphs outside quotes) become titled
<aside class="callout callout-STYLE"> blocks, a markdown-it core rule."""

import re

from markdown_it.token import Token

# Callout kinds of the note-taking tools, each shown in the style of its family ("summary" looks
# like "abstract"); a kind outside this table is shown as a note, under its own name.
CALLOUT_STYLES = {
    "note": "note",
    "abstract": "abstract",
    "summary": "abstract",
    "tldr": "abstract",
    "info": "info",
    "todo": "todo",
    "tip": "tip",
    "hint": "tip",
    "important": "tip",
    "success": "success",
    "check": "success",
    "done": "success",
    "question": "question",
    "help": "question",
    "faq": "question",
    "warning": "warning",
    "caution": "warning",
    "attention": "warning",
    "failure": "failure",
    "fail": "failure",
    "missing": "failure",
    "danger": "danger",
    "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote",
    "cite": "quote",
}


# Callouts opened by marker paragraphs nest when one marker line follows another; past this depth a
# marker stays text. Unbounded, `> [!NOTE] t` written 20,000 times made 20,000 nested asides, which
# the sanitiser walks in time quadratic in the depth (34 s).
MAX_CALLOUT_DEPTH = 8

_CALLOUT_MARK = re.compile(r"\[!([A-Za-z][\w-]*)\][+-]?[ \t]*([^\n]*)\n?")


def _block_end(tokens, start):
    """Index just past the block that opens at tokens[start] (a leaf, or its matching close)."""
    if tokens[start].nesting == 0:
        return start + 1
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index + 1
    return len(tokens)


def _callout_open(kind, title, level):
    """The aside's opening token and its title paragraph (the title, else the kind's name)."""
    style = CALLOUT_STYLES.get(kind.lower(), "note")
    return [
        Token("callout_open", "aside", 1, attrs={"class": f"callout callout-{style}"}, block=True, level=level),
        Token("paragraph_open", "p", 1, attrs={"class": "callout-title"}, block=True, level=level + 1),
        Token("inline", "", 0, content=title or kind.capitalize(), children=[], level=level + 2),
        Token("paragraph_close", "p", -1, block=True, level=level + 1),
    ]


def _callout_close(level):
    return Token("callout_close", "aside", -1, block=True, level=level)


def _marker(tokens, paragraph):
    """The callout marker match of the paragraph that opens at tokens[paragraph], or None."""
    if paragraph + 1 >= len(tokens) or tokens[paragraph].type != "paragraph_open":
        return None
    return _CALLOUT_MARK.match(tokens[paragraph + 1].content)


def _strip_marker(tokens, paragraph, match):
    """Drop the marker line from the paragraph; the index to go on from (past it when it is empty)."""
    inline = tokens[paragraph + 1]
    rest = inline.content[match.end() :]
    if rest.strip():
        inline.content = rest
        return paragraph
    return paragraph + 3


def callouts(state):
    """Core rule (between block and inline parsing): `> [!KIND] Title` quotes become titled asides.

    A marker paragraph outside any quote (`[!KIND] Title` on a line of its own, as some documents
    write it) makes a callout of itself and of the blocks that follow it without a blank line, up
    to the next marker paragraph. One pass that builds a new token list: linear in the tokens.
    """
    tokens, out = state.tokens, []
    quotes = []  # for each open blockquote: whether it is a callout
    closes = []  # (token index where a marker paragraph's callout ends, its level), innermost last
    lines = None
    index = 0
    while index < len(tokens):
        while closes and closes[-1][0] == index:
            out.append(_callout_close(closes.pop()[1]))
        token = tokens[index]
        if token.type == "blockquote_open":
            match = _marker(tokens, index + 1)
            quotes.append(match is not None)
            if match is None:
                out.append(token)
                index += 1
            else:
                out.extend(_callout_open(match.group(1), match.group(2).strip(), token.level))
                index = _strip_marker(tokens, index + 1, match)
            continue
        if token.type == "blockquote_close":
            out.append(_callout_close(token.level) if quotes.pop() else token)
            index += 1
            continue
        match = _marker(tokens, index)
        if match is None or len(closes) + sum(quotes) >= MAX_CALLOUT_DEPTH:
            out.append(token)
            index += 1
            continue
        # The blocks on the very next lines join it. A block's map may end past the blank lines
        # that follow it: look at the source line before the next block.
        lines = lines if lines is not None else state.src.split("\n")
        end = _block_end(tokens, index)
        last_line = token.map[1] if token.map else None
        while (
            end < len(tokens)
            and tokens[end].nesting >= 0
            and tokens[end].map
            and tokens[end].map[0] == last_line
            and lines[last_line - 1].strip()
            and _marker(tokens, end) is None
        ):
            last_line = tokens[end].map[1]
            end = _block_end(tokens, end)
        closes.append((end, token.level))
        out.extend(_callout_open(match.group(1), match.group(2).strip(), token.level))
        index = _strip_marker(tokens, index, match)
    while closes:
        out.append(_callout_close(closes.pop()[1]))
    state.tokens = out
