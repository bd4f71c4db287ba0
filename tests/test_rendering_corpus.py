"""Fidelity of the document pages over the sample corpus (else tests/corpus_fixture): every list item, every word, no marker
left literal, no internal link answering 404 (the figures of docs/fidelity.md)."""

import html
import re
import time
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

from cases.importing.importer import import_paths
from cases.models import Document
from cases.rendering import render_markdown
from tests.sample_corpus import CORPUS, HAS_SAMPLE_CORPUS

_FRONT_MATTER = re.compile(r"\A\s*---\n.*?\n---[ \t]*\n", re.S)
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LIST_ITEM = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+\S")
_WIKI = re.compile(r"\[\[([^\[\]|]*?)(?:\|([^\[\]]*))?\]\]")
_TAG = re.compile(r"<[^<>]*>")
_LINK_TARGET = re.compile(r"\]\([^()\s]*\)")
_CALLOUT = re.compile(r"\[![A-Za-z][\w-]*\][+-]?")
_ANCHOR = re.compile(r"<a\b[^>]*>[^<]*</a>", re.I)
# Line-start markup: quote markers, list markers (an ordered list's numbers are drawn, not text), '#'.
_MARKERS = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[*+-]|\d{1,9}[.)])[ \t]+|#{1,6}[ \t])", re.M)
_WORD = re.compile(r"[^\W_]+")
_TIMESTAMP_LINK = re.compile(r"youtube\.com/watch\?v=[\w-]{11}&t=\d+s$")


def source_body(text):
    """The document's markdown after its front matter, without the 'From:' line (shown as the source)."""
    body = _FRONT_MATTER.sub("", text, count=1)
    return "\n".join(line for line in body.split("\n") if not line.lstrip().startswith("From:"))


def source_list_items(body):
    """How many lines of the source open a list item (fenced code left out)."""
    count, fenced = 0, False
    for line in body.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _LIST_ITEM.match(line):
            count += 1
    return count


def source_words(body):
    """The words an author wrote, markup left out: tags, timestamp anchors, link targets, wiki-link
    targets (their labels kept), callout, list and quote markers. Timestamps are counted as links instead."""
    text = _MARKERS.sub(" ", body)
    text = _ANCHOR.sub(" ", text)
    text = _WIKI.sub(lambda m: f" {m.group(2) or m.group(1)} ", text)
    text = _TAG.sub(" ", text)
    text = _LINK_TARGET.sub("] ", text)
    text = _CALLOUT.sub(" ", text)
    return Counter(word.lower() for word in _WORD.findall(html.unescape(text)))


class _Page(HTMLParser):
    """The text and the links of a page's article body (`.prose`)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # > 0 inside .prose
        self.text, self.hrefs, self.items = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag in ("div", "aside"):
                self.depth += 1
            if tag == "li":
                self.items += 1
            if tag == "a" and attrs.get("href"):
                self.hrefs.append(attrs["href"])
        elif tag == "div" and "prose" in (attrs.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag in ("div", "aside"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def page_of(html_text):
    page = _Page()
    page.feed(html_text)
    page.text = " ".join(page.text)
    return page


def corpus_pages():
    """({file name: (document, source body, page)}, {internal URL: status}) for every document of
    the corpus, imported by the real importer and requested through the document page."""
    report = import_paths([CORPUS])
    assert report.failures == []
    client = Client()
    stems = {path.stem.lower(): path for path in CORPUS.glob("*.md")}
    pages = {}
    for document in Document.objects.order_by("slug"):
        response = client.get(document.get_absolute_url())
        assert response.status_code == 200, document.slug
        path = stems[document.slug]
        pages[path.name] = (document, source_body(path.read_text(encoding="utf-8")), page_of(response.content.decode()))
    statuses = {}
    for document, _body, page in pages.values():
        for href in page.hrefs:
            url = urljoin(document.get_absolute_url(), href)
            if urlsplit(url).scheme or url.startswith(("//", "#")):
                continue
            if url not in statuses:
                statuses[url] = client.get(url).status_code
    return pages, statuses


def test_document_pages_render_the_corpus_as_written(db, settings):
    """The fidelity figures (one import of the corpus for all of them: it takes a while)."""
    pages, statuses = corpus_pages()
    documents = [p for p in CORPUS.glob("*.md") if "videoId:" in p.read_text(encoding="utf-8")[:500]]
    assert len(pages) == len(documents) >= (90 if HAS_SAMPLE_CORPUS else 5)

    # Every list item line of the source is an <li> on the page.
    source_items = sum(source_list_items(body) for _, body, _ in pages.values())
    page_items = sum(page.items for *_, page in pages.values())
    short = {
        name: (source_list_items(body), page.items)
        for name, (_, body, page) in pages.items()
        if page.items < source_list_items(body)
    }

    # Every word the author wrote is in the page's text.
    missing, words = {}, 0
    for name, (_, body, page) in pages.items():
        wanted = source_words(body)
        words += sum(wanted.values())
        lost = wanted - Counter(word.lower() for word in _WORD.findall(page.text))
        if lost:
            missing[name] = dict(lost)

    # No callout marker nor bullet left as text.
    literal = {
        name: (page.text.count("[!"), page.text.count("*   "))
        for name, (_, _, page) in pages.items()
        if "[!" in page.text or "*   " in page.text
    }

    # Every quote's timestamp is still a link to its second.
    few_links = {}
    for name, (document, _, page) in pages.items():
        links = [href for href in page.hrefs if _TIMESTAMP_LINK.search(html.unescape(href))]
        if len(links) < document.quotes.count():
            few_links[name] = (len(links), document.quotes.count())

    # The longest document, rendered without the cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    longest = max((doc for doc, _, _ in pages.values()), key=lambda doc: len(doc.body))
    started = time.perf_counter()
    render_markdown(longest.body)
    elapsed = time.perf_counter() - started

    print(
        f"\ndocuments: {len(pages)}; list items: {source_items} in the sources, {page_items} on the pages;"
        f" words: {words}, missing {sum(sum(m.values()) for m in missing.values())};"
        f" literal markers: {len(literal)} pages; internal links: {len(statuses)} distinct,"
        f" {sum(s == 404 for s in statuses.values())} answering 404;"
        f" longest: {longest.slug} ({len(longest.body)} chars) in {elapsed * 1000:.0f} ms"
    )
    assert short == {}
    assert missing == {}
    assert literal == {}
    assert few_links == {}
    assert statuses and {url: status for url, status in statuses.items() if status != 200} == {}
    assert elapsed < 1
