"""What an import read, stored and could not store: the report every entry point returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """What an import read and stored; ``as_dict()`` is the command's ``--json`` object.

    ``documents``, ``quotes``, ``timestamps`` and ``topics`` count what the imported files hold
    (an unchanged file counts as what is stored for it), so importing the same files twice gives
    the same summary; ``created``/``updated``/``unchanged`` and the ``quotes_*`` counts say what
    changed (or, in a dry run, what would change).
    """

    dry_run: bool = False
    documents: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    indexes: int = 0
    quotes: int = 0
    quotes_created: int = 0
    quotes_updated: int = 0
    quotes_deleted: int = 0
    timestamps: int = 0
    flagged: int = 0
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    source_keys: set[str] = field(default_factory=set)
    topic_slugs: set[str] = field(default_factory=set)
    # From channel indexes among the inputs (processed first): video id -> title, channel slug -> name.
    index_titles: dict[str, str] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)
    # Documents stored (pk -> the name reported) and their videos: their times are checked at the end.
    stored: dict[int, str] = field(default_factory=dict)
    touched_sources: set[int] = field(default_factory=set)
    corrected: int = 0
    # Curator links across re-imports (cases.importing.carryover): linked quotes moved to the new
    # version of their statement, linked quotes cut loose, and one entry per quote naming its cases.
    links_carried: int = 0
    links_cut_loose: int = 0
    relinks: list[dict] = field(default_factory=list)
    # Quotes whose text, times or headings a curator edited, kept as the curator wrote them while the
    # document's statement changed or went (counted once a quote), and a line for each value to review:
    # apart from `problems`, which says what was read imperfectly, since nothing here was misread.
    edits_kept: int = 0
    edits: list[str] = field(default_factory=list)

    @property
    def cut_loose(self) -> list[dict]:
        """The report's entries of linked quotes cut loose (each naming its cases and claims)."""
        return [entry for entry in self.relinks if entry["outcome"] == "cut_loose"]

    @property
    def carried(self) -> list[dict]:
        """The report's entries of linked quotes moved to the new version of their statement."""
        return [entry for entry in self.relinks if entry["outcome"] == "carried"]

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def sources(self) -> int:
        return len(self.source_keys)

    @property
    def topics(self) -> int:
        return len(self.topic_slugs)

    def fail(self, name: str, line: int, reason: str) -> None:
        self.failures.append(f"{name}:{line}: {reason}")

    def add(self, other: ImportReport) -> None:
        """Count in what one file (`other`) stored, once its transaction has committed."""
        for name in (
            "documents",
            "created",
            "updated",
            "unchanged",
            "indexes",
            "quotes",
            "quotes_created",
            "quotes_updated",
            "quotes_deleted",
            "timestamps",
            "flagged",
            "corrected",
            "links_carried",
            "links_cut_loose",
            "edits_kept",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)
        self.relinks.extend(other.relinks)
        self.problems.extend(other.problems)
        self.edits.extend(other.edits)
        self.source_keys |= other.source_keys
        self.topic_slugs |= other.topic_slugs
        self.stored.update(other.stored)
        self.touched_sources |= other.touched_sources
        if other.index_titles is not self.index_titles:
            self.index_titles.update(other.index_titles)
        if other.channel_names is not self.channel_names:
            self.channel_names.update(other.channel_names)

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "sources": self.sources,
            "quotes": self.quotes,
            "timestamps": self.timestamps,
            "topics": self.topics,
            "flagged": self.flagged,
            "corrected": self.corrected,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "indexes": self.indexes,
            "quotes_created": self.quotes_created,
            "quotes_updated": self.quotes_updated,
            "quotes_deleted": self.quotes_deleted,
            "links_carried": self.links_carried,
            "links_cut_loose": self.links_cut_loose,
            "edits_kept": self.edits_kept,
            "relinks": list(self.relinks),
            "failures": list(self.failures),
            "problems": list(self.problems),
            "edits": list(self.edits),
        }


class FileError(Exception):
    """A file that cannot be imported: reported as FILE:LINE: reason."""

    def __init__(self, line: int, reason: str):
        super().__init__(line, reason)
        self.line = line
        self.reason = reason
