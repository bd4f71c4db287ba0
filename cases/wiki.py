"""Wiki links of the imported documents: `[[target]]`, `[[target|label]]`, `[[target | label]]` (pure Python)."""
import re

# Groups: the target and the label, both without surrounding whitespace (the label may be empty).
# Written so that no part can be matched in more than one way (possessive runs, each group ending on
# a non-space): matching is linear in the line, where the former lazy pattern took cubic time on
# "[[" followed by a run of spaces. A target of whitespace alone is no wiki link.
WIKI_LINK = re.compile(
    r"\[\[\s*+([^\[\]|\s](?:[^\[\]|\n]*[^\[\]|\s])?)\s*+"
    r"(?:\|\s*+((?:[^\[\]\s](?:[^\[\]\n]*[^\[\]\s])?)?)\s*+)?\]\]"
)
_SLUG_JUNK = re.compile(r"[^a-z0-9_-]+")


def wiki_slug(target: str) -> str:
    """The slug a wiki target stands for: 'Agile Nations' -> 'agile_nations'.

    Targets are slugs in any case: lower-case, every run of characters other than
    [a-z0-9_-] becomes one '_', '_' trimmed at both ends ('_' when nothing is left).
    """
    slug = _SLUG_JUNK.sub("_", target.strip().lower())
    return slug.strip("_") or "_"


def wiki_label(match: re.Match) -> str:
    """The label a wiki-link match shows: its label, or its target when it has none."""
    return match.group(2) or match.group(1)
