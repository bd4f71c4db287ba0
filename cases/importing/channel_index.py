"""The channel index: each video of the channel with the documents about it (pure Python)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..wiki import WIKI_LINK, wiki_slug
from .frontmatter import front_matter, split_lines
from .markup import has_alnum, plain

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")


@dataclass
class IndexedVideo:
    """A video of the channel index: its id, title and the slugs of the documents about it."""

    video_id: str
    title: str
    documents: list[str] = field(default_factory=list)


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
    lines = split_lines(text)
    front, _, body_start = front_matter(lines, required=False)
    if front.get("videoid", ("", 0))[0].strip():
        return False
    return any(_video_heading(line) for line in lines[body_start:])


def parse_channel_index(text: str) -> tuple[str, list[IndexedVideo]]:
    """(channel title, videos with the slugs of the documents their bullets link to)."""
    lines = split_lines(text)
    front, _, body_start = front_matter(lines, required=False)
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
                title = plain(line.lstrip()[2:])
            current = None
            continue
        if current is None:
            continue
        for link in WIKI_LINK.finditer(line):
            if has_alnum(link.group(1)):
                slug = wiki_slug(link.group(1))
                if slug not in current.documents:
                    current.documents.append(slug)
    return title, list(videos.values())
