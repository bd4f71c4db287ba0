"""Sanitising rendered HTML with nh3: an explicit allow-list of tags, attributes, classes and URL
schemes, and rel="noopener nofollow" on every link that leaves the site."""

import re
from html import unescape
from urllib.parse import urlsplit

import nh3

from .callouts import CALLOUT_STYLES

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
# Classes are allowed by name only, so raw HTML in a body cannot borrow any other.
ALLOWED_CLASSES = {
    "aside": {"callout", *(f"callout-{style}" for style in set(CALLOUT_STYLES.values()))},
    "p": {"callout-title"},
}


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
