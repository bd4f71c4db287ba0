"""Benchmark of the case browser, a case page and the CSV export; writes its section of docs/performance.md.

Every timing is a whole request through Django's test client in this process (URL routing,
view, queries, template; streamed responses read to the end), after a warm-up request; no
HTTP server, so the figures leave out gunicorn and the network. The query count of each page
comes from one more request under CaptureQueriesContext.

    .venv/bin/python bench/pages.py                 # DATABASE_URL, default postgres://…/kb_bench
    .venv/bin/python bench/pages.py --write docs/performance.md
    DATABASE_URL=postgres://…/kb_bench_50k .venv/bin/python bench/pages.py --cases 50000 --quotes 200000

The database is created when missing, migrated, and filled with
`generate_library --cases 10000 --quotes 200000 --seed 1` unless it already holds a generated
library. Target (design.md): under 100 ms median for the case browser and a case page.
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kb_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("RATELIMIT_ENABLE", "0")  # every request below comes from one address

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from perfdoc import write_section  # noqa: E402  (bench/ is the script folder)

SECTION = "## Case browser and pages"
TARGET_MS = 100
CASES, QUOTES, SEED = 10_000, 200_000, 1
SKIP_EXPORTS = False


def create_database():
    """Create the PostgreSQL database of DATABASE_URL when it does not exist yet."""
    import psycopg2
    from psycopg2 import sql

    url = urlsplit(os.environ["DATABASE_URL"])
    if not url.scheme.startswith("postgres"):
        raise SystemExit("bench/pages.py measures PostgreSQL: give a postgres:// DATABASE_URL.")
    name = url.path.lstrip("/")
    connection = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}.", file=sys.stderr)
    connection.close()


def setup():
    warnings.filterwarnings("ignore", message="No directory at")
    create_database()
    # Serve static paths without a collected manifest, as the tests do.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()
    from django.core.management import call_command

    from cases.models import Case

    call_command("migrate", verbosity=0)
    generated = Case.objects.filter(slug__startswith="gen-").count()
    if generated and generated != CASES:
        raise SystemExit(
            f"The database holds {generated:,} generated cases, not {CASES:,}: give another "
            "DATABASE_URL per size (e.g. kb_bench_50k for --cases 50000)."
        )
    if not generated:
        print(f"Generating {CASES} cases and {QUOTES} quotes…", file=sys.stderr)
        call_command("generate_library", cases=CASES, quotes=QUOTES, seed=SEED, force=True, verbosity=1)


def fetch(client, url):
    response = client.get(url)
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response, size


def measure(client, url, repeat):
    """(samples in ms, queries of a repeated request, response, size, the first request's ms):
    the first request is timed with the cache emptied (what a first visitor gets: facets counted,
    parts rendered); the samples are repeats (the parts served from the cache under the library
    version)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    start = time.perf_counter()
    fetch(client, url)  # warm-up, timed uncached
    first = (time.perf_counter() - start) * 1000
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fetch(client, url)
        samples.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response, size = fetch(client, url)
    return samples, len(queries), response, size, first


def case_sample(client, size=100):
    """(times in ms, sizes in bytes) of `size` published case pages picked at random (seeded), each
    requested once after the cache is emptied: what visitors opening different cases get, every page a
    miss of its own parts (the library's shared parts, its bitmaps and term tables, cached by the first)."""
    import random

    from django.core.cache import cache

    from cases.models import Case

    slugs = sorted(Case.objects.published().values_list("slug", flat=True))
    picked = random.Random(SEED).sample(slugs, min(size, len(slugs)))
    cache.clear()
    fetch(client, Case(slug=picked[0]).get_absolute_url())  # the shared parts, as any earlier visit left them
    times, sizes = [], []
    for slug in picked[1:]:
        start = time.perf_counter()
        _, size_ = fetch(client, Case(slug=slug).get_absolute_url())
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(size_)
    return times, sizes


def p95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def pages():
    """(label, url, what it shows) of each measured page, picked from the data deterministically."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from cases.browse.filters import CaseFilter
    from cases.models import Case, Country, Quote, Theme

    browser = reverse("cases:case-list")
    country = (
        Country.objects.annotate(n=Count("cases", filter=Q(cases__status="published"))).order_by("-n", "code").first()
    )
    theme = Theme.objects.with_published_case_count().order_by("-published_case_count", "slug").first()
    one = {"country": country.code.lower()}
    three = {"country": country.code.lower(), "theme": theme.slug, "stage": "pilot"}
    quoted = Case.objects.published().annotate(n=Count("quotes")).order_by("-n", "slug")
    typical = quoted[quoted.count() // 2]
    most = quoted.first()

    def count(params):
        return CaseFilter(params).qs.count()

    return [
        ("case browser, no filter", browser, f"{count({}):,} cases"),
        ("case browser, one filter", f"{browser}?{urlencode(one)}", f"{count(one):,} cases"),
        ("case browser, three filters", f"{browser}?{urlencode(three)}", f"{count(three):,} cases"),
        (
            "case browser, search and a filter",
            f"{browser}?{urlencode({'q': 'testbed', **one})}",
            f"{count({'q': 'testbed', **one}):,} cases",
        ),
        ("case page, a typical case", typical.get_absolute_url(), f"{typical.n} quotes"),
        ("case page, the most quoted case", most.get_absolute_url(), f"{most.n} quotes"),
        ("quote browser, first page", reverse("cases:quote-list"), f"{Quote.objects.count():,} quotes"),
        ("quote browser, page 3000", f"{reverse('cases:quote-list')}?page=3000", "rows 149,951–150,000"),
        (
            "quote browser, last page",
            f"{reverse('cases:quote-list')}?page={-(-Quote.objects.count() // 50)}",
            "the last 50",
        ),
        ("CSV export, one filter", f"{reverse('cases:case-export-csv')}?{urlencode(one)}", f"{count(one):,} rows"),
        ("CSV export, everything", reverse("cases:case-export-csv"), f"{count({}):,} rows"),
    ]


def run(repeat):
    from django.db import connection
    from django.test import Client

    from cases.models import Case, Quote

    client = Client()
    load_before = os.getloadavg()
    rows, medians = [], {}
    for label, url, shows in pages():
        if SKIP_EXPORTS and "CSV" in label:
            continue
        times = max(5, repeat // 5) if "CSV" in label else repeat
        samples, queries, _, size, first = measure(client, url, times)
        medians[label] = statistics.median(samples)
        rows.append(
            f"| {label} | `{url}` | {shows} | {statistics.median(samples):.0f} | {p95(samples):.0f} "
            f"| {min(samples):.0f} | {first:.0f} | {queries} | {size / 1024:,.0f} |"
        )
        print(rows[-1], file=sys.stderr)
    sample, sizes = case_sample(client)
    rows.append(
        f"| case pages, {len(sample)} at random, each once | `/cases/<slug>/` | "
        f"{len(sample)} cases | {statistics.median(sample):.0f} | {p95(sample):.0f} | {min(sample):.0f} "
        f"| (each) | — | {statistics.mean(sizes) / 1024:,.0f} |"
    )
    print(rows[-1], file=sys.stderr)
    load_after = os.getloadavg()
    version = connection.cursor().connection.server_version
    browser = [value for label, value in medians.items() if label.startswith("case browser")]
    case_pages = [value for label, value in medians.items() if label.startswith("case page")]
    verdict = "met" if max(browser + case_pages) < TARGET_MS else "missed"
    quote_pages = [value for label, value in medians.items() if label.startswith("quote browser")]
    browser_target = 40 if CASES <= 10_000 else 80
    # Issue 20's targets: the browser without search (no filter, one, three), the case page, /quotes/.
    filtered = [medians[f"case browser, {name}"] for name in ("no filter", "one filter", "three filters")]
    issue20 = (
        f"Issue 20's targets: case browser p50 ≤ {browser_target} ms (no, one, three filters: "
        f"{', '.join(f'{value:.0f}' for value in filtered)} ms — "
        f"{'met' if max(filtered) <= browser_target else 'missed'}); case page p50 ≤ 15 ms (the median "
        f"of {len(sample)} case pages at random, each a first visit: {statistics.median(sample):.0f} ms — "
        f"{'met' if statistics.median(sample) <= 15 else 'missed'}; the most quoted case alone "
        f"{medians['case page, the most quoted case']:.0f} ms); any page of /quotes/ "
        f"≤ 50 ms ({max(quote_pages):.0f} ms — {'met' if max(quote_pages) <= 50 else 'missed'})."
    )
    cache_backend = settings.CACHES["default"]["BACKEND"]
    lines = [
        SECTION,
        "",
        f"Measured {date.today().isoformat()} by `bench/pages.py` on PostgreSQL {version // 10000}.{version % 10000}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs (nproc), load average "
        f"{load_before[0]:.1f} before and {load_after[0]:.1f} after (a machine shared with other work), with "
        f"{Case.objects.published().count():,} published cases of {Case.objects.count():,} and "
        f"{Quote.objects.count():,} quotes (`generate_library --cases {CASES} --quotes {QUOTES} --seed {SEED}`). "
        f"Each figure is a whole request through Django's test client in one process (routing, view, queries, "
        f"template; exports read to the end), {repeat} timed requests after a warm-up "
        f"({max(5, repeat // 5)} for the exports); no HTTP server in between. Cache: "
        f"`{cache_backend.rsplit('.', 1)[-1]}`"
        f"{' (`CACHE_BACKEND=dummy`: every request a miss, rendering all of its page)' if 'Dummy' in cache_backend else ''}.",
        "",
        f"**Target: under {TARGET_MS} ms median for the case browser and a case page — {verdict} "
        f"(slowest browser median {max(browser):.0f} ms, slowest case page median {max(case_pages):.0f} ms).**",
        "",
        issue20,
        "",
        "| page | URL | shows | median ms | p95 ms | min ms | first, uncached ms | queries | KiB |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "How the pages stay bounded: the case browser's facets, charts, map, count and list of cases, a case "
        "page's parts and a /quotes/ page's content are rendered once and cached under the library version "
        "(cases/library_version.py: triggers change it on every write to a table these pages read, so a cached "
        "part is never stale); a repeated request costs the version, the cache read and the filters' term "
        "look-ups (the `queries` column). The first request after a write (`first, uncached`) builds the "
        "library's bitmaps (cases/browse/case_index.py: a bitmap of case ids per facet option and year, 13 "
        "queries, once per version, shared between workers through the cache), counts the facets with set "
        "operations on them, fetches the page's cases and renders everything. An export reads 500 cases at a time and fetches "
        "their links as plain tuples, one query per kind of link. Figures under load are a multiple of the "
        "quiet ones, so the load average is given, and `min` is the best of the runs.",
        "",
    ]
    return "\n".join(lines)


def main():
    global CASES, QUOTES, SECTION, SKIP_EXPORTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page (default 30).")
    parser.add_argument("--write", metavar="PATH", help="Replace the section in this markdown file.")
    parser.add_argument(
        "--cases",
        type=int,
        default=CASES,
        help="Library size: cases (default %(default)s; 50000 for the large size, in a database of its own).",
    )
    parser.add_argument("--quotes", type=int, default=QUOTES, help="Library size: quotes (default %(default)s).")
    parser.add_argument(
        "--no-exports", action="store_true", help="Leave the CSV exports out (minutes each at 50,000 cases)."
    )
    args = parser.parse_args()
    CASES, QUOTES, SKIP_EXPORTS = args.cases, args.quotes, args.no_exports
    if CASES != 10_000:
        SECTION = f"## Case browser and pages, {CASES:,} cases"
    setup()
    section = run(args.repeat)
    print(section)
    if args.write:
        write_section(args.write, SECTION, section)


if __name__ == "__main__":
    main()
