"""Read webinar summary documents into statements that cite seconds of a YouTube video.

A document is markdown with a front matter (``title``, ``videoId``), a ``From: [[channel]]`` line,
``[[target | label]]`` wiki links and timestamp anchors
``<a class="yt-timestamp" data-t="HH:MM:SS">[HH:MM:SS]</a>`` that end the statements they support.
Real documents are messy (see the corpus README): this module reads what it can, reports what it
read imperfectly as :class:`Problem` and only gives up (:class:`DocumentError`) when the file has
no front matter or no video id. Anchors are found by ``anchors``, markdown is read by ``markup``.

Pure standard library on purpose: no Django import here, so the parser can be used and tested on
its own. Wiki links and slugs come from ``cases.wiki``, shared with the renderer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..timestamps import format_timestamp, youtube_url
from ..wiki import WIKI_LINK, wiki_slug
from .anchors import (
    MAX_VALUE_LENGTH,
    foreign_digits,
    foreign_stamps,
    parse_timestamp,
    scan_anchors,
    seconds_from_fields,
)
from .anchors import Anchor as _Anchor
from .channel_index import IndexedVideo, is_channel_index, parse_channel_index
from .frontmatter import DocumentError, front_matter, split_lines
from .markup import classify, has_alnum, heading_content, mask_table_pipes, plain
from .parsed import ParsedDocument, Problem, Statement
from .plausibility import shift_pattern

__all__ = [
    "DocumentError",
    "IndexedVideo",
    "ParsedDocument",
    "Problem",
    "Statement",
    "format_timestamp",
    "is_channel_index",
    "parse_channel_index",
    "parse_document",
    "parse_timestamp",
    "slugify_target",
    "youtube_url",
]


slugify_target = wiki_slug
_seconds_from_fields = seconds_from_fields  # the name the shift rule has read since the start


# --------------------------------------------------------------------------- blocks

_FROM = re.compile(r"^\s*From:", re.I)

# Anchors of one statement: separated only by spaces, commas, semicolons, 'and', or a dash (a range).
_GAP_WORDS = {"and", "&", "to", "-", "--", "–", "—"}
# Closing punctuation, quotes and brackets that directly follow a statement's last anchor.
_TRAILING = re.compile(r"[.,;:!?…)\]}\"'”’»]*")
_CLOSER = {"(": ")", "[": "]"}
# Lines that continue the block before them: (line kind, kinds of block they continue).
_CONTINUES = {"para": ("para", "item"), "quote": ("quote", "qitem")}


def shown(value: str) -> str:
    """`value` as a problem line quotes it: at most MAX_VALUE_LENGTH characters, "…" where cut (an
    anchor's text or data-t may run to a line's 20,000 characters)."""
    return value if len(value) <= MAX_VALUE_LENGTH else value[:MAX_VALUE_LENGTH] + "…"


@dataclass
class _Part:
    lineno: int
    line: str
    start: int  # where the block content starts in the line
    anchors: list[_Anchor]


@dataclass
class _Block:
    kind: str  # 'para', 'item', 'quote', 'qitem', 'callout', 'table', 'heading'
    parts: list[_Part]
    level: int = 0  # headings


# --------------------------------------------------------------------------- documents

_Cited = tuple[_Anchor, int]  # a readable anchor and its file line


class _Reader:
    def __init__(self, video_id: str, minutes_seconds: bool, title: str = ""):
        self.video_id = video_id
        self.minutes_seconds = minutes_seconds
        self.title = title
        self.statements: list[Statement] = []
        self.problems: list[Problem] = []
        self.topics: dict[str, str] = {}
        self.heading_stack: list[tuple[int, str]] = []
        self.readable: list[tuple[_Anchor, int]] = []
        self.bare: list[int] = []
        self.anchor_count = 0
        self.unreadable = 0
        self.merged_repeats = 0
        # Anchors standing alone before the text they cite, waiting for the next block.
        self.carried: list[_Cited] = []
        self.carried_from_heading = False
        # The markdown of the last block that held text but cited nothing (a fallback for them).
        self.uncited_text = ""

    # -- lines ---------------------------------------------------------------

    def scan_line(self, lineno: int, line: str) -> tuple[str, list[_Anchor]]:
        """Anchors of a line, problems about them, and the line with anchors made markdown links."""
        anchors = scan_anchors(line, self.minutes_seconds)
        for stamp in foreign_stamps(line, anchors):
            self.problems.append(Problem(lineno, f'timestamp "{shown(stamp)}" is written with digits other than 0-9'))
        if "[[" in line:
            for match in WIKI_LINK.finditer(line):
                target, label = match.group(1), match.group(2) or match.group(1)
                if has_alnum(target):
                    self.topics.setdefault(slugify_target(target), label)
        if not anchors:
            return line, anchors
        out, last = [], 0
        for anchor in anchors:
            self.anchor_count += 1
            out.append(line[last : anchor.start])
            last = anchor.end
            if anchor.seconds is None:
                self.unreadable += 1
                reason = "is written with digits other than 0-9" if foreign_digits(anchor.raw) else "has no number"
                self.problems.append(Problem(lineno, f'timestamp "{shown(anchor.raw)}" {reason}'))
                out.append(anchor.text)
                continue
            self.readable.append((anchor, lineno))
            if anchor.bare:
                self.bare.append(lineno)
            # The anchor was read from one of its two times; the other, in other digits, is reported.
            for part, foreign in (("text", anchor.foreign_text), ("data-t", anchor.foreign_data_t)):
                if foreign is not None:
                    self.problems.append(
                        Problem(
                            lineno,
                            f'timestamp "{shown(anchor.raw)}" has a {part} written with digits other than 0-9 '
                            f'("{shown(foreign)}"): "{shown(anchor.raw)}" read alone',
                        )
                    )
            if anchor.disagreement is not None:
                self.problems.append(
                    Problem(
                        lineno,
                        f'timestamp "{shown(anchor.raw)}" and its text "{shown(anchor.disagreement)}" name different '
                        f'times: kept "{anchor.raw}" unless only the text\'s time is plausible for the video',
                    )
                )
            stamp = format_timestamp(anchor.seconds)
            out.append(f"[{stamp}]({youtube_url(self.video_id, anchor.seconds)})")
        out.append(line[last:])
        return "".join(out), anchors

    # -- statements ------------------------------------------------------------

    def cite(self, statement: Statement, cited: list[_Cited]) -> None:
        for anchor, _ in cited:
            if anchor.seconds in statement.seconds:
                self.merged_repeats += 1
                continue
            statement.seconds.append(anchor.seconds)
            if anchor.text_seconds is not None:
                statement.alternatives[anchor.seconds] = anchor.text_seconds

    def statement(self, text: str, source: str, cited: list[_Cited]) -> Statement:
        topics: list[str] = []
        if "[[" in source:
            for match in WIKI_LINK.finditer(source):
                if has_alnum(match.group(1)):
                    slug = slugify_target(match.group(1))
                    if slug not in topics:
                        topics.append(slug)
        statement = Statement(
            text=text,
            seconds=[],
            heading_path=[title for _, title in self.heading_stack if title],
            position=len(self.statements) + 1,
            line=cited[0][1],
            topics=topics,
        )
        self.cite(statement, cited)
        self.statements.append(statement)
        return statement

    def cite_backwards(self, cited: list[_Cited]) -> None:
        """Anchors with no text after them: the uncited text before them, else the last statement."""
        text = plain(self.uncited_text)
        if has_alnum(text):
            self.statement(text, self.uncited_text, cited)
        elif self.statements:
            self.cite(self.statements[-1], cited)
        else:
            path = [title for _, title in self.heading_stack if title]
            self.statement(path[-1] if path else (self.title or self.video_id), "", cited)
        self.uncited_text = ""

    # -- blocks --------------------------------------------------------------

    def heading(self, block: _Block) -> None:
        if self.carried and not self.carried_from_heading:
            self.cite_backwards(self.carried)  # anchors alone before a heading cite what precedes
            self.carried = []
        part = block.parts[0]
        content = heading_content(part.line[part.start :])
        spans = [(a.start - part.start, a.end - part.start) for a in part.anchors]
        title = plain(_remove_spans(content, spans))
        if block.level == 1:
            self.heading_stack = []
        else:
            self.heading_stack = [(lvl, txt) for lvl, txt in self.heading_stack if lvl < block.level]
            self.heading_stack.append((block.level, title))
        self.uncited_text = ""
        if part.anchors:  # anchors must never be dropped: the heading itself becomes a statement
            self.statements_of(block)

    def statements_of(self, block: _Block) -> None:
        pieces, anchors = [], []
        offset = 0
        for part in block.parts:
            content = part.line[part.start :].rstrip()
            if block.kind == "heading":
                content = heading_content(content)
            for anchor in part.anchors:
                start = max(anchor.start - part.start, 0) + offset
                anchors.append((start, anchor.end - part.start + offset, anchor, part.lineno))
            pieces.append(content)
            offset += len(content) + 1
        joined = " ".join(pieces)
        if not anchors and not self.carried:
            self.uncited_text = joined
            return

        groups: list[list[tuple[int, int, _Anchor, int]]] = []
        for index, current in enumerate(anchors):
            if groups:
                gap = joined[anchors[index - 1][1] : current[0]].replace(",", " ").replace(";", " ").split()
                if all(word.lower() in _GAP_WORDS for word in gap):
                    groups[-1].append(current)
                    continue
            groups.append([current])

        pending, self.carried = self.carried, []
        made: list[Statement] = []
        cursor = 0
        for group in groups:
            segment = joined[cursor : group[0][0]]
            trailing = _TRAILING.match(joined, group[-1][1])
            cursor = trailing.end()
            cited = [(anchor, lineno) for _, _, anchor, lineno in group if anchor.seconds is not None]
            if not cited:  # only unreadable anchors (already reported): nothing to cite
                continue
            text = self.text_of(segment, block.kind)
            # A comma or semicolon after the anchor belongs to the next clause, not this statement.
            ending = trailing.group().rstrip(",;")
            if text and text[-1] in _CLOSER and ending.startswith(_CLOSER[text[-1]]):
                text, ending = text[:-1].rstrip(), ending[1:]  # '(anchor)', '[anchor, anchor]'
            if has_alnum(text):
                made.append(self.statement(text + ending, segment, pending + cited))
                pending = []
            elif made:  # no text of its own after a statement of its block: it cites that one too
                self.cite(made[-1], cited)
            else:  # at the start of its block: it cites what follows
                pending = pending + cited

        tail = joined[cursor:]
        tail_text = self.text_of(tail, block.kind)
        if pending and not made and not has_alnum(tail_text):  # anchors alone: they cite the next block
            self.carried, self.carried_from_heading = pending, block.kind == "heading"
            return
        if pending:
            self.statement(tail_text, tail, pending)
        self.uncited_text = tail if not pending and has_alnum(tail_text) else ""

    @staticmethod
    def text_of(markdown: str, kind: str) -> str:
        text = plain(markdown)
        return text.replace(" ;", ";").rstrip(" ;") if kind == "table" else text  # cells: 'a; b'

    # -- whole document ---------------------------------------------------------

    def shift(self) -> tuple[bool, str]:
        """(shifted, reason) from the values as written (read as hours:minutes:seconds), by the
        shift rule of :mod:`.plausibility` (shared with the importer, which also checks the values
        against the video's end)."""
        written = [seconds_from_fields(a.fields, False) for a, _ in self.readable if a.fields]
        pattern = shift_pattern(written)
        return (True, pattern.reason()) if pattern else (False, "")


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def _blocks(reader: _Reader, lines: list[str], first: int, skip: int | None) -> tuple[list[str], list[_Block]]:
    """(body lines with anchors made links, blocks of text) of lines[first:], line ``skip`` left out."""
    body_lines: list[str] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    for i in range(first, len(lines)):
        if i == skip:
            continue
        lineno, line = i + 1, lines[i]
        rewritten, anchors = reader.scan_line(lineno, line)
        body_lines.append(rewritten)
        if not line.strip():
            current = None
            continue
        kind, start, level = classify(line)
        if kind in ("rule", "fence", "delimiter"):
            current = None
            continue
        part = _Part(lineno, mask_table_pipes(line) if kind == "table" else line, start, anchors)
        if current is not None and current.kind in _CONTINUES.get(kind, ()):
            current.parts.append(part)  # paragraph or quote line, or a list item's continuation
            continue
        current = _Block(kind, [part], level)
        blocks.append(current)
        if kind in ("heading", "callout", "table"):
            current = None  # one line each: what follows starts a new block
    return body_lines, blocks


def parse_document(text: str, *, minutes_seconds: bool = False) -> ParsedDocument:
    """Parse one summary document; raises DocumentError when it cannot be imported at all.

    Time and memory are linear in the size of the text, whatever it holds.
    """
    lines = split_lines(text)
    front, opening, body_start = front_matter(lines)
    video_id, video_line = front.get("videoid", ("", opening))
    video_id = video_id.strip()
    if not video_id:
        raise DocumentError(opening, "no videoId in front matter")
    title, _ = front.get("title", ("", opening))

    reader = _Reader(video_id, minutes_seconds, plain(title))
    if not re.fullmatch(r"[A-Za-z0-9_-]{11}", video_id):
        reader.problems.append(Problem(video_line, f'videoId "{video_id}" does not look like a YouTube id'))
    if not title.strip():
        reader.problems.append(Problem(opening, "no title in front matter"))

    # The 'From: [[channel]]' line: the first non-blank line of the body.
    channel, from_index = None, None
    for i in range(body_start, len(lines)):
        if lines[i].strip():
            if _FROM.match(lines[i]):
                from_index = i
                link = WIKI_LINK.search(lines[i])
                if link and has_alnum(link.group(1)):
                    channel = slugify_target(link.group(1))
            break

    body_lines, blocks = _blocks(reader, lines, body_start, from_index)
    for block in blocks:
        if block.kind == "heading":
            reader.heading(block)
        else:
            reader.statements_of(block)
    if reader.carried:  # anchors alone at the end of the document
        reader.cite_backwards(reader.carried)

    if reader.bare:
        reader.problems.append(
            Problem(
                reader.bare[0],
                f'{len(reader.bare)} timestamps are bare "[HH:MM:SS]" text without an anchor tag: read as anchors',
            )
        )
    shifted, shift_reason = reader.shift()
    body = "\n".join(body_lines).strip("\n")
    return ParsedDocument(
        title=title.strip(),
        video_id=video_id,
        channel=channel,
        body=body + "\n" if body else "",
        statements=reader.statements,
        topics=reader.topics,
        problems=sorted(reader.problems, key=lambda p: p.line),
        anchor_count=reader.anchor_count,
        shifted=shifted,
        shift_reason=shift_reason,
        seconds_read=len(reader.readable),
        merged_repeats=reader.merged_repeats,
        unreadable=reader.unreadable,
    )
