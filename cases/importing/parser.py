"""Read webinar summary documents into statements that cite seconds of a YouTube video.

A document is markdown with a front matter (``title``, ``videoId``), a ``From: [[channel]]`` line,
``[[target | label]]`` wiki links and timestamp anchors
``<a class="yt-timestamp" data-t="HH:MM:SS">[HH:MM:SS]</a>`` that end the statements they support.
Real documents are messy (see the corpus README): this module reads what it can, reports what it
read imperfectly as :class:`Problem` and only gives up (:class:`DocumentError`) when the file has
no front matter or no video id.

Pure standard library on purpose: no Django import here, so the parser can be used and tested on
its own. Wiki links and slugs come from ``cases.wiki``, shared with the renderer.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..timestamps import format_timestamp, youtube_url
from ..wiki import WIKI_LINK, wiki_label, wiki_slug
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



# --------------------------------------------------------------------------- results


class DocumentError(Exception):
    """The file cannot be imported at all."""

    def __init__(self, line: int, reason: str):
        super().__init__(line, reason)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


@dataclass(frozen=True)
class Problem:
    """Something read imperfectly or not at all: reported, not fatal."""

    line: int
    message: str


@dataclass
class Statement:
    """Text that ends in one or more timestamp anchors.

    ``text`` is plain (wiki links resolved to labels, markdown markers and list/quote markers
    removed, closing punctuation right after the last anchor appended); '' when the anchors stand
    alone. ``seconds`` are the readable cited seconds in anchor order without repeats (never empty:
    a group of only unreadable anchors makes no statement, its problems are reported). ``line`` is
    the file line of the first anchor; ``topics`` the slugs of the wiki links in the text.
    """

    text: str
    seconds: list[int]
    heading_path: list[str]
    position: int
    line: int
    topics: list[str] = field(default_factory=list)


@dataclass
class ParsedDocument:
    """One parsed document.

    ``body`` is the markdown after the front matter and the 'From:' line, every readable anchor
    replaced by ``[HH:MM:SS](youtube url)`` (an unreadable one by its text alone), wiki links left
    for the renderer. ``anchor_count`` counts every anchor found, unreadable ones and bare
    "[HH:MM:SS]" stamps included. ``shifted``: see ``_Reader.shift``; ``shifted`` is computed from
    the raw values even when ``minutes_seconds`` re-reads them.
    """

    title: str
    video_id: str
    channel: str | None
    body: str
    statements: list[Statement] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    anchor_count: int = 0
    shifted: bool = False
    shift_reason: str = ""


@dataclass
class IndexedVideo:
    video_id: str
    title: str
    documents: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- small helpers

slugify_target = wiki_slug


def _has_alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


_CLEAN_VALUE = re.compile(r"\d+(?::\d+)*\Z")
_NON_DIGIT = re.compile(r"\D")
_HMS_WORDS = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$", re.I)


def _fields(value: str) -> list[int] | None:
    """The numeric fields of a timestamp value, stray characters removed; None without a digit."""
    if not isinstance(value, str) or not any(ch.isdigit() for ch in value):
        return None
    if _CLEAN_VALUE.match(value):  # the common case: '00:12:03'
        return [int(part) for part in value.split(":")]
    if ":" not in value:
        words = _HMS_WORDS.match(value)
        if words and any(words.groups()):  # '1h02m03s', '4210s'
            hours, minutes, secs = (int(g) if g else 0 for g in words.groups())
            return [hours, minutes, secs]
    digits = [_NON_DIGIT.sub("", part) for part in value.split(":")]
    while digits and not digits[0]:
        digits.pop(0)
    while digits and not digits[-1]:
        digits.pop()
    return [int(d) if d else 0 for d in digits]


def _seconds_from_fields(fields: list[int], minutes_seconds: bool) -> int:
    if len(fields) == 1:
        return fields[0]
    if len(fields) == 2:
        return fields[0] * 60 + fields[1]
    hours, minutes, secs = fields[:3]  # a fourth field (frames) is ignored
    if len(fields) == 3 and minutes_seconds:
        return hours * 60 + minutes  # shifted document: '13:23:00' is 13 min 23 s
    return hours * 3600 + minutes * 60 + secs


def parse_timestamp(value: str, *, minutes_seconds: bool = False) -> int | None:
    """Seconds of a timestamp value, or None when the value has no digit at all.

    Fields are separated by ':' and stray characters (brackets, spaces, letters) are dropped from
    each: 'H:M:S', 'M:S', 'H:M:S:frames' (frames ignored), one-digit fields, a single number of
    seconds, '1h02m03s'. With ``minutes_seconds`` a three-field value is re-read as minutes and
    seconds shifted one field left ('13:23:00' -> 803).
    """
    fields = _fields(value)
    if fields is None:
        return None
    return _seconds_from_fields(fields, minutes_seconds)


# --------------------------------------------------------------------------- anchors

# One pass finds both anchor forms:
#  * an <a ...> tag (attribute soup may be broken) with its text up to </a>, or, when </a> is
#    missing, a bracketed text right after the tag;
#  * a bare "[HH:MM:SS]" written as text (some documents carry no tags at all), not part of a
#    wiki link "[[..]]" nor the label of a markdown link "[..](..)".
_TOKEN = re.compile(
    r"""
    (?P<tag><a\b(?P<attrs>[^>]*)>)
    (?:
        (?P<text>(?:(?!<a\b|</a\s*>).)*?)(?P<close></a\s*>)
      | (?P<loose>\s*\[[^\[\]<>]*\])
    )?
  | (?<!\[)(?P<bare>\[\s*(?P<bareval>\d{1,2}(?:\s*:\s*\d{1,2}){1,3})\s*\])(?![(\]])
    """,
    re.I | re.S | re.X,
)
_IS_TIMESTAMP_TAG = re.compile(r"(?<![a-z])yt(?![a-z])|timestamp|data-t\s*=", re.I)
_DATA_T = re.compile(r"""data-t\s*=\s*(?:"(?P<dq>[^"]*)"?|'(?P<sq>[^']*)'?|(?P<uq>[^\s>"']+))""", re.I)
_TIME_IN_TEXT = re.compile(r"\d+(?:\s*:\s*\d+)*")


