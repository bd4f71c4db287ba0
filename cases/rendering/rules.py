"""The markdown-it parser and its rules: CommonMark with tables and strikethrough, wiki links,
callouts, scheme-less links fixed, table alignment kept, images shown as links."""

import re
from html import escape

from markdown_it import MarkdownIt

from ..wiki import WIKI_LINK, wiki_label, wiki_slug
from .callouts import callouts


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


def build_markdown():
    """A new MarkdownIt parser with this module's rules (a fresh one each call: callers may disable rules)."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "wiki_link", _wiki_link)
    md.inline.ruler.before("wiki_link", "unclosable_brackets", _unclosable_brackets)
    md.core.ruler.after("block", "callouts", callouts)
    md.core.ruler.push("bare_domains", _bare_domains)
    md.core.ruler.push("table_alignment", _table_alignment)
    md.add_render_rule("image", _image_as_link)
    return md
