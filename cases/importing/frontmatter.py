"""The front matter and lines of a summary document or channel index (pure Python)."""

from __future__ import annotations

import re


class DocumentError(Exception):
    """The file cannot be imported at all."""

    def __init__(self, line: int, reason: str):
        super().__init__(line, reason)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        if value[0] == '"':
            return re.sub(r'\\(["\\])', r"\1", inner)
        return inner.replace("''", "'")
    return value


def front_matter(lines: list[str], *, required: bool = True) -> tuple[dict[str, tuple[str, int]], int, int]:
    """({key: (value, line)}, line of the opening '---', index of the first body line).

    Keys are lower-cased without '_' and '-' ('videoId' -> 'videoid'); raises DocumentError when
    ``required`` and the front matter is missing or not closed.
    """
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


def split_lines(text: str) -> list[str]:
    """Lines of a document (BOM dropped, any line ending); TypeError for bytes."""
    if not isinstance(text, str):
        raise TypeError(f"document text must be str, not {type(text).__name__} (decode it first)")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