@dataclass
class _Anchor:
    start: int  # offsets in the line
    end: int
    raw: str  # the value read (data-t, else the text), as written
    text: str  # the anchor's own text, as written
    seconds: int | None  # None: no number anywhere
    fields: list[int] | None
    bare: bool
    disagreement: str | None = None  # text that names another time than data-t


def _read_tag(match: re.Match, minutes_seconds: bool) -> _Anchor:
    attrs = match.group("attrs") or ""
    text = match.group("text")
    if text is None:
        text = (match.group("loose") or "").strip()
    data_t = _DATA_T.search(attrs)
    value = None
    if data_t:
        value = next((g for g in data_t.group("dq", "sq", "uq") if g is not None), "")
    plain_text = (html.unescape(text) if "&" in text else text).strip()
    text_time = _TIME_IN_TEXT.search(plain_text)

    fields = _fields(value) if value is not None else None
    raw = value
    disagreement = None
    if fields is not None:
        if text_time and parse_timestamp(text_time.group()) != _seconds_from_fields(fields, False):
            disagreement = plain_text
    elif text_time:
        raw = text_time.group()
        fields = _fields(raw)
    elif value is None:
        raw = plain_text or match.group("tag")
    seconds = _seconds_from_fields(fields, minutes_seconds) if fields else None
    return _Anchor(match.start(), match.end(), raw, text, seconds, fields, False, disagreement)


def _scan_anchors(line: str, minutes_seconds: bool) -> list[_Anchor]:
    if "<a" not in line and "<A" not in line and "[" not in line:
        return []
    anchors = []
    for match in _TOKEN.finditer(line):
        if match.group("bare"):
            raw = match.group("bareval")
            fields = _fields(raw)
            anchors.append(
                _Anchor(match.start(), match.end(), raw, match.group("bare"),
                        _seconds_from_fields(fields, minutes_seconds), fields, True)
            )
        elif _IS_TIMESTAMP_TAG.search(match.group("attrs") or ""):
            anchors.append(_read_tag(match, minutes_seconds))
        # any other <a> tag is ordinary markup: left in place
    return anchors


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


# --------------------------------------------------------------------------- plain text

