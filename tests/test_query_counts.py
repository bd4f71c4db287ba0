"""How many queries each page runs: one row a page, on one library of many linked rows.

Every list holds 40 published cases, each with three countries, two themes, two approaches, two
organisations, a challenge, a success factor and quotes; documents carry topics and wiki links. A
page that fetched a link per row (a missing `select_related`/`prefetch_related`) would run dozens
of queries more than its row allows. The counts are the most either database runs (PostgreSQL and
SQLite differ by a query on a few pages); the comment of a row says where they go.

The library is built once for the module and rolled back after it (each test's own writes are
undone by its savepoint). The cache is an in-memory one, emptied before each row, so a row counts
the page's own queries on a cold cache and never another row's cached facets; the library's
bitmaps (cases/browse/case_index.py), built once per library version and process in a fixed
number of queries (tests/test_case_index.py), are built before each row. Counts that say
something more than a ceiling (they do not grow with the library, the cache saves queries) are
direct tests beside their pages: tests/test_views_pages.py, test_case_browser.py, test_exports.py,
test_admin_case.py, test_admin_quotes.py.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from cases.browse import case_index
from cases.models import Case, Challenge, Quote, Source, Theme
from tests.curation import make_curator
from tests.factories import CaseFactory, DocumentFactory, QuoteFactory, SourceFactory, TopicFactory
from tests.pages_library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    """The library every row reads (SimpleNamespace of the rows the URLs name)."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = build_library(cases=40)
        CaseFactory.create_batch(5, status=Case.Status.DRAFT, countries=["CA", "US"])
        topics = [TopicFactory() for _ in range(10)]
        source = SourceFactory()
        documents = DocumentFactory.create_batch(5, source=source)
        # A document whose body links thirty topics and documents by wiki link, and names ten topics.
        wiki = DocumentFactory(
            source=source, body="\n\n".join(f"Mentions [[topic_{n}]] and [[document_{n}]]." for n in range(30))
        )
        wiki.topics.add(*topics)
        cases = list(Case.objects.published().order_by("pk")[:3])
        for n, quote in enumerate(QuoteFactory.create_batch(30, source=source, other_seconds=[1, 2])):
            quote.document = documents[n % len(documents)]
            quote.save(update_fields=["document"])
            quote.cases.add(*cases)
            quote.topics.add(topics[n % 3], topics[(n + 1) % 3])
        for document in documents:
            document.topics.add(*topics[:3])
        editor = make_curator("counting-editor", "Editors")
        yield SimpleNamespace(
            case=first,
            challenge=first.challenges.get(),
            success_factor=first.success_factors.get(),
            theme=first.themes.first(),
            approach=first.approaches.first(),
            organisation=first.organisations.first(),
            source=source,
            document=wiki,
            topic=topics[0],
            quote=Quote.objects.filter(challenges__isnull=False, topics__isnull=True).first(),
            compared=",".join(Case.objects.published().order_by("pk").values_list("slug", flat=True)[:4]),
            editor=editor,
        )
        transaction.set_rollback(True)


def url(name, *args, **query):
    """A row's URL builder: `reverse(name, args=args)` with `query` as its query string (lists
    repeat); an argument or value that is a function of the library is called with it."""
    return lambda pages: (
        reverse(name, args=[arg(pages) if callable(arg) else arg for arg in args])
        + ("?" + urlencode({k: v(pages) if callable(v) else v for k, v in query.items()}, doseq=True) if query else "")
    )


def slug(attribute):
    """The slug of the library's row named `attribute`, as a URL argument."""
    return lambda pages: getattr(pages, attribute).slug


def a_theme_pair(pages):
    """Two theme slugs, for a filter that ORs them."""
    return list(Theme.objects.order_by("slug").values_list("slug", flat=True)[:2])


