"""Wiki links of the imported documents: `[[target]]`, `[[target|label]]`, `[[target | label]]` (pure Python)."""
import re

from .slugs import NOT_SLUG

# Target and label are captured without their surrounding spaces. Written with possessive runs
# (words, and spaces only when a word follows) so that nothing is retried: linear in the text even
# for "[[a" followed by a megabyte of spaces (a lazy group beside \s* was quadratic).
WIKI_LINK = re.compile(
    r"\[\[\s*+((?:[^\[\]|\s]++|[^\S\n]++(?=[^\[\]|\s]))++)\s*+"
    r"(?:\|\s*+((?:[^\[\]\s]++|[^\S\n]++(?=[^\[\]\s]))*+)\s*+)?\]\]"
)


def wiki_slug(target: str) -> str:
    """The slug a wiki target stands for: 'Agile Nations' -> 'agile_nations'.

    Targets are slugs in any case: lower-case, every run of characters other than
    [a-z0-9_-] becomes one '_', '_' trimmed at both ends ('_' when nothing is left).
    """
    slug = NOT_SLUG.sub("_", target.strip().lower())
    return slug.strip("_") or "_"


def wiki_label(match: re.Match) -> str:
    """The label a wiki-link match shows: its label, or its target when it has none."""
    return match.group(2) or match.group(1)
