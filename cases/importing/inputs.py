"""The importer's inputs: files and uploads found, ordered, size-checked and decoded to text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..characters import xml_safe
from ..models import Document, Quote, Source, Topic
from ..wiki import wiki_slug
from .report import FileError, ImportReport

# Real documents are under 60 kB with lines under 3,000 characters; these limits keep a hostile or
# mistaken input (a log file, a minified blob) from tying the importer up.
MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 20_000
# Folder READMEs describe the folder; they are not documents.
SKIPPED_NAMES = {"readme.md"}
HEAD_BYTES = 4096

_field_max = {
    (model, name): model._meta.get_field(name).max_length
    for model, names in (
        (Source, ["title", "channel"]),
        (Document, ["title", "slug"]),
        (Quote, ["heading_path"]),
        (Topic, ["slug", "label"]),
    )
    for name in names
}


def fit(model, name, value):
    """`value` cut to the max_length of `model`'s field `name`."""
    return value[: _field_max[(model, name)]]


@dataclass
class Input:
    """A file to import, from a path or an upload: its reported name, slug stem and reader."""

    name: str  # as reported: the path as given, or the uploaded file's name
    stem: str  # the file name without its extension: the document's slug
    read: Callable[..., bytes]  # read(limit=-1)
    size: Callable[[], int]
    is_dir: bool = False
    index_first: bool = False  # looks like a channel index: imported before the documents


def path_input(path: Path, shown: str | None = None) -> Input:
    """An Input reading the file at `path` (reported as `shown`, else the path)."""

    def read(limit=-1):
        with path.open("rb") as handle:
            return handle.read(limit)

    return Input(
        name=shown or str(path),
        stem=path.stem,
        read=read,
        size=lambda: path.stat().st_size,
        is_dir=path.is_dir(),
    )


def expand(paths: Iterable[str | Path], report: ImportReport) -> list[Input]:
    """Files named and the ``*.md`` files under folders named (recursively, sorted); missing ones reported."""
    inputs = []
    for given in paths:
        path = Path(given)
        if path.is_dir() and path.suffix != ".md":
            found = sorted(p for p in path.rglob("*.md") if p.name.lower() not in SKIPPED_NAMES)
            inputs.extend(path_input(p) for p in found)
        elif path.exists() or path.is_symlink():
            inputs.append(path_input(path, str(given)))
        else:
            report.fail(str(given), 0, "no such file or folder")
    return inputs


def looks_like_index(head: bytes) -> bool:
    """From a file's first bytes: no videoId in its front matter, '### [title](url)' headings."""
    text = head.decode("utf-8", "ignore")
    if not text.lstrip().startswith("---"):
        return False
    front = text.lstrip()[3:].split("\n---", 1)[0]
    return not re.search(r"^\s*videoid\s*:", front, re.I | re.M) and "](http" in text


def order(inputs: list[Input]) -> list[Input]:
    """Channel indexes first, so the sources they name get the index's titles (only each file's head is read)."""
    for item in inputs:
        if not item.is_dir:
            try:
                item.index_first = looks_like_index(item.read(HEAD_BYTES))
            except OSError:
                pass  # reported when the file is imported
    return sorted(inputs, key=lambda item: not item.index_first)


def decode(item: Input) -> tuple[str, str]:
    """(text, sha256 of the bytes) of an input, or FileError when it is not readable markdown text."""
    if item.is_dir:
        raise FileError(0, "is a folder, not a file")
    try:
        size = item.size()
        if size > MAX_FILE_BYTES:
            raise FileError(0, f"file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
        data = item.read(MAX_FILE_BYTES + 1)  # a file that grew since: still bounded
    except OSError as error:
        raise FileError(0, f"cannot be read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise FileError(0, f"file is too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})")
    if not data.strip():
        raise FileError(1, "empty file")
    if b"\x00" in data:
        raise FileError(data.count(b"\n", 0, data.index(b"\x00")) + 1, "binary file, not markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FileError(line, f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded)") from None
    text = xml_safe(text)  # controls pasted from PDFs (U+000B) would reach the Atom feed and sitemaps
    if len(text) > MAX_LINE_CHARS:
        for lineno, line in enumerate(text.split("\n"), start=1):
            if len(line) > MAX_LINE_CHARS:
                raise FileError(lineno, f"line is {len(line):,} characters long (the limit is {MAX_LINE_CHARS:,})")
    return text, hashlib.sha256(data).hexdigest()


def document_slug(stem: str) -> str:
    """The slug of the document a file holds: its name as wiki links name it ('Public_Sector' -> 'public_sector')."""
    return fit(Document, "slug", wiki_slug(stem))