_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_CALLOUT_MARK = re.compile(r"\[![A-Za-z][\w-]*\][+-]?")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_LONE_STAR = re.compile(r"\*\*|(?:(?<=\s)|^)\*(?=\S)|(?<=\S)\*(?=\s|$)")
_LEADING_JUNK = re.compile(r"^[\s,.;:!?)\]}]+")


def _plain(text: str) -> str:
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
        text = _BOLD.sub(r"\2", text)
        text = _ITALIC_STAR.sub(r"\1", text)
        text = _ITALIC_UNDERSCORE.sub(r"\1", text)
        text = _LONE_STAR.sub("", text)  # markers whose partner lies across a statement boundary
    if "&" in text:
        text = html.unescape(text)
    text = " ".join(text.split())
    return _LEADING_JUNK.sub("", text)


# --------------------------------------------------------------------------- blocks

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_HEADING_CLOSE = re.compile(r"[ \t]+#+[ \t]*$")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_QUOTE = re.compile(r"[ \t]{0,3}>[ \t]?")
_LIST = re.compile(r"([ \t]*)([*+-]|\d{1,9}[.)])(?:[ \t]+|$)")
_CALLOUT = re.compile(r"\[![A-Za-z][\w-]*\][+-]?[ \t]*")
_FROM = re.compile(r"^\s*From:", re.I)

# Anchors of one statement: separated only by spaces, commas, 'and'.
_GAP_WORDS = {"and", "&"}
# Closing punctuation, quotes and brackets that directly follow a statement's last anchor.
_TRAILING = re.compile(r"[.,;:!?…)\]}\"'”’»]*")


@dataclass
class _Part:
    lineno: int
    line: str
    start: int  # where the block content starts in the line
    anchors: list[_Anchor]


@dataclass
class _Block:
    kind: str  # 'para', 'item', 'quote', 'callout', 'heading'
    parts: list[_Part]
    level: int = 0  # headings


def _classify(line: str) -> tuple[str, int, int]:
    """(kind, content start, heading level) of one non-blank line."""
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
    item = _LIST.match(line, pos)
    if item and not _RULE.match(line, pos):
        return ("quote" if kind == "quote" else "item"), item.end(), 0
    callout = _CALLOUT.match(line, pos)
    if callout:
        return "callout", callout.end(), 0
    return kind, pos, 0


def _line_kind_continues(block: _Block | None) -> bool:
    return block is not None and block.kind in ("para", "item")


# --------------------------------------------------------------------------- front matter


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        if value[0] == '"':
            return re.sub(r'\\(["\\])', r"\1", inner)
        return inner.replace("''", "'")
    return value


