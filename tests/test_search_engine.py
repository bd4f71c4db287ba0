"""The search engine's hand-built SQL (cases/search/engine.py), called directly: counts, the order
within a kind (head matches ranked, then body-only matches newest first), paging, the count cap,
exclusions and the ids a queryset filters by. The same answers on SQLite (FTS5) and PostgreSQL."""

import pytest
from django.db.models.expressions import RawSQL

from cases.models import Case
from cases.search import engine, parse_query
from cases.search.schema import KINDS_BY_NAME
from tests.factories import CaseFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db

CASE = KINDS_BY_NAME["case"].code
QUOTE = KINDS_BY_NAME["quote"].code
COUNTRY = KINDS_BY_NAME["country"].code


@pytest.fixture
def kelp():
    """One case with kelp in its title, four (created in this order) with kelp in their summary only,
    one draft with kelp in its title, a quote and a case that do not mention it."""
    titled = CaseFactory(title="Kelp farming at sea", summary="A case about the sea.")
    body_only = [CaseFactory(title=f"Coastal case {n}", summary="Growing kelp offshore.") for n in range(4)]
    CaseFactory(title="Kelp in draft", status=Case.Status.DRAFT)
    CaseFactory(title="Space food", summary="Nothing marine.")
    source = SourceFactory(title="A webinar")
    QuoteFactory(source=source, text="We grew kelp for a year.")
    QuoteFactory(source=source, text="Nothing about the sea.")
    return titled, body_only


def test_counts_count_the_matches_of_every_kind_that_has_any(kelp):
    assert engine.counts(parse_query("kelp")) == {CASE: 5, QUOTE: 1}


def test_a_kind_lists_head_matches_first_then_body_only_matches_newest_first(kelp):
    titled, body_only = kelp
    count, keys = engine.best_of_each_kind(parse_query("kelp"), per_kind=3)[CASE]
    assert count == 5  # the count is the kind's, not the page's
    assert keys == [titled.pk, body_only[3].pk, body_only[2].pk]


def test_pages_of_a_kind_follow_the_same_order_without_gaps_or_repeats(kelp):
    titled, body_only = kelp
    parsed = parse_query("kelp")
    pages = [engine.page_of_kind(parsed, CASE, offset, 2) for offset in (0, 2, 4, 6)]
    assert pages == [[titled.pk, body_only[3].pk], [body_only[2].pk, body_only[1].pk], [body_only[0].pk], []]
    assert engine.best_ids(parsed, CASE, 3) == ([titled.pk, body_only[3].pk, body_only[2].pk], 5)


def test_counts_past_the_cap_are_reported_as_the_cap_and_one(kelp, monkeypatch):
    monkeypatch.setattr(engine, "COUNT_CAP", 2)
    parsed = parse_query("kelp")
    assert engine.counts(parsed)[CASE] == 3
    assert engine.best_of_each_kind(parsed, per_kind=5)[CASE][0] == 3
    titled, body_only = kelp
    in_order = [titled.pk, *(case.pk for case in reversed(body_only))]
    # Past the cap, SQLite reads the cap and one body-only matches (the newest) and stops;
    # PostgreSQL walks the ids down for the rest (engine.newest_bodies_sql).
    expected = in_order if engine.postgres() else in_order[: 1 + engine.COUNT_CAP + 1]
    assert engine.page_of_kind(parsed, CASE, 0, 5) == expected


def test_an_excluded_word_leaves_its_entries_out_of_every_query(kelp):
    titled, _ = kelp
    parsed = parse_query("kelp -offshore")
    assert engine.counts(parsed) == {CASE: 1, QUOTE: 1}
    assert engine.matching_ids(parsed, CASE) == [titled.pk]
    assert engine.best_ids(parsed, CASE, 5) == ([titled.pk], 1)


def test_ids_sql_filters_a_queryset_by_the_matching_ids(kelp):
    titled, body_only = kelp
    parsed = parse_query("kelp")
    matched = Case.objects.filter(pk__in=RawSQL(engine.ids_sql(CASE), [engine.expression(parsed)]))
    assert set(matched.values_list("pk", flat=True)) == {titled.pk, *(case.pk for case in body_only)}
    assert sorted(engine.matching_ids(parsed, CASE)) == sorted(matched.values_list("pk", flat=True))


def test_a_country_is_keyed_by_its_code(db):
    CaseFactory(title="A case", countries=["CA"])
    count, keys = engine.best_of_each_kind(parse_query("canada"), per_kind=5)[COUNTRY]
    assert (count, keys) == (1, ["CA"])  # the entry id stands for the country's code, not a number
