"""What the parser reads from a document: its statements, topics and the problems it met."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """Something read imperfectly or not at all: reported, not fatal."""

    line: int
    message: str


@dataclass
class Statement:
    """Text and the seconds of video that support it.

    ``text`` is plain (wiki links resolved to labels; markdown, HTML, list/quote/callout markers and
    table pipes removed; closing punctuation right after the last anchor appended), never empty
    nor punctuation alone: anchors with no text of their own cite the nearest text (the text after
    them in their block, else the following block when they stand alone before it, else the
    preceding text). ``seconds`` are the readable cited seconds in anchor order without repeats
    (never empty). ``alternatives`` maps a second of ``seconds`` to the second that the anchor's
    own text names when it names another one (``data-t="25:06:00">[00:25:06]`` gives
    ``{90360: 1506}``), so the importer can keep the plausible one; a Problem reports each such
    anchor too. ``line`` is the file line of the first anchor; ``topics`` the slugs of the wiki
    links in the text.
    """

    text: str
    seconds: list[int]
    heading_path: list[str]
    position: int
    line: int
    topics: list[str] = field(default_factory=list)
    alternatives: dict[int, int] = field(default_factory=dict)


@dataclass
class ParsedDocument:
    """One parsed document.

    ``body`` is the markdown after the front matter and the 'From:' line, every readable anchor
    replaced by ``[HH:MM:SS](youtube url)`` (an unreadable one by its text alone), wiki links left
    for the renderer. Counters: ``anchor_count`` every anchor found (unreadable ones, bare
    "[HH:MM:SS]" stamps and each value of a bracketed list included) = ``seconds_read`` (anchors
    whose second was read) + ``unreadable`` (anchors with no readable value); every read second is
    on a statement, so ``seconds_read`` = the distinct seconds of all statements +
    ``merged_repeats`` (anchors whose second repeated one already on their statement).
    ``shifted``: see ``_Reader.shift``; ``shifted`` is computed from the raw values even when
    ``minutes_seconds`` re-reads them.
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
    seconds_read: int = 0
    merged_repeats: int = 0
    unreadable: int = 0