def _front_matter(lines: list[str], *, required: bool = True) -> tuple[dict[str, tuple[str, int]], int, int]:
    """({key: (value, line)}, line of the opening '---', index of the first body line)."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "---":
        if required:
            raise DocumentError(1, "no front matter")
        return {}, 0, 0
    opening = i + 1
    values: dict[str, tuple[str, int]] = {}
    for j in range(i + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped in ("---", "..."):
            return values, opening, j + 1
        key_value = re.match(r"^\s*([A-Za-z_][\w-]*)\s*:\s?(.*)$", lines[j])
        if key_value:
            key = key_value.group(1).lower().replace("_", "").replace("-", "")
            values.setdefault(key, (_unquote(key_value.group(2)), j + 1))
    if required:
        raise DocumentError(opening, "front matter is not closed")
    return {}, 0, 0


def _split_lines(text: str) -> list[str]:
    if not isinstance(text, str):
        raise TypeError(f"document text must be str, not {type(text).__name__} (decode it first)")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --------------------------------------------------------------------------- documents


class _Reader:
    def __init__(self, video_id: str, minutes_seconds: bool):
        self.video_id = video_id
        self.minutes_seconds = minutes_seconds
        self.statements: list[Statement] = []
        self.problems: list[Problem] = []
        self.topics: dict[str, str] = {}
        self.heading_stack: list[tuple[int, str]] = []
        self.readable: list[tuple[_Anchor, int]] = []
        self.bare: list[int] = []
        self.anchor_count = 0

    # -- lines ---------------------------------------------------------------

    def scan_line(self, lineno: int, line: str) -> tuple[str, list[_Anchor]]:
        """Anchors of a line, problems about them, and the line with anchors made markdown links."""
        anchors = _scan_anchors(line, self.minutes_seconds)
        if "[[" in line:
            for match in WIKI_LINK.finditer(line):
                target, label = match.group(1), match.group(2) or match.group(1)
                if _has_alnum(target):
                    self.topics.setdefault(slugify_target(target), label)
        if not anchors:
            return line, anchors
        out, last = [], 0
        for anchor in anchors:
            self.anchor_count += 1
            out.append(line[last:anchor.start])
            last = anchor.end
            if anchor.seconds is None:
                self.problems.append(Problem(lineno, f'timestamp "{anchor.raw}" has no number'))
                out.append(anchor.text)
                continue
            self.readable.append((anchor, lineno))
            if anchor.bare:
                self.bare.append(lineno)
            if anchor.disagreement is not None:
                self.problems.append(Problem(
                    lineno,
                    f'timestamp "{anchor.raw}" and its text "{anchor.disagreement}" name different '
                    f'times: used "{anchor.raw}"',
                ))
            stamp = format_timestamp(anchor.seconds)
            out.append(f"[{stamp}]({youtube_url(self.video_id, anchor.seconds)})")
        out.append(line[last:])
        return "".join(out), anchors

    # -- blocks --------------------------------------------------------------

    def heading(self, block: _Block) -> None:
        part = block.parts[0]
        content = part.line[part.start:]
        content = _HEADING_CLOSE.sub("", content)
        spans = [(a.start - part.start, a.end - part.start) for a in part.anchors]
        title = _plain(_remove_spans(content, spans))
        if block.level == 1:
            self.heading_stack = []
        else:
            self.heading_stack = [(lvl, txt) for lvl, txt in self.heading_stack if lvl < block.level]
            self.heading_stack.append((block.level, title))
        if part.anchors:  # anchors must never be dropped: the heading itself becomes a statement
            self.statements_of(block)

    def statements_of(self, block: _Block) -> None:
        pieces, offsets, anchors = [], [], []
        offset = 0
        for part in block.parts:
            content = part.line[part.start:].rstrip()
            if block.kind == "heading":
                content = _HEADING_CLOSE.sub("", content)
            offsets.append(offset)
            for anchor in part.anchors:
                start = max(anchor.start - part.start, 0) + offset
                anchors.append((start, anchor.end - part.start + offset, anchor, part.lineno))
            pieces.append(content)
            offset += len(content) + 1
        if not anchors:
            return
        joined = " ".join(pieces)

        groups: list[list[tuple[int, int, _Anchor, int]]] = [[anchors[0]]]
        for previous, current in zip(anchors, anchors[1:]):
            gap = joined[previous[1]:current[0]].replace(",", " ").split()
            if all(word.lower() in _GAP_WORDS for word in gap):
                groups[-1].append(current)
            else:
                groups.append([current])

        path = [text for _, text in self.heading_stack]
        cursor = 0
        for group in groups:
            segment = joined[cursor:group[0][0]]
            trailing = _TRAILING.match(joined, group[-1][1])
            cursor = trailing.end()
            seconds: list[int] = []
            for _, _, anchor, _ in group:
                if anchor.seconds is not None and anchor.seconds not in seconds:
                    seconds.append(anchor.seconds)
            if not seconds:  # only unreadable anchors (already reported): nothing to cite
                continue
            text = _plain(segment)
            # A comma or semicolon after the anchor belongs to the next clause, not this statement.
            ending = trailing.group().rstrip(",;")
            text = text + ending if _has_alnum(text) else ""
            topics: list[str] = []
            for match in WIKI_LINK.finditer(segment):
                if _has_alnum(match.group(1)):
                    slug = slugify_target(match.group(1))
                    if slug not in topics:
                        topics.append(slug)
            self.statements.append(Statement(
                text=text,
                seconds=seconds,
                heading_path=list(path),
                position=len(self.statements) + 1,
                line=group[0][3],
                topics=topics,
            ))

    # -- whole document ---------------------------------------------------------

    def shift(self) -> tuple[bool, str]:
        """(shifted, reason) from the values as written (read as hours:minutes:seconds), by the
        shift rule of :mod:`.plausibility` (shared with the importer, which also checks the values
        against the video's end)."""
        written = [_seconds_from_fields(a.fields, False) for a, _ in self.readable if a.fields]
        pattern = shift_pattern(written)
        return (True, pattern.reason()) if pattern else (False, "")


def parse_document(text: str, *, minutes_seconds: bool = False) -> ParsedDocument:
    """Parse one summary document; raises DocumentError when it cannot be imported at all."""
    lines = _split_lines(text)
    front, opening, body_start = _front_matter(lines)
    video_id, video_line = front.get("videoid", ("", opening))
    video_id = video_id.strip()
    if not video_id:
        raise DocumentError(opening, "no videoId in front matter")
    title, _ = front.get("title", ("", opening))

    reader = _Reader(video_id, minutes_seconds)
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
                if link and _has_alnum(link.group(1)):
                    channel = slugify_target(link.group(1))
            break

    body_lines: list[str] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    for i in range(body_start, len(lines)):
        if i == from_index:
            continue
        lineno, line = i + 1, lines[i]
        rewritten, anchors = reader.scan_line(lineno, line)
        body_lines.append(rewritten)
        if not line.strip():
            current = None
            continue
        kind, start, level = _classify(line)
        if kind in ("rule", "fence"):
            current = None
            continue
        part = _Part(lineno, line, start, anchors)
        if kind == "para" and _line_kind_continues(current):
            current.parts.append(part)  # paragraph line, or a list item's continuation line
            continue
        current = _Block(kind, [part], level)
        blocks.append(current)
        if kind in ("heading", "quote", "callout"):
            current = None  # one line each: what follows starts a new block

    for block in blocks:
        if block.kind == "heading":
            reader.heading(block)
        else:
            reader.statements_of(block)

    if reader.bare:
        reader.problems.append(Problem(
            reader.bare[0],
            f'{len(reader.bare)} timestamps are bare "[HH:MM:SS]" text without an anchor tag: '
            f"read as anchors",
        ))
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
    )


