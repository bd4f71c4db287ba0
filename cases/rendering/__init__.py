"""The one way markdown becomes HTML here: CommonMark (markdown-it-py) with wiki links and callouts,
then nh3 sanitising. `render_markdown` is the entry point; the parser's rules are in rules.py and
callouts.py, the allow-list in sanitising.py."""

import functools
import hashlib
import re
from html import escape

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from ..wiki import WIKI_LINK, wiki_slug, wiki_url_resolver
from .rules import build_markdown
from .sanitising import sanitise_html

# Bumped whenever the HTML for a given source changes, so cached renderings of the old code go.
RENDERER_VERSION = "4"
CACHE_MIN_CHARS = 4000  # shorter bodies render in a few milliseconds: not worth a cache query
CACHE_SECONDS = 7 * 24 * 3600

_MARKDOWN = build_markdown()

# markdown-it-py is linear but costs tens to hundreds of microseconds per delimiter or table row: a
# body made of thousands of emphasis, bracket, pipe or tag delimiters (which no real summary is: the longest of the corpus has a few
# hundred) would take seconds. Past these counts that kind of markup is read as plain text, and
# past FULL_MARKDOWN_MAX_CHARS the body shows as escaped paragraphs: every word stays visible and
# any field renders in well under a second (issue 13).
# (markup characters, how many of them a body may hold, the rules read as text past that): the
# counts keep each kind of markup under about a quarter of a second on a loaded 2-core machine.
DELIMITER_BUDGETS = (
    ("*_", 5000, ("emphasis",)),
    ("[", 5000, ("link", "image")),
    ("|", 6000, ("table",)),
    ("<", 10000, ("html_inline", "html_block")),
)
FULL_MARKDOWN_MAX_CHARS = 100_000


@functools.cache
def _limited_markdown(disabled):
    return build_markdown().disable(list(disabled))


def _markdown_for(source):
    """The parser for `source`: the full one, or one that reads the kinds of markup a body holds
    pathologically many delimiters of as plain text (DELIMITER_BUDGETS)."""
    disabled = tuple(
        rule
        for characters, budget, rules in DELIMITER_BUDGETS
        if sum(source.count(character) for character in characters) > budget
        for rule in rules
    )
    return _limited_markdown(disabled) if disabled else _MARKDOWN


def _plain_paragraphs(source):
    """Escaped text in paragraphs (blank-line separated), line breaks kept: linear and cheap."""
    paragraphs = (part.strip("\n") for part in re.split(r"\n[ \t]*\n", source))
    return "".join("<p>" + escape(part).replace("\n", "<br>\n") + "</p>\n" for part in paragraphs if part.strip())


def _cache_key(source, wiki_urls):
    digest = hashlib.sha256(RENDERER_VERSION.encode())
    digest.update(source.encode("utf-8", "surrogatepass"))
    for slug, url in sorted(wiki_urls.items()):
        digest.update(f"\x00{slug}\x00{url or ''}".encode("utf-8", "surrogatepass"))
    return f"markdown:{digest.hexdigest()}"


def render_markdown(text, *, wiki_url=None) -> SafeString:
    """Markdown source (possibly hostile) to sanitised HTML.

    CommonMark with tables and strikethrough; `[[target|label]]` wiki links link to the page
    ``wiki_url(slug)`` returns, or show their label alone when it returns None (default:
    :func:`wiki_url_resolver`, which queries the database when the text has wiki links);
    `> [!KIND] Title` callouts become ``<aside class="callout callout-KIND">``. Time is linear in
    the length of ``text``; thousands of emphasis or bracket delimiters are read as text, and a
    body over FULL_MARKDOWN_MAX_CHARS shows as escaped paragraphs, so any body renders in well under
    a second. Renderings of texts of CACHE_MIN_CHARS or more are cached, keyed by a
    hash of the text and of where its wiki links point.
    """
    if not text:
        return mark_safe("")
    source = text.replace("\x00", "")
    if wiki_url is None:
        wiki_url = wiki_url_resolver(source)
    wiki_urls = {slug: wiki_url(slug) for slug in {wiki_slug(m.group(1)) for m in WIKI_LINK.finditer(source)}}
    key = _cache_key(source, wiki_urls) if len(source) >= CACHE_MIN_CHARS else None
    html = cache.get(key) if key else None
    if html is None:
        if len(source) > FULL_MARKDOWN_MAX_CHARS:
            html = sanitise_html(_plain_paragraphs(source))
        else:
            html = sanitise_html(_markdown_for(source).render(source, {"wiki_urls": wiki_urls}))
        if key:
            cache.set(key, html, CACHE_SECONDS)
    # The HTML is sanitised with an explicit allow-list just above; that is what makes it safe.
    return mark_safe(html)  # noqa: S308
