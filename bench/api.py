"""Benchmark of the read-only API (/api/v1/) and of `export_library`; writes its section of docs/performance.md.

Every API timing is a whole request through Django's test client (routing, throttle, view,
queries, JSON rendering, the ETag hash), one process, after a warm-up request. The export runs in
a child process of its own, so its peak memory is the export's alone. Run it on PostgreSQL with a
database of your own, filled by `generate_library`:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench
    DEBUG=1 .venv/bin/python manage.py migrate
    DEBUG=1 .venv/bin/python manage.py generate_library --cases 10000 --quotes 200000
    .venv/bin/python bench/api.py --write docs/performance.md

Targets (issue 19): case list at 10,000 cases p50 under 60 ms on PostgreSQL; any page of the
quote list at 200,000 quotes under 60 ms (a cursor, not an offset); the whole-library export of
10,000 cases and 200,000 quotes under 60 s with flat memory.
"""

import argparse
import base64
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("RATELIMIT_ENABLE", "0")  # the throttle's cache queries are not the API's

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from perfdoc import write_section  # noqa: E402  (bench/ is the script folder)

SECTION = "## API and whole-library export"
TARGET_MS = 60
EXPORT_TARGET_S = 60

# Run in a child process: the export alone, its wall time and its peak RSS (ru_maxrss) against
# the RSS it had before the export started.
EXPORT_CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
import django
django.setup()
from django.db import connection
from cases.opendata import export_library
connection.ensure_connection()
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, started_cpu = time.perf_counter(), cpu()
manifest = export_library(directory={directory!r})
elapsed, cpu_seconds = time.perf_counter() - started, cpu() - started_cpu
print(json.dumps({{"seconds": elapsed, "cpu_seconds": cpu_seconds, "baseline_rss_kb": baseline,
                   "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "manifest": manifest}}))
"""


def setup():
    warnings.filterwarnings("ignore", message="No directory at")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()


def timed(client, url, params, repeat, status=200, headers=None):
    headers = headers or {}
    response = client.get(url, params, headers=headers)  # warm-up
    if response.status_code != status:
        raise SystemExit(f"{url} {params} answered {response.status_code}: {response.content[:300]!r}")
    samples, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url, params, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return samples, cpu, response


def p95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def cursor_at(pk):
    """The API's cursor for the page starting after quote `pk` (DRF's encoding: base64 of p=<position>)."""
    return base64.b64encode(urlencode({"p": pk}).encode()).decode()


def run(repeat, export):
    from django.db import connection
    from django.db.models import Count, Max, Min
    from django.test import Client
    from django.urls import reverse

    from api.conditional import library_last_modified
    from cases.models import Case, Quote, Theme

    client = Client()
    rows = []

    def measure(label, url, params=None, status=200, headers=None):
        samples, cpu, response = timed(client, url, params or {}, repeat, status=status, headers=headers)
        data = json.loads(response.content) if status == 200 else {}
        shown = len(data["results"]) if "results" in data else "–"
        rows.append((label, statistics.median(samples), p95(samples), statistics.median(cpu), shown))
        print(f"| {label} | {shown} | {rows[-1][1]:.1f} | {rows[-1][2]:.1f} | {rows[-1][3]:.1f} |", file=sys.stderr)
        return response

    cases_url, quotes_url = reverse("api:case-list"), reverse("api:quote-list")
    first = measure("cases, first page (50)", cases_url)
    measure("cases, first page of 200", cases_url, {"page_size": 200})
    theme = Theme.objects.with_published_case_count().order_by("-published_case_count").first()
    measure(f"cases, `?theme={theme.slug}` ({theme.published_case_count} cases)", cases_url, {"theme": theme.slug})
    measure(
        "cases, `?country=…&stage=pilot&sort=-year`",
        cases_url,
        {
            "country": Case.objects.published().values_list("countries", flat=True).first().lower(),
            "stage": "pilot",
            "sort": "-year",
        },
    )
    page = json.loads(first.content)
    for _ in range(20):  # the 21st page, by following `next`
        page = json.loads(client.get(page["next"]).content)
    measure("cases, 21st page (following `next`)", page["next"].replace("http://testserver", ""))
    measure("cases, 304 (If-None-Match)", cases_url, status=304, headers={"if-none-match": first["ETag"]})
    slug = Case.objects.published().annotate(n=Count("quotes")).order_by("-n").values_list("slug", flat=True).first()
    measure(f"case detail (the most quoted case, `{slug}`)", reverse("api:case-detail", args=[slug]))

    bounds = Quote.objects.aggregate(low=Min("pk"), high=Max("pk"))
    measure("quotes, first page (50)", quotes_url)
    for share in (0.5, 0.999):
        position = bounds["low"] + int((bounds["high"] - bounds["low"]) * share)
        measure(f"quotes, page at {share:.1%} of the ids (cursor)", quotes_url, {"cursor": cursor_at(position)})
    measure(
        "quotes, a page of 200 in the middle",
        quotes_url,
        {"cursor": cursor_at((bounds["low"] + bounds["high"]) // 2), "page_size": 200},
    )
    measure(f"quotes, `?case={slug}`", quotes_url, {"case": slug})
    measure("quotes, `?q=budget`", quotes_url, {"q": "budget"})

    started = time.perf_counter()
    for _ in range(repeat):
        library_last_modified()
    last_modified_ms = (time.perf_counter() - started) * 1000 / repeat

    export_result = run_export() if export else None
    load = os.getloadavg()
    vendor = connection.vendor
    version = connection.cursor().connection.server_version if vendor == "postgresql" else ""
    database = f"PostgreSQL {version // 10000}.{version % 10000}" if vendor == "postgresql" else vendor
    case_medians = [row for row in rows if row[0].startswith("cases, first page (50)")]
    quote_medians = [row for row in rows if row[0].startswith("quotes, ") and "200" not in row[0]]
    slowest_quotes = max(quote_medians, key=lambda row: row[1])
    lines = [
        SECTION,
        "",
        f"Measured {date.today().isoformat()} by `bench/api.py` ({repeat} timed requests each, after a warm-up) on "
        f"{database}, Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min, `uptime`) when done, with "
        f"{Case.objects.published().count():,} published cases and {Quote.objects.count():,} quotes "
        "(`generate_library --cases 10000 --quotes 200000`). Each figure is a whole request through Django's "
        "test client: routing, view, queries, JSON rendering and the ETag hash (throttling off: its cache "
        "queries are the limiter's, not the API's).",
        "",
    ]
    if load[0] > (os.cpu_count() or 1):
        lines += [
            f"_The machine was shared with other sessions' test runs and benchmarks while this ran (load average "
            f"{load[0]:.1f} on {os.cpu_count()} CPUs): every figure is inflated by the contention. Rerun on a "
            "quiet machine to compare with the targets._",
            "",
        ]
    lines += [
        f"**Case list p50: {case_medians[0][1]:.0f} ms wall, {case_medians[0][3]:.0f} ms of the Django process's "
        f"CPU (target under {TARGET_MS} ms). Quote list, slowest of the 50-row pages: p50 {slowest_quotes[1]:.0f} ms "
        f"wall, {slowest_quotes[3]:.0f} ms CPU (target: any page under {TARGET_MS} ms).**",
        "",
        "Wall time is what a client waits; on a shared machine it includes waiting for a core. The CPU column "
        "is the Django process's own time (the database's work is not in it), which contention inflates much less.",
        "",
        "| request | rows | median ms | p95 ms | median CPU ms |",
        "|---|---:|---:|---:|---:|",
        *(f"| {label} | {shown} | {median:.1f} | {high:.1f} | {cpu:.1f} |" for label, median, high, cpu, shown in rows),
        "",
        f"The library-wide Last-Modified averaged {last_modified_ms:.1f} ms over these calls: the first reads the tables, "
        "the others the shared cache. The ETag is a BLAKE2 hash of the rendered body.",
        "",
    ]
    if export_result:
        manifest = export_result["manifest"]
        sizes = ", ".join(f"`{name}` {info['size'] / 1e6:.1f} MB" for name, info in manifest["files"].items())
        lines += [
            f"**export_library: {export_result['seconds']:.1f} s for {manifest['tables']['cases']:,} cases and "
            f"{manifest['tables']['quotes']:,} quotes wall, {export_result['cpu_seconds']:.1f} s of its process's CPU "
            f"(target under {EXPORT_TARGET_S} s); peak RSS "
            f"{export_result['peak_rss_kb'] / 1024:.0f} MB against {export_result['baseline_rss_kb'] / 1024:.0f} MB "
            "before it started (ru_maxrss of the child process that ran nothing else).**",
            "",
            f"Files: {sizes}. The export reads every table as tuples with `.iterator(chunk_size=2000)` and writes "
            "each chunk to the SQLite file, the zipped CSV and the gzipped JSON Lines at once, so its memory is "
            "one chunk's, whatever the library's size.",
            "",
        ]
    return "\n".join(lines)


def run_export():
    with tempfile.TemporaryDirectory() as directory:
        code = EXPORT_CHILD.format(root=str(ROOT), directory=directory)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
        if result.returncode:
            raise SystemExit(result.stderr)
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"export: {outcome['seconds']:.1f} s, peak RSS {outcome['peak_rss_kb'] / 1024:.0f} MB", file=sys.stderr)
    return outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="Timed requests per row (default 15).")
    parser.add_argument("--no-export", action="store_true", help="Skip the export_library run.")
    parser.add_argument("--write", metavar="PATH", help="Replace the section in this markdown file.")
    args = parser.parse_args()
    setup()
    section = run(args.repeat, export=not args.no_export)
    print(section)
    if args.write:
        write_section(args.write, SECTION, section)


if __name__ == "__main__":
    main()
