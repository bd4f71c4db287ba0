"""The one way markdown becomes HTML here: CommonMark (markdown-it-py) with wiki links and callouts,
then nh3 sanitising."""

import functools
import hashlib
import re
from html import escape, unescape
from urllib.parse import urlsplit

import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .wiki import WIKI_LINK, wiki_label, wiki_slug, wiki_url_resolver

ALLOWED_TAGS = {
    "a",
    "abbr",
    "aside",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel", "class"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTERNAL_REL = "noopener nofollow"

# Callout kinds of the note-taking tools, each shown in the style of its family ("summary" looks
# like "abstract"); a kind outside this table is shown as a note, under its own name.
CALLOUT_STYLES = {
    "note": "note",
    "abstract": "abstract",
    "summary": "abstract",
    "tldr": "abstract",
    "info": "info",
    "todo": "todo",
    "tip": "tip",
    "hint": "tip",
    "important": "tip",
    "success": "success",
    "check": "success",
    "done": "success",
    "question": "question",
    "help": "question",
    "faq": "question",
    "warning": "warning",
    "caution": "warning",
    "attention": "warning",
    "failure": "failure",
    "fail": "failure",
    "missing": "failure",
    "danger": "danger",
    "error": "danger",
    "bug": "bug",
    "example": "example",
    "quote": "quote",
    "cite": "quote",
}
# Classes are allowed by name only, so raw HTML in a body cannot borrow any other.
ALLOWED_CLASSES = {
    "aside": {"callout", *(f"callout-{style}" for style in set(CALLOUT_STYLES.values()))},
    "p": {"callout-title"},
}

# Bumped whenever the HTML for a given source changes, so cached renderings of the old code go.
RENDERER_VERSION = "4"
CACHE_MIN_CHARS = 4000  # shorter bodies render in a few milliseconds: not worth a cache query
CACHE_SECONDS = 7 * 24 * 3600


# --------------------------------------------------------------------------- wiki links


def _unclosable_brackets(state, silent):
    """Inline rule: a run of '[' (or '![') with no ']' after it is text, at once.

    markdown-it's link and image rules try every '[' as a label and scan ahead for its end: linear
    overall, but some twenty steps per character, which made 16,000 '[' take seconds.
    """
    src, pos = state.src, state.pos
    last_close = getattr(state, "last_close", None)
    if last_close is None:
        last_close = state.last_close = src.rfind("]")
    if pos < last_close or src[pos] not in "[!":
        return False
    end = pos
    while end < state.posMax and src[end] in "[!":
        end += 1
    if src[pos] == "!" and end == pos + 1:
        return False  # a lone '!' is for the text rule
    if not silent:
        state.pending += src[pos:end]
    state.pos = end
    return True


def _wiki_link(state, silent):
    """Inline rule: `[[target]]` / `[[target|label]]` becomes a link to its page, or its label as text."""
    if not state.src.startswith("[[", state.pos):
        return False
    match = WIKI_LINK.match(state.src, state.pos)
    if match is None or match.end() > state.posMax:
        return False
    if not silent:
        url = state.env["wiki_urls"].get(wiki_slug(match.group(1)))
        if url:
            token = state.push("link_open", "a", 1)
            token.attrs = {"href": url}
            token.markup = "wiki"
        token = state.push("text", "", 0)
        token.content = wiki_label(match)
        if url:
            state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


# --------------------------------------------------------------------------- callouts

# Callouts opened by marker paragraphs nest when one marker line follows another; past this depth a
# marker stays text. Unbounded, `> [!NOTE] t` written 20,000 times made 20,000 nested asides, which
# the sanitiser walks in time quadratic in the depth (34 s).
MAX_CALLOUT_DEPTH = 8

_CALLOUT_MARK = re.compile(r"\[!([A-Za-z][\w-]*)\][+-]?[ \t]*([^\n]*)\n?")


def _block_end(tokens, start):
    """Index just past the block that opens at tokens[start] (a leaf, or its matching close)."""
    if tokens[start].nesting == 0:
        return start + 1
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index + 1
    return len(tokens)


def _callout_open(kind, title, level):
    """The aside's opening token and its title paragraph (the title, else the kind's name)."""
    style = CALLOUT_STYLES.get(kind.lower(), "note")
    return [
        Token("callout_open", "aside", 1, attrs={"class": f"callout callout-{style}"}, block=True, level=level),
        Token("paragraph_open", "p", 1, attrs={"class": "callout-title"}, block=True, level=level + 1),
        Token("inline", "", 0, content=title or kind.capitalize(), children=[], level=level + 2),
        Token("paragraph_close", "p", -1, block=True, level=level + 1),
    ]


def _callout_close(level):
    return Token("callout_close", "aside", -1, block=True, level=level)


def _marker(tokens, paragraph):
    """The callout marker match of the paragraph that opens at tokens[paragraph], or None."""
    if paragraph + 1 >= len(tokens) or tokens[paragraph].type != "paragraph_open":
        return None
    return _CALLOUT_MARK.match(tokens[paragraph + 1].content)


def _strip_marker(tokens, paragraph, match):
    """Drop the marker line from the paragraph; the index to go on from (past it when it is empty)."""
    inline = tokens[paragraph + 1]
    rest = inline.content[match.end() :]
    if rest.strip():
        inline.content = rest
        return paragraph
    return paragraph + 3


def _callouts(state):
    """Core rule (between block and inline parsing): `> [!KIND] Title` quotes become titled asides.

    A marker paragraph outside any quote (`[!KIND] Title` on a line of its own, as some documents
    write it) makes a callout of itself and of the blocks that follow it without a blank line, up
    to the next marker paragraph. One pass that builds a new token list: linear in the tokens.
    """
    tokens, out = state.tokens, []
    quotes = []  # for each open blockquote: whether it is a callout
    closes = []  # (token index where a marker paragraph's callout ends, its level), innermost last
    lines = None
    index = 0
    while index < len(tokens):
        while closes and closes[-1][0] == index:
            out.append(_callout_close(closes.pop()[1]))
        token = tokens[index]
        if token.type == "blockquote_open":
            match = _marker(tokens, index + 1)
            quotes.append(match is not None)
            if match is None:
                out.append(token)
                index += 1
            else:
                out.extend(_callout_open(match.group(1), match.group(2).strip(), token.level))
                index = _strip_marker(tokens, index + 1, match)
            continue
        if token.type == "blockquote_close":
            out.append(_callout_close(token.level) if quotes.pop() else token)
            index += 1
            continue
        match = _marker(tokens, index)
        if match is None or len(closes) + sum(quotes) >= MAX_CALLOUT_DEPTH:
            out.append(token)
            index += 1
            continue
        # The blocks on the very next lines join it. A block's map may end past the blank lines
        # that follow it: look at the source line before the next block.
        lines = lines if lines is not None else state.src.split("\n")
        end = _block_end(tokens, index)
        last_line = token.map[1] if token.map else None
        while (
            end < len(tokens)
            and tokens[end].nesting >= 0
            and tokens[end].map
            and tokens[end].map[0] == last_line
            and lines[last_line - 1].strip()
            and _marker(tokens, end) is None
        ):
            last_line = tokens[end].map[1]
            end = _block_end(tokens, end)
        closes.append((end, token.level))
        out.extend(_callout_open(match.group(1), match.group(2).strip(), token.level))
        index = _strip_marker(tokens, index, match)
    while closes:
        out.append(_callout_close(closes.pop()[1]))
    state.tokens = out


# --------------------------------------------------------------------------- links and images

# A link target that is a host name without its scheme ("edgeofgovernment.com/x"): on the page it
# would be a relative link that answers 404. The last label must not be a file extension.
_BARE_DOMAIN = re.compile(
    r"(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?!(?:html?|php|aspx?|pdf|md|png|jpe?g|gif|svg)(?:[/?#]|$))"
    r"[a-z]{2,24}(?::\d+)?(?:[/?#]|$)",
    re.I,
)


def _bare_domains(state):
    """Core rule: a link to `host.tld/…` written without its scheme gets https://."""
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "link_open":
                href = token.attrGet("href") or ""
                if _BARE_DOMAIN.match(href):
                    token.attrSet("href", f"https://{href}")


def _table_alignment(state):
    """Core rule: a column's alignment as the `align` attribute the allow-list keeps (not a style)."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style") or ""
            if style.startswith("text-align:"):
                del token.attrs["style"]
                token.attrSet("align", style.removeprefix("text-align:"))


def _image_as_link(renderer, tokens, index, options, env):
    """Images are not shown inline (no <img> in the allow-list): their alt text links to them."""
    token = tokens[index]
    alt = escape("".join(child.content for child in token.children or ()) or token.attrGet("src") or "")
    return f'<a href="{escape(token.attrGet("src") or "")}">{alt}</a>'


def _build_markdown():
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "wiki_link", _wiki_link)
    md.inline.ruler.before("wiki_link", "unclosable_brackets", _unclosable_brackets)
    md.core.ruler.after("block", "callouts", _callouts)
    md.core.ruler.push("bare_domains", _bare_domains)
    md.core.ruler.push("table_alignment", _table_alignment)
    md.add_render_rule("image", _image_as_link)
    return md


_MARKDOWN = _build_markdown()

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
    return _build_markdown().disable(list(disabled))


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


# --------------------------------------------------------------------------- sanitising

# Browsers drop ASCII tab and newline anywhere in a URL, and read a backslash as a slash.
_URL_IGNORED = re.compile(r"[\t\n\r]")


def _is_external(url):
    """Whether a link leaves the site: an http(s) URL or a scheme-relative one (//host, /\\host)."""
    url = _URL_IGNORED.sub("", url).strip(" \x00\x0b\x0c").replace("\\", "/")
    if url.startswith("//"):
        return True
    return urlsplit(url).scheme.lower() in {"http", "https"}


def _attribute_filter(tag, attribute, value):
    if tag == "a" and attribute == "rel":
        return None  # rel is ours to set, below
    return value


# nh3 writes every attribute as name="value" with any " inside escaped, so a quoted value can
# hold neither a quote nor end the tag early: match whole start tags, values included.
_ANCHOR_TAG = re.compile(r'<a((?:\s+[^\s"\'>/=]+(?:="[^"]*")?)+)\s*>')
_ATTRIBUTE = re.compile(r'([^\s"\'>/=]+)(?:="([^"]*)")?')


def _mark_external_links(html):
    def add_rel(match):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        href = attributes.get("href")
        if href is not None and _is_external(unescape(href)):
            return f'<a{match.group(1)} rel="{EXTERNAL_REL}">'
        return match.group(0)

    return _ANCHOR_TAG.sub(add_rel, html)


def sanitise_html(html):
    """Keep only harmless markup: no scripts, handlers, styles, frames, forms or unsafe URLs."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )
    return _mark_external_links(clean)


# --------------------------------------------------------------------------- the one entry point


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
