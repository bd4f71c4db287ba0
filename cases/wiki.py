"""Wiki links of the imported documents: `[[target]]`, `[[target|label]]`, `[[target | label]]`: their
syntax and slugs (pure Python), and where they lead (wiki_url_resolver: a document or a topic)."""

import re

from django.apps import apps
from django.urls import reverse

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


def wiki_url_resolver(text):
    """wiki_url for render_markdown: {target slug -> URL} as a function of a slug (None: no page).

    A target is the document of that slug if there is one, else its topic if there is one, else
    it has no page (render_markdown then shows its label as text, never a link that answers 404).
    Two queries for the whole text, none when it has no wiki link.
    """
    # By name, not imported: the models render markdown through this module's neighbours.
    Document, Topic = apps.get_model("cases", "Document"), apps.get_model("cases", "Topic")

    slugs = {wiki_slug(match.group(1)) for match in WIKI_LINK.finditer(text or "")}
    documents = set(Document.objects.filter(slug__in=slugs).values_list("slug", flat=True)) if slugs else set()
    others = slugs - documents
    topics = set(Topic.objects.filter(slug__in=others).values_list("slug", flat=True)) if others else set()

    def wiki_url(slug):
        if slug in documents:
            return reverse("cases:document-detail", kwargs={"slug": slug})
        if slug in topics:
            return reverse("cases:topic-detail", kwargs={"slug": slug})
        return None

    return wiki_url