# --------------------------------------------------------------------------- channel index

_VIDEO_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\[(?P<title>.*)\]\((?P<url>[^()\s]*)\)[ \t]*$")
_VIDEO_ID = re.compile(r"(?:[?&]v=|youtu\.be/|/(?:embed|shorts|live)/)([A-Za-z0-9_-]+)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")


def _video_heading(line: str) -> tuple[str, str] | None:
    heading = _VIDEO_HEADING.match(line)
    if not heading:
        return None
    video = _VIDEO_ID.search(heading.group("url"))
    if not video:
        return None
    title = html.unescape(_MD_ESCAPE.sub(r"\1", heading.group("title"))).strip()
    return video.group(1), title


def is_channel_index(text: str) -> bool:
    """A channel index: no videoId of its own, and '### [Video title](youtube url)' headings."""
    if not isinstance(text, str):
        return False
    lines = _split_lines(text)
    front, _, body_start = _front_matter(lines, required=False)
    if front.get("videoid", ("", 0))[0].strip():
        return False
    return any(_video_heading(line) for line in lines[body_start:])


def parse_channel_index(text: str) -> tuple[str, list[IndexedVideo]]:
    """(channel title, videos with the slugs of the documents their bullets link to)."""
    lines = _split_lines(text)
    front, _, body_start = _front_matter(lines, required=False)
    title = front.get("title", ("", 0))[0].strip()
    videos: dict[str, IndexedVideo] = {}
    current: IndexedVideo | None = None
    for line in lines[body_start:]:
        video = _video_heading(line)
        if video:
            video_id, video_title = video
            current = videos.setdefault(video_id, IndexedVideo(video_id, video_title))
            continue
        if _HEADING.match(line):
            if not title and line.lstrip().startswith("# "):
                title = _plain(line.lstrip()[2:])
            current = None
            continue
        if current is None:
            continue
        for link in WIKI_LINK.finditer(line):
            if _has_alnum(link.group(1)):
                slug = slugify_target(link.group(1))
                if slug not in current.documents:
                    current.documents.append(slug)
    return title, list(videos.values())
