"""The one way markdown becomes HTML here: Python-Markdown, then nh3 sanitising."""
import re
from html import unescape
from urllib.parse import urlsplit

import markdown
import nh3
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .wiki import WIKI_LINK, wiki_slug

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
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

def default_wiki_url(slug):
    return reverse("cases:topic-detail", kwargs={"slug": slug})


def _escape_link_label(label):
    return re.sub(r"([\[\]\\`*_])", r"\\\1", label)


def resolve_wiki_links(text, url_for=default_wiki_url):
    """Turn wiki links into markdown links (or their label alone when url_for returns None)."""

    def replace(match):
        target, label = match.group(1), match.group(2)
        label = label or target
        url = url_for(wiki_slug(target))
        if not url:
            return _escape_link_label(label)
        return f"[{_escape_link_label(label)}](<{url}>)"

    return WIKI_LINK.sub(replace, text)


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
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )
    return _mark_external_links(clean)


def render_markdown(text, *, wiki_url=default_wiki_url) -> SafeString:
    """Markdown source (possibly hostile) to sanitised HTML, with wiki links resolved."""
    if not text:
        return mark_safe("")
    source = resolve_wiki_links(text.replace("\x00", ""), wiki_url)
    html = markdown.markdown(source, extensions=["extra", "sane_lists"], output_format="html")
    # The HTML is sanitised with an explicit allow-list just above; that is what makes it safe.
    return mark_safe(sanitise_html(html))  # noqa: S308
