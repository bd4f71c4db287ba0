"""Benchmark of /search/ and /matrix/ on a generated library; writes its section of docs/performance.md.

Every timing is a whole request through Django's test client (URL routing, view, queries,
template), one process, one core, after a warm-up request. Run it on PostgreSQL with a
database of your own, filled by `generate_library`:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench
    DEBUG=1 .venv/bin/python manage.py migrate
    DEBUG=1 .venv/bin/python manage.py generate_library --cases 10000 --quotes 200000
    .venv/bin/python bench/search.py --write docs/performance.md

Targets (issue 15): search median under 60 ms and p95 under 150 ms at 10,000 cases and 200,000
quotes on PostgreSQL, median under 100 ms on SQLite (run it on both); the matrix of 500 cases
under 300 ms (issue 5).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("RATELIMIT_ENABLE", "0")  # every request below comes from one address

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from perfdoc import write_section  # noqa: E402  (bench/ is the script folder)

SECTION = "## Search and matrix"  # on PostgreSQL; on SQLite the section is "## Search and matrix on SQLite"
SEARCH_TARGETS_MS = {"postgresql": (60, 150), "sqlite": (100, None)}  # (median, p95)
MATRIX_TARGET_MS = 300
MATRIX_CASES = 500
# (what it exercises, the query): common and rare words, phrases, exclusions, `or`, misspellings.
QUERIES = [
    ("a rare word", "Sahel"),
    ("a common word", "budget"),
    ("two words", "feedback loops"),
    ("three words", "prize money visibility"),
    ("a phrase", '"shared testbed"'),
    ("an exclusion", "testbed -budget"),
    ("or", "hackathon or sandbox"),
    ("a taxonomy name", "cultural norms"),
    ("a country's short name", "USA"),
    ("a hyphenated word", "co-creation"),
    ("a British spelling", "behavioural"),
    ("a code in part", "P-8"),
    ("a misspelling (respelt)", "testbd"),
    ("no match", "zzqxv"),
    ("stop words only", "the and of"),
]
# The case browser's `q`, which also matches the names of what a case links to.
BROWSER_QUERIES = [("a country's name", "canada"), ("a common word", "budget"), ("two words", "feedback loops")]


def setup():
    warnings.filterwarnings("ignore", message="No directory at")
    # Serve static paths without a collected manifest, as the tests do.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()


def timed(client, url, params, repeat):
    response = client.get(url, params)  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{url} {params} answered {response.status_code}")
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url, params)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, response


def p95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def theme_near(count):
    """The theme whose published case count is closest to `count` (a filter giving ~500 cases)."""
    from cases.models import Theme

    themes = Theme.objects.with_published_case_count().filter(published_case_count__gt=0)
    return min(themes, key=lambda theme: abs(theme.published_case_count - count), default=None)


def run(repeat):
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from cases.browse.filters import CaseFilter
    from cases.models import Case, Quote
    from cases.search import search
    from cases.views.matrix import PER_PAGE

    client = Client()
    lines = []
    search_samples = []
    search_rows = []
    for label, query in QUERIES:
        samples, _ = timed(client, reverse("cases:search"), {"q": query}, repeat)
        results = search(query)
        search_samples += samples
        shown = f"{results.total:,}" if results.total_text == str(results.total) else results.total_text
        shown += f" (as “{results.corrected_query}”)" if results.corrected_query else ""
        search_rows.append(f"| {label} | `{query}` | {shown} | {statistics.median(samples):.0f} | {p95(samples):.0f} |")
        print(search_rows[-1], file=sys.stderr)
    for label, query in BROWSER_QUERIES:
        samples, _ = timed(client, reverse("cases:case-list"), {"q": query}, repeat)
        search_samples += samples
        found = CaseFilter({"q": query}).qs.count()
        search_rows.append(
            f"| case browser, {label} | `?q={query}` | {found:,} cases | {statistics.median(samples):.0f} | "
            f"{p95(samples):.0f} |"
        )
        print(search_rows[-1], file=sys.stderr)

    matrix_rows = []
    theme = theme_near(MATRIX_CASES)
    matrix_runs = [("all published cases (first page of 500 rows, totals over all)", {})]
    if theme:
        matrix_runs.insert(0, (f"`?theme={theme.slug}`: {theme.published_case_count} cases", {"theme": theme.slug}))
    matrix_medians = {}
    for label, params in matrix_runs:
        samples, _ = timed(client, reverse("cases:matrix"), params, repeat)
        matrix_medians[label] = statistics.median(samples)
        rows = min(PER_PAGE, CaseFilter(params).qs.count())
        matrix_rows.append(f"| matrix, {label} | {rows} | {statistics.median(samples):.0f} | {p95(samples):.0f} |")
        print(matrix_rows[-1], file=sys.stderr)
    if theme:
        samples, _ = timed(client, reverse("cases:matrix-csv"), {"theme": theme.slug}, max(3, repeat // 3))
        matrix_rows.append(
            f"| CSV, `?theme={theme.slug}` | {theme.published_case_count} | "
            f"{statistics.median(samples):.0f} | {p95(samples):.0f} |"
        )

    search_median = statistics.median(search_samples)
    load = os.getloadavg()[0]
    vendor = connection.vendor
    version = connection.cursor().connection.server_version if vendor == "postgresql" else ""
    database = f"PostgreSQL {version // 10000}.{version % 10000}" if vendor == "postgresql" else vendor
    lines += [
        section_heading(),
        "",
        f"Measured {date.today().isoformat()} by `bench/search.py` ({repeat} timed requests each, after a warm-up) "
        f"on {database}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        f"(load average {load:.1f} when done), with "
        f"{Case.objects.published().count():,} published cases and {Quote.objects.count():,} quotes "
        "(`generate_library --cases 10000 --quotes 200000`). Each figure is a whole request through "
        "Django's test client: routing, view, queries and template.",
        "",
        *(
            [
                f"_The machine was shared while this ran (load average {load:.1f} on {os.cpu_count()} CPUs): "
                "every figure is inflated by the contention. Rerun on a quiet machine to compare with the targets._",
                "",
            ]
            if load > (os.cpu_count() or 1)
            else []
        ),
        f"**Search: median {search_median:.0f} ms, p95 {p95(search_samples):.0f} ms over all the requests below "
        f"(target on {vendor}: median under {SEARCH_TARGETS_MS.get(vendor, (0, 0))[0]} ms"
        + (f", p95 under {SEARCH_TARGETS_MS[vendor][1]} ms" if SEARCH_TARGETS_MS.get(vendor, (0, 0))[1] else "")
        + ").**",
        "",
        "| query | | results | median ms | p95 ms |",
        "|---|---|---:|---:|---:|",
        *search_rows,
        "",
    ]
    if theme:
        lines.append(
            f"**Matrix of {theme.published_case_count} cases: median {matrix_medians[matrix_runs[0][0]]:.0f} ms "
            f"(target: {MATRIX_CASES} cases under {MATRIX_TARGET_MS} ms).**"
        )
        lines.append("")
    lines += [
        "| page | rows | median ms | p95 ms |",
        "|---|---:|---:|---:|",
        *matrix_rows,
        "",
        "How: one trigger-maintained index of published items (cases/search/schema/): an FTS5 table on "
        "SQLite, a GIN-indexed `tsvector` table on PostgreSQL. One query finds the best hits of every kind "
        "and counts them: only the entries whose title or names match are ranked (a generated `head` column "
        "with partial GIN indexes on PostgreSQL, an FTS5 column filter on SQLite), body-only matches follow "
        'newest first, and counts stop at 1,000 ("more than 1,000"), so the work does not grow with the '
        "number of matches. One query per kind with hits fetches its few rows, and snippets are cut "
        "in Python in linear time; a search that finds nothing is respelt from the index's vocabulary and run "
        "again. The matrix makes a fixed number of queries (cases, columns, links of the page's cases, column "
        "totals) whatever the data size.",
        "",
    ]
    return "\n".join(lines)


def section_heading():
    from django.db import connection

    return SECTION if connection.vendor == "postgresql" else f"{SECTION} on SQLite"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="Timed requests per page (default 15).")
    parser.add_argument("--write", metavar="PATH", help="Replace the section in this markdown file.")
    args = parser.parse_args()
    setup()
    section = run(args.repeat)
    print(section)
    if args.write:
        write_section(args.write, section_heading(), section)


if __name__ == "__main__":
    main()
