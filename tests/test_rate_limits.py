"""Rate limits per client address on exports, search and compare (cases/views/limits.py): 429 with
Retry-After past the limit, counted in the database (kb_rate_count, one statement a request),
other addresses unaffected."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.views import limits
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

LIMITED = {
    "export": ["/cases.csv", "/cases.json", "/matrix.csv", "/matrix/?format=csv", "/quotes.csv", "/quotes.json"],
    "search": ["/search/?q=bridge"],
    "compare": ["/compare/?cases=a,b"],
}


@pytest.fixture
def small_limits(settings):
    settings.RATELIMIT_ENABLE = True
    # Per hour: django-ratelimit counts in clock-aligned windows, and on a loaded machine a test
    # spanning a minute's end saw its count reset (a 200 where the 429 was due).
    settings.RATE_LIMITS = {"export": "3/h", "search": "3/h", "compare": "3/h"}
    settings.CONCURRENCY_LIMITS = {}  # the cap on requests in flight has tests of its own below
    CaseFactory(slug="a")
    CaseFactory(slug="b")


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("group, url", [(group, url) for group, urls in LIMITED.items() for url in urls])
def test_past_the_limit_an_address_gets_429_with_retry_after(client, small_limits, group, url):
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, url
        body(response)
    refused = client.get(url)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "Too many requests" in refused.content.decode()
    # Another address is counted on its own.
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_export_limit_is_shared_by_all_exports(client, small_limits):
    for url in ["/cases.csv", "/quotes.json", "/matrix.csv"]:
        assert client.get(url).status_code == 200
    assert client.get("/quotes.csv").status_code == 429
    assert client.get("/search/?q=bridge").status_code == 200  # a limit of its own


def test_browsing_is_not_limited(client, small_limits):
    for _ in range(8):
        assert client.get("/cases/").status_code == 200


def test_behind_a_proxy_the_forwarded_client_is_counted(client, small_limits, settings):
    settings.PROXY_COUNT = 1
    for _ in range(3):
        client.get("/cases.json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client.get("/cases.json", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get("/cases.json", HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


def test_counts_live_in_the_shared_database(client, small_limits):
    # In the database, so every gunicorn worker and app server reads the same count.
    client.get("/cases.json")
    client.get("/cases.json")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count FROM kb_rate_count WHERE key LIKE 'export:%%'")
        assert cursor.fetchall() == [(2,)]


def test_a_counted_request_costs_one_statement(small_limits):
    window = int(time.time()) + 60
    assert limits.count_request("search:3/h:test", window) == 1  # a window's first also culls
    with CaptureQueriesContext(connection) as queries:
        assert limits.count_request("search:3/h:test", window) == 2
    # Within the test's transaction it runs in a savepoint; outside one it is the only statement.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and "ON CONFLICT" in statements[0]


def test_a_new_window_starts_the_count_again_and_culls_closed_ones(small_limits):
    now = int(time.time())
    assert [limits.count_request("k", now + 60) for _ in range(3)] == [1, 2, 3]
    limits.count_request("closed", now - 5)  # a window that has already closed, counted late
    assert limits.count_request("k", now + 120) == 1  # the next window of "k": counted afresh
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM kb_rate_count ORDER BY key")
        assert cursor.fetchall() == [("k",)]  # "closed" culled by the first count of a window
    # A request carrying an older window (a server whose clock lags) counts in the newer one.
    assert limits.count_request("k", now + 60) == 2


def test_an_empty_rate_or_ratelimit_enable_off_lifts_the_limit(client, small_limits, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "export": ""}
    for _ in range(5):
        assert client.get("/cases.json").status_code == 200
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/m"}
    settings.RATELIMIT_ENABLE = False
    for _ in range(3):
        assert client.get("/search/?q=x").status_code == 200


def test_ratelimit_enable_off_counts_nothing_on_the_api_either(client, small_limits, settings):
    settings.RATELIMIT_ENABLE = False
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "1/h"}
    for _ in range(3):
        assert client.get("/api/v1/themes/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM kb_rate_count")
        assert cursor.fetchone()[0] == 0


def test_rates_come_from_the_environment(monkeypatch):
    import importlib

    import kb.settings

    monkeypatch.setenv("RATE_LIMIT_EXPORT", "2/h")
    monkeypatch.setenv("RATE_LIMIT_SEARCH", "")
    try:
        limits = importlib.reload(kb.settings).RATE_LIMITS
        assert limits["export"] == "2/h" and limits["search"] == ""
    finally:
        monkeypatch.undo()
        importlib.reload(kb.settings)


def test_a_text_query_on_the_case_browser_counts_as_a_search(client, small_limits):
    for _ in range(2):
        assert client.get("/search/", {"q": "bridge"}).status_code == 200
    assert client.get("/cases/", {"q": "bridge"}).status_code == 200
    assert client.get("/cases/", {"q": "bridge"}).status_code == 429
    assert client.get("/cases/").status_code == 200  # browsing without a query stays free


@pytest.fixture
def one_export_at_a_time(settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {}  # only the cap on requests in flight
    settings.CONCURRENCY_LIMITS = {"export": 1}
    CaseFactory(slug="a")


def test_an_address_holds_one_export_at_a_time(client, one_export_at_a_time):
    first = client.get("/cases.csv")
    assert first.status_code == 200 and first.streaming
    # The first export is still being sent: the same address waits, another does not.
    busy = client.get("/quotes.json")
    assert busy.status_code == 429
    assert int(busy["Retry-After"]) >= 1
    assert client.get("/cases.json", REMOTE_ADDR="198.51.100.7").status_code == 200
    body(first)  # sent in full: the slot is free again
    again = client.get("/cases.json")
    assert again.status_code == 200
    body(again)
    assert client.get("/matrix.csv").status_code == 200  # not streamed: freed when answered
    assert client.get("/matrix.csv").status_code == 200


def test_a_failing_export_frees_its_slot(client, one_export_at_a_time, monkeypatch):
    from cases.views import limits

    calls = []

    def failing_view(request):
        calls.append(request)
        raise RuntimeError("boom")

    view = limits.rate_limited("export")(failing_view)
    from django.test import RequestFactory

    request = RequestFactory().get("/cases.csv")
    for _ in range(2):
        with pytest.raises(RuntimeError):
            view(request)
    assert len(calls) == 2  # the second call was not refused as busy


def test_a_text_query_on_the_case_feed_counts_as_a_search(client, small_limits):
    for _ in range(3):
        assert client.get("/feeds/cases.atom", {"q": "bridge"}).status_code == 200
    response = client.get("/feeds/cases.atom", {"q": "bridge"})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert client.get("/feeds/cases.atom").status_code == 200  # the unsearched feed stays free
