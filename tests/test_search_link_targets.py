"""Markdown links' targets left out of the search index (text.LINK_TARGET): the two databases'
text functions drop the same targets, the snippet of a document found through its text shows that
text, and search_text() of many link openings stays linear (found by QA on 8411dac)."""

import time

import pytest
from django.db import connection

from cases.search import schema, search
from cases.search.text import WORD, search_text
from tests.factories import DocumentFactory
from tests.test_search_index import count

pytestmark = pytest.mark.django_db

# White space to Python's `\s` but not to PostgreSQL's `[:space:]` under the databases' C.UTF-8
# locale (the separators \x1c-\x1f, NEL and the three no-break spaces): LINK_TARGET spells out
# its ASCII white space, so both databases treat them as part of a target.
PYTHON_ONLY_SPACES = "\x1c\x1d\x1e\x1f\x85\xa0\u2007\u202f"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's text function")
@pytest.mark.parametrize("space", PYTHON_ONLY_SPACES, ids=lambda space: f"U+{ord(space):04X}")
def test_the_postgresql_text_function_ends_a_link_target_at_the_same_white_space(space):
    text = f"[the plan](annex{space}watchtower) d"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema.TEXT_FUNCTION}(%s)", [text])
        assert WORD.findall(cursor.fetchone()[0].lower()) == WORD.findall(search_text(text))


def test_a_word_after_a_no_break_space_in_a_link_target_is_left_out_on_both_databases():
    # One answer on both databases: the no-break space is part of the target, which is dropped.
    DocumentFactory(title="Harbour plan", body="As [the plan](annex\u00a0watchtower) says.")
    assert count("watchtower", "documents") == 0 and count("plan", "documents") == 1


def test_the_snippet_of_a_document_found_by_its_text_shows_that_text():
    # The document is found by "watch" in its text only (the targets are not indexed); the snippet
    # started at the first "watch" of the raw body, inside a timestamp's address, and showed the
    # cut address marked (the sample corpus, q=watch: "… 00:01:18 <mark>watch</mark>?v=zJARyL_79Io…").
    links = " ".join(
        f"[00:0{i}:00](https://www.youtube.com/watch?v=abcdefghijk&t={i * 60}s) part {i} on budgets." for i in range(8)
    )
    DocumentFactory(title="Council webinar", body=f"Intro. {links} {'lorem ipsum ' * 60} Citizens watch the council.")
    group = next(group for group in search("watch").groups if group.kind.key == "documents")
    assert group.count == 1
    html = str(group.hits[0].snippet)
    assert "<mark>watch</mark> the council" in html, html
    assert "v=abcdefghijk" not in html, html


def test_search_text_of_many_link_openings_takes_linear_time():
    # Not a speed target but a bound on the complexity: a pattern rescanning from every "](" to the
    # end of the run took about 7 s for these 100,000 characters (minutes for a 1 MB body, in the
    # SQLite trigger of a save); linear, it takes milliseconds.
    start = time.perf_counter()
    search_text("](" * 50_000)
    assert time.perf_counter() - start < 2.0