# (page, URL, who asks, the most queries it may run). `who`: None is a visitor, "editor" a curator
# signed in (their session and user are two of the queries).
ROWS = [
    # --- public pages
    (
        "home",
        url("cases:home"),
        None,
        9,
    ),  # quote and source counts, newest cases, entry points (8); the version (the case and country
    # counts and the charts are the index's)
    # the library version, the page, its 2 prefetches: the count, the facets, the map and the
    # charts come from the index's bitmaps (cases/browse/case_index.py)
    ("case-list", url("cases:case-list"), None, 4),
    # the library version, the search (its ranked ids with the count; every match's ids only past
    # 100), the page's 20 rows by id (ordered in Python) and their 2 prefetches
    ("case-list-search", url("cases:case-list", q="many"), None, 5),
    (
        "case-list-filtered",  # and a look-up of each filtered term (country, theme)
        url(
            "cases:case-list",
            country=["ca", "us"],
            theme=a_theme_pair,
            stage="pilot",
            year_from=2001,
            sort="-year",
        ),
        None,
        6,
    ),
    # case, 4 prefetches (children, quotes, story evidence, supporting links), its links to terms
    # (one query; the six term tables once per library version and process: 6 more when this is
    # the first page to need them), its quotes' challenge and success-factor links (one query),
    # related cases (ranked on the library's bitmaps) fetched (their countries from the bitmaps and
    # the term tables); it is the parent of the other 39
    (
        "case-detail",
        url("cases:case-detail", slug("case")),
        None,
        15,
    ),  # and the library version its cached page is kept under
    ("challenge-list", url("cases:challenge-list"), None, 3),  # the list with its counts; the version; the chart
    ("challenge-detail", url("cases:challenge-detail", slug("challenge")), None, 7),
    ("success-factor-list", url("cases:success-factor-list"), None, 3),
    ("success-factor-detail", url("cases:success-factor-detail", slug("success_factor")), None, 7),
    ("country-list", url("cases:country-list"), None, 3),  # the list (its counts shade the map), the version, the pairs
    ("country-list-filtered", url("cases:country-list", stage="pilot"), None, 4),  # and the index's version
    ("country-list-selected", url("cases:country-list", country="ca", stage="pilot"), None, 5),  # the country
    # country, page count and cases, countries of the cases, partners, the version, the network's pairs
    ("country-detail", url("cases:country-detail", "ca"), None, 8),
    ("theme-list", url("cases:theme-list"), None, 1),
    ("theme-detail", url("cases:theme-detail", slug("theme")), None, 5),
    ("approach-list", url("cases:approach-list"), None, 1),
    ("approach-detail", url("cases:approach-detail", slug("approach")), None, 5),
    ("organisation-list", url("cases:organisation-list"), None, 1),
    ("organisation-detail", url("cases:organisation-detail", slug("organisation")), None, 6),
    ("source-list", url("cases:source-list"), None, 2),
    ("source-detail", url("cases:source-detail", lambda pages: pages.source.slug), None, 5),
    ("document-list", url("cases:document-list"), None, 2),  # count, page
    ("document-list-by-quotes", url("cases:document-list", sort="quotes"), None, 2),
    # document, quote count, topics; wiki targets: which are documents, which of the rest topics
    ("document-detail", url("cases:document-detail", slug("document")), None, 5),
    ("topic-list", url("cases:topic-list"), None, 1),
    ("topic-detail", url("cases:topic-detail", slug("topic")), None, 6),
    # count, the page's keys, its rows, published cases; the form's three select lists
    ("quote-list", url("cases:quote-list"), None, 8),  # the library version of its cached content, then as before
    ("quote-list-filtered", url("cases:quote-list", challenge=slug("challenge"), q="statement"), None, 9),
    ("quote-detail", url("cases:quote-detail", lambda pages: pages.quote.pk), None, 4),
    ("about", url("cases:about"), None, 6),
    # one ranking of every kind (with the counts), the rows of the kinds hit (cases and quotes),
    # two prefetches for the cases
    ("search", url("cases:search", q="many"), None, 5),
    # count, challenges, success factors, the claims (one UNION), the cases
    ("matrix", url("cases:matrix"), None, 5),
    ("compare", url("cases:compare", cases=lambda pages: pages.compared), None, 7),  # the cases, 6 prefetches
    ("case-feed", url("cases:case-feed"), None, 2),  # the cases, their themes
    ("case-feed-filtered", url("cases:case-feed", theme=slug("theme"), country="ca"), None, 4),  # and both terms
    # per section a count and (where it has dates) its latest change: 20 for 12 sections
    ("sitemap", url("cases:sitemap"), None, 20),
    ("sitemap-quotes", url("cases:sitemap-section", "quotes"), None, 2),
    # the library version (the export is cached under it), the count, the cases, their links and
    # claims (one query a chunk: browse/export_sql.py)
    ("case-export-json", url("cases:case-export-json"), None, 4),
    ("quote-export-json", url("cases:quote-export-json"), None, 5),  # count, quotes, cases, challenges, factors
    # --- the API
    # the library's date (Last-Modified), then the page and its prefetches
    ("api-case-list", url("api:case-list", page_size=50), None, 4),
    ("api-quote-list", url("api:quote-list", page_size=50), None, 5),
    # the case page's own queries (its term tables read when no page has read them under this version)
    ("api-case-detail", url("api:case-detail", slug("case")), None, 15),
    # --- the admin
    ("admin-health", url("admin:cases_case_health"), "editor", 19),
]


@pytest.mark.parametrize("page, build_url, who, most", ROWS, ids=[row[0] for row in ROWS])
def test_number_of_queries(client, pages, settings, django_assert_max_num_queries, page, build_url, who, most):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test: another row's entries must not be hit
    if who:
        client.force_login(getattr(pages, who))
    address = build_url(pages)
    case_index.current()  # the library's bitmaps: built once per library version (tests/test_case_index.py)
    with django_assert_max_num_queries(most):
        response = client.get(address)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, address


def test_the_library_has_many_links_of_every_kind(pages):
    """The rows count on a library where a query per row would show: many of every link."""
    published = Case.objects.published()
    assert published.count() == 40
    assert all(
        published.filter(**{f"{field}__isnull": False}).distinct().count() == 40
        for field in ("countries", "themes", "approaches", "organisations", "challenges", "success_factors")
    )
    assert Quote.objects.filter(cases__isnull=False).distinct().count() >= 120
    assert Challenge.objects.count() == 3 and Source.objects.count() >= 4
    assert pages.document.topics.count() == 10 and pages.topic.quotes.count() >= 10
