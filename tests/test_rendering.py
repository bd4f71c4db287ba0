"""The one markdown renderer: each construct as a small source with the HTML it must give."""

import time

import pytest
from django.core.cache import cache

from cases import rendering
from cases.rendering import render_markdown
from cases.rendering.callouts import CALLOUT_STYLES, MAX_CALLOUT_DEPTH
from cases.wiki import WIKI_LINK, wiki_label, wiki_slug
from tests.factories import DocumentFactory, TopicFactory


def pages(slug):
    """A wiki_url that knows a few pages (and none for 'nowhere')."""
    return {"agile_nations": "/topics/agile_nations/", "other_doc": "/documents/other_doc/"}.get(slug)


def render(source):
    return str(render_markdown(source, wiki_url=pages)).strip()


CONSTRUCTS = [
    # A list right after a paragraph is a list (it was run-in text with literal '*').
    ("Including:\n*   one\n*   two", "<p>Including:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    # Nested lists nest whether indented by 2 or by 4 spaces.
    ("* a\n  * b", "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>"),
    ("*   a\n    *   b", "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>"),
    # Numbered lists keep their numbers.
    ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
    ("> quoted *text*", "<blockquote>\n<p>quoted <em>text</em></p>\n</blockquote>"),
    (
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n"
        "</tr>\n</tbody>\n</table>",
    ),
    (
        "| n |\n|--:|\n| 1 |",
        '<table>\n<thead>\n<tr>\n<th align="right">n</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align="right">1</td>\n'
        "</tr>\n</tbody>\n</table>",
    ),
    ("`x < y` and ~~gone~~", "<p><code>x &lt; y</code> and <s>gone</s></p>"),
    # A '#' inside a fence is not a heading.
    ("```\n# not a heading\n```", "<pre><code># not a heading\n</code></pre>"),
    # Callouts: a titled aside, no literal marker, a markdown body.
    (
        "> [!NOTE] Opportunities\n> **Bold** and [[Agile Nations]]\n>\n> | a |\n> |---|\n> | 1 |",
        '<aside class="callout callout-note">\n<p class="callout-title">Opportunities</p>\n'
        '<p><strong>Bold</strong> and <a href="/topics/agile_nations/">Agile Nations</a></p>\n'
        "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n</aside>",
    ),
    (
        "> [!tip]\n> Body only.",
        '<aside class="callout callout-tip">\n<p class="callout-title">Tip</p>\n<p>Body only.</p>\n</aside>',
    ),
    (
        "> [!WARNING]- Folded\n> *   item",
        '<aside class="callout callout-warning">\n<p class="callout-title">Folded</p>\n<ul>\n<li>item</li>\n</ul>\n</aside>',
    ),
    # A marker line outside any quote: the callout is that paragraph and what follows without a blank line.
    (
        "[!EXAMPLE] Return\nA comparison:\n*   one\n\nAfter.",
        '<aside class="callout callout-example">\n<p class="callout-title">Return</p>\n<p>A comparison:</p>\n'
        "<ul>\n<li>one</li>\n</ul>\n</aside>\n<p>After.</p>",
    ),
    # Wiki links: inside emphasis, with a label, to a document; no page: the label as text; in code: code.
    (
        "*see [[Agile Nations]]* and [[other_doc | the other]]",
        '<p><em>see <a href="/topics/agile_nations/">Agile Nations</a></em> and <a href="/documents/other_doc/">the other</a></p>',
    ),
    ("[[nowhere|a label]] stays", "<p>a label stays</p>"),
    ("`[[Agile Nations]]`", "<p><code>[[Agile Nations]]</code></p>"),
    # A bare domain as a link target is an external https link; a file name stays relative.
    (
        "[site](edgeofgovernment.com) [page](page.html)",
        '<p><a href="https://edgeofgovernment.com" rel="noopener nofollow">site</a> <a href="page.html">page</a></p>',
    ),
    # Timestamps stay links to their second.
    (
        "Said so [00:01:27](https://www.youtube.com/watch?v=nGjuo-7sUXM&t=87s).",
        '<p>Said so <a href="https://www.youtube.com/watch?v=nGjuo-7sUXM&amp;t=87s" rel="noopener nofollow">00:01:27</a>.</p>',
    ),
    # Images are not shown, but their alt text is not lost.
    (
        "![a chart](https://example.org/c.png)",
        '<p><a href="https://example.org/c.png" rel="noopener nofollow">a chart</a></p>',
    ),
]


@pytest.mark.parametrize(("source", "expected"), CONSTRUCTS)
def test_construct_renders_as_commonmark(source, expected):
    assert render(source) == expected


@pytest.mark.parametrize("kind", sorted(CALLOUT_STYLES))
def test_every_usual_callout_kind_is_a_titled_aside(kind):
    html = render(f"> [!{kind}]\n> text")
    style = CALLOUT_STYLES[kind]
    assert html.startswith(f'<aside class="callout callout-{style}">\n<p class="callout-title">{kind.capitalize()}</p>')
    assert "[!" not in html


def test_an_unknown_callout_kind_shows_as_a_note_under_its_own_name():
    assert render("> [!Recap] So far").startswith(
        '<aside class="callout callout-note">\n<p class="callout-title">So far</p>'
    )


def test_consecutive_marker_lines_nest_callouts_only_to_a_bounded_depth(no_cache):
    # Each marker line after a marker line opens a callout inside the previous one; unbounded,
    # 20,000 such lines made 20,000 nested asides and took the sanitiser 34 s.
    assert render("> [!NOTE] Outer\n> [!TIP] Inner\n> body").count("<aside") == 2
    html = render("> [!NOTE] t\n" * 3000)
    assert html.count("<aside") == MAX_CALLOUT_DEPTH
    assert html.count("[!NOTE] t") == 3000 - MAX_CALLOUT_DEPTH  # the rest stays text


def test_raw_html_cannot_borrow_the_callout_classes_beyond_the_allowed_ones():
    html = render('<aside class="callout evil" onclick="x()">a</aside><p class="callout-title other">b</p>')
    assert html == '<aside class="callout">a</aside><p class="callout-title">b</p>'


def test_wiki_targets_resolve_to_a_document_else_an_existing_topic_else_no_link(db):
    DocumentFactory(slug="a_document")
    TopicFactory(slug="a_topic")
    TopicFactory(slug="a_document")  # a document wins over a topic of the same slug
    html = str(render_markdown("[[A Document]] [[a_topic|T]] [[missing target]]"))
    assert (
        html
        == '<p><a href="/documents/a_document/">A Document</a> <a href="/topics/a_topic/">T</a> missing target</p>\n'
    )


def test_long_texts_are_cached_by_source_and_wiki_targets(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    source = "[[a_topic]] " + "word " * rendering.CACHE_MIN_CHARS
    before = str(render_markdown(source))
    assert "a_topic" in before and "<a " not in before
    TopicFactory(slug="a_topic")  # where a wiki link points is part of the key
    after = str(render_markdown(source))
    assert after.startswith('<p><a href="/topics/a_topic/">a_topic</a>')
    rendering._MARKDOWN, real = None, rendering._MARKDOWN  # a cache hit does not render
    try:
        assert str(render_markdown(source)) == after
    finally:
        rendering._MARKDOWN = real


def test_wiki_link_pattern_keeps_its_groups():
    matches = [
        (m.group(1), m.group(2), wiki_label(m)) for m in WIKI_LINK.finditer("[[A b]] [[ x | y z ]] [[t|]] [[ ]]")
    ]
    assert matches == [("A b", None, "A b"), ("x", "y z", "y z"), ("t", "", "t")]
    assert wiki_slug("Agile Nations") == "agile_nations"


# Inputs that took quadratic (or worse) time: rendering must grow linearly with their size.
ADVERSARIAL = {
    "brackets": lambda n: "[" * n,
    "lines of brackets": lambda n: ("[" * 1000 + "\n") * (n // 1000),
    "emphasis run": lambda n: "*a " * (n // 3),
    "wiki opener and spaces": lambda n: "[[" + " " * n,
    "unclosed links": lambda n: "[a](" * (n // 4),
    "image openers": lambda n: "![" * (n // 2),
    "many callouts": lambda n: "> [!N]\n\n" * (n // 8),
    "chained marker paragraphs": lambda n: "[!A] t\n# h\n" * (n // 12),
    "marker lines in one quote": lambda n: "> [!NOTE] t\n" * (n // 12),
}


@pytest.fixture
def no_cache(settings):
    """Time the rendering itself, not a cache."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _seconds(source):
    """CPU seconds of this process rendering `source`, the best of three: other processes on a
    busy machine (a parallel test worker) do not count, so a ratio of two runs stays meaningful."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        render_markdown(source, wiki_url=lambda slug: None)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_rendering_time_is_linear_on_adversarial_input(name, no_cache):
    make = ADVERSARIAL[name]
    small, large = _seconds(make(4000)), _seconds(make(16000))
    # Four times the input: about four times the time (quadratic would be 16); a floor absorbs noise.
    assert large < max(8 * small, 0.05), (small, large)


def test_the_adversarial_bodies_of_the_availability_issue_render_in_under_a_second(no_cache):
    assert _seconds("[" * 16000) < 1
    assert _seconds(("[" * 1000 + "\n") * 25) < 1


def test_pathological_delimiter_runs_render_fast_as_text(no_cache):
    # A megabyte of emphasis delimiters took a minute in markdown-it-py; 16,000 `[` and one `]` 3 s.
    emphasis = "*a " * 340_000
    assert len(emphasis) > 1_000_000
    html = render_markdown(emphasis, wiki_url=lambda slug: None)
    assert "<em>" not in html and html.count("*a") == 340_000
    brackets = "[" * 16000 + "]"
    assert _seconds(brackets) < 1
    body = "*a " * 6000 + "[x](https://example.org) " * 6000
    html = render_markdown(body, wiki_url=lambda slug: None)
    assert "<em>" not in html and "example.org" in html and 'href="https://example.org"' not in html


def test_ordinary_emphasis_and_links_still_render():
    html = render_markdown("Some *stress* and a [link](https://example.org).", wiki_url=lambda slug: None)
    assert "<em>stress</em>" in html and 'href="https://example.org"' in html


def test_a_body_past_the_markdown_limit_shows_every_word_as_escaped_paragraphs(no_cache):
    from cases.rendering import FULL_MARKDOWN_MAX_CHARS

    body = ("Word <b>bold</b> *x*\nnext line\n\n") * (FULL_MARKDOWN_MAX_CHARS // 20)
    html = render_markdown(body, wiki_url=lambda slug: None)
    assert html.count("<p>") == FULL_MARKDOWN_MAX_CHARS // 20
    assert "&lt;b&gt;bold&lt;/b&gt; *x*<br>" in html and "<b>" not in html


@pytest.mark.parametrize(
    "characters, budget, rule_markup",
    [
        ("*_", 5000, ("*x*", "<em>")),
        ("[", 5000, ("[x](https://example.org)", 'href="https://example.org"')),
        ("|", 6000, ("|a|b|\n|-|-|\n|c|d|\n\n", "<table>")),
        ("<", 10000, ("<b>x</b>", "<b>")),
    ],
)
def test_past_its_delimiter_budget_a_kind_of_markup_is_read_as_text(characters, budget, rule_markup, no_cache):
    markup, rendered = rule_markup
    within = markup + "\n\n" + "words " * 10
    assert rendered in render_markdown(within, wiki_url=lambda slug: None)
    beyond = markup + "\n\n" + (characters[0] + "a ") * (budget + 1)
    html = render_markdown(beyond, wiki_url=lambda slug: None)
    assert rendered not in html
