"""Load test: gunicorn on PostgreSQL with the generated 10,000-case library, a mixed workload from
concurrent clients on loopback; then the same with a gunicorn worker killed mid-load.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench     # the default
    .venv/bin/python bench/load.py --write docs/performance.md

It migrates the database and runs `generate_library --cases 10000 --quotes 200000 --seed 1` when
the library holds fewer published cases than asked for, collects static files into a temporary
folder, starts gunicorn on 127.0.0.1 (port 8115 by default), and stops it when done. Every request
goes to that loopback address only; each phase is bounded in time.

Phase 1 (steady): the clients send requests back to back for --duration seconds; any error
(a status other than 200, a refused or cut connection) fails the run.
Phase 2 (worker killed): the same load for --kill-duration seconds; one gunicorn worker is
SIGKILLed in the middle; gunicorn replaces it. At most the request that worker was answering may
fail: more fails the run.
Phase 3 (heavy client): for --heavy-duration seconds one client loops on the full exports
in --heavy-loops parallel loops
(/cases.json, /cases.csv) while the others browse (case browser, case pages, lists); reported:
the browsers' latencies (p95) and how many of the heavy client's requests the rate limit
answered 429. A browser's request that is not a 200 fails the run.

Compare mode (--base-checkout PATH --base-database-url URL): the steady workload against two
servers in turn, this checkout's and another checkout's (e.g. a `git worktree` of the previous
commit) on its own database, each gunicorn with the same settings. --rounds rounds of one
--phase-duration phase per server, in alternating order (base first, then this one first, ...),
the same seed for both servers within a round; reported: each server's requests per second and
latencies over all its phases, and the ratio of this checkout's throughput to the base's. Only
filter values and cases present (published) in both libraries are asked for. Any error fails the run.

    .venv/bin/python bench/load.py --base-checkout ../wt-loadbase \
        --base-database-url postgres://postgres@127.0.0.1:5432/kb_bench_loadbase --workers 5

The server runs with PROXY_COUNT=1 and each request names its client in X-Forwarded-For, so the
per-address rate limits see many visitors (a loopback address 127.1.x.y per request in phases 1
and 2, one fixed address for the heavy client); every request still goes to 127.0.0.1.
"""

import argparse
import http.client
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
from perfdoc import write_section  # noqa: E402  (bench/ is the script folder)

SECTION = "## Load test"
HEAVY_SECTION = "## Load test: a heavy client on the exports"
HOST = "127.0.0.1"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kb_bench")
    )
    parser.add_argument("--port", type=int, default=8115)
    parser.add_argument("--workers", type=int, default=min(2 * (os.cpu_count() or 1) + 1, 12))
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients (threads).")
    parser.add_argument("--duration", type=float, default=30, help="Seconds of steady load.")
    parser.add_argument("--kill-duration", type=float, default=15, help="Seconds of load around the kill.")
    parser.add_argument(
        "--heavy-duration",
        type=float,
        default=20,
        help="Seconds of one client looping on exports while the others browse.",
    )
    parser.add_argument("--heavy-loops", type=int, default=3, help="Parallel loops of the heavy client.")
    parser.add_argument("--only-heavy", action="store_true", help="Run the heavy-client phase only.")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--quotes", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", type=Path, help="Write the results as the '## Load test' section of this file.")
    parser.add_argument("--base-checkout", type=Path, help="Compare mode: the other checkout to serve (see above).")
    parser.add_argument("--base-database-url", help="Compare mode: the other checkout's database (its own library).")
    parser.add_argument("--rounds", type=int, default=3, help="Compare mode: rounds of one phase per server.")
    parser.add_argument("--phase-duration", type=float, default=20, help="Compare mode: seconds per phase.")
    return parser.parse_args()


# -- preparing the database and the server ----------------------------------------------------------


def server_environment(arguments, static_root):
    return {
        **os.environ,
        "DATABASE_URL": arguments.database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret-" + "x" * 40),
        "ALLOWED_HOSTS": HOST,
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "ERROR",
        "PROXY_COUNT": "1",  # the clients name themselves in X-Forwarded-For (see the module docstring)
    }


def manage(environment, *arguments, root=ROOT):
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=root, env=environment, check=True)


def setup_django(environment):
    os.environ.update(
        {name: environment[name] for name in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC_ROOT")}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_library(arguments, environment):
    manage(environment, "migrate", "--noinput", "--verbosity", "0")
    setup_django(environment)
    from django.db import connection

    from cases.models import Case, Quote

    if connection.vendor != "postgresql":
        sys.exit("The load test runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    if Case.objects.count() < arguments.cases or Quote.objects.count() < arguments.quotes:
        print(f"Generating the library ({arguments.cases:,} cases, {arguments.quotes:,} quotes)…", flush=True)
        manage(
            environment,
            "generate_library",
            "--cases",
            str(arguments.cases),
            "--quotes",
            str(arguments.quotes),
            "--seed",
            str(arguments.seed),
            "--clear",
            "--force",
        )
    cases, quotes = Case.objects.published().count(), Quote.objects.count()
    connection.close()
    return cases, quotes


WORDS = [
    "budget",
    "testbed",
    "prize",
    "health",
    "data",
    "cities",
    "space food",
    "sandbox",
    "climate",
    "feedback loops",
    "governance",
    "pilot",
]


def workload_values():
    """Slugs and filter values the workload picks from, read from the library."""
    from django.db import connection

    from cases.models import Approach, Case, Country, Theme

    published = Case.objects.published()
    values = {
        "cases": list(published.values_list("slug", flat=True).order_by("?")[:2000]),
        "countries": [
            code.lower()
            for code in Country.objects.filter(cases__status="published").values_list("code", flat=True).distinct()
        ],
        "themes": list(Theme.objects.filter(cases__status="published").values_list("slug", flat=True).distinct()),
        "approaches": list(
            Approach.objects.filter(cases__status="published").values_list("slug", flat=True).distinct()
        ),
        "words": WORDS,
    }
    connection.close()
    return values


def start_gunicorn(arguments, environment, log, root=ROOT, port=None):
    """gunicorn serving the checkout at `root` on `port` (default --port), once every worker is up."""
    port = port or arguments.port
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--chdir",
        str(root),
        "kb.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(arguments.workers),
        "--timeout",
        "30",
        "--graceful-timeout",
        "20",
        "--error-logfile",
        "-",
    ]
    # The log goes to a file: an unread pipe would fill up and stall the workers.
    server = subprocess.Popen(
        command, cwd=root, env=environment, start_new_session=True, stdout=subprocess.DEVNULL, stderr=log
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited: {Path(log.name).read_text()[-2000:]}")
        try:
            if request(port, "/healthz")[0] == 200 and len(worker_pids(server.pid)) == arguments.workers:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    sys.exit("gunicorn did not answer /healthz within 60 s.")


def stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def worker_pids(master_pid):
    """The gunicorn workers: the master's child processes."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids


# -- the clients --------------------------------------------------------------------------------------


def request(port, path, timeout=30, client="127.0.0.1"):
    """One GET on a new connection (gunicorn's sync workers close each one): (status, body bytes).

    `client` is the address the request says it comes from (X-Forwarded-For; the server trusts one
    proxy): a header only, the connection is always to HOST.
    """
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Host": HOST, "Accept-Encoding": "identity", "X-Forwarded-For": client}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, body
    finally:
        connection.close()


def visitor_address(rng):
    """A loopback address standing for one of many visitors (X-Forwarded-For only)."""
    return f"127.1.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


BROWSE_WEIGHTS = {"browser": 30, "case": 35, "other": 10}


# "Page 2 of 14" under a case list (the current and the earlier templates alike); none: one page.
PAGE_OF = re.compile(rb"Page (\d+) of ([\d,]+)")


class BrowserTrail:
    """Where a client is in the case browser: the filters of the last list it saw, its page and
    how many pages that list has (read from the page itself). A client asks for a later page only
    by following the list's own "Next" link, so it never asks for a page past the end (which
    answers 404 by the one page policy, cases/views/paging.py)."""

    def __init__(self):
        self.filters, self.page, self.pages = None, 1, 1

    def next_page(self):
        """The page the list's "Next" link leads to, or None (no list seen yet, or its last page)."""
        return self.page + 1 if self.filters is not None and self.page < self.pages else None

    def saw(self, filters, page, body):
        found = PAGE_OF.search(body)
        self.filters, self.page = filters, page
        self.pages = int(found.group(2).replace(b",", b"")) if found else 1


def next_request(rng, values, weights=None, trail=None):
    """(kind, path, browsed) of the mixed workload: what visitors and crawlers do most. `browsed`
    is (filters, page) for a case browser request (for the client's BrowserTrail), else None."""
    weights = weights or {"browser": 30, "case": 35, "search": 20, "csv": 5, "other": 10}
    kind = rng.choices(list(weights), weights=list(weights.values()))[0]
    if kind == "browser":
        following = rng.random() < 0.3  # drawn always, so the draws after it do not depend on the server
        page = trail.next_page() if following and trail is not None else None
        if page is not None:
            filters = trail.filters
        else:
            page, filters = 1, []
            for name, key in (("countries", "country"), ("themes", "theme"), ("approaches", "approach")):
                if values[name] and rng.random() < 0.5:
                    filters.append((key, rng.choice(values[name])))
            if rng.random() < 0.3:
                filters.append(("year_from", str(rng.randint(2000, 2020))))
            if rng.random() < 0.3:
                filters.append(("sort", rng.choice(["title", "-year", "year", "-updated"])))
        query = filters + ([("page", str(page))] if page > 1 else [])
        return kind, "/cases/" + ("?" + urlencode(query) if query else ""), (filters, page)
    if kind == "case":
        return kind, f"/cases/{rng.choice(values['cases'])}/", None
    if kind == "search":
        return kind, "/search/?" + urlencode({"q": rng.choice(values["words"])}), None
    if kind == "csv":
        filters = [("country", rng.choice(values["countries"]))]
        if values["themes"]:
            filters.append(("theme", rng.choice(values["themes"])))
        return kind, "/cases.csv?" + urlencode(filters), None
    return (
        kind,
        rng.choice(
            ["/", "/challenges/", "/success-factors/", "/countries/", f"/quotes/?case={rng.choice(values['cases'])}"]
        ),
        None,
    )


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = []  # (seconds since start, kind, path, what)
        self.count = 0

    def record(self, kind, seconds):
        with self.lock:
            self.latencies[kind].append(seconds)
            self.count += 1

    def fail(self, at, kind, path, what):
        with self.lock:
            self.errors.append((at, kind, path, what))
            self.count += 1


def run_clients(arguments, values, duration, results, seed, clients=None, weights=None, port=None):
    """Start the clients (threads) sending the mixed workload to `port` (default --port) for
    `duration` seconds; returns (start time, threads). Client n draws from Random(seed * 1000 + n),
    so the same seed sends the same requests (up to the pages each list has)."""
    started = time.monotonic()
    stop_at = started + duration
    port = port or arguments.port

    def client(number):
        rng = random.Random(seed * 1000 + number)
        trail = BrowserTrail()
        while time.monotonic() < stop_at:
            kind, path, browsed = next_request(rng, values, weights, trail)
            begun = time.monotonic()
            try:
                status, body = request(port, path, client=visitor_address(rng))
            except (OSError, http.client.HTTPException) as error:
                results.fail(begun - started, kind, path, f"{type(error).__name__}: {error}")
                continue
            if status != 200:
                results.fail(begun - started, kind, path, f"HTTP {status}")
            else:
                results.record(kind, time.monotonic() - begun)
                if browsed is not None:
                    trail.saw(*browsed, body)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients or arguments.clients)]
    for thread in threads:
        thread.start()
    return started, threads


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def summary(results, elapsed):
    rows = []
    for kind in ["browser", "case", "search", "csv", "other", "all"]:
        samples = sorted(
            [value for values in results.latencies.values() for value in values]
            if kind == "all"
            else results.latencies.get(kind, [])
        )
        if not samples:
            continue
        rows.append(
            {
                "kind": kind,
                "requests": len(samples),
                "rps": len(samples) / elapsed,
                "p50": percentile(samples, 0.50) * 1000,
                "p95": percentile(samples, 0.95) * 1000,
                "p99": percentile(samples, 0.99) * 1000,
                "mean": statistics.fmean(samples) * 1000,
            }
        )
    return rows


# -- the two phases -----------------------------------------------------------------------------------


def steady_phase(arguments, values):
    results = Results()
    started, threads = run_clients(arguments, values, arguments.duration, results, seed=1)
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def kill_phase(arguments, values, server):
    results = Results()
    started, threads = run_clients(arguments, values, arguments.kill_duration, results, seed=2)
    time.sleep(arguments.kill_duration / 2)
    before = worker_pids(server.pid)
    victim = before[0]
    killed_at = time.monotonic() - started
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = worker_pids(server.pid)
    return (
        results,
        elapsed,
        {
            "victim": victim,
            "killed_at": killed_at,
            "workers_before": len(before),
            "workers_after": len(after),
            "replaced": victim not in after and len(after) == len(before),
        },
    )


HEAVY_CLIENT = "127.2.0.1"
HEAVY_PATHS = ["/cases.json", "/cases.csv"]


def heavy_phase(arguments, values):
    """One client loops on the full exports from one address while the others browse.

    Returns (browse Results, elapsed seconds, {status: count} of the heavy client's answers,
    the heavy client's 200 latencies in seconds)."""
    browse = Results()
    heavy_statuses = defaultdict(int)
    heavy_latencies = []
    started, threads = run_clients(
        arguments,
        values,
        arguments.heavy_duration,
        browse,
        seed=3,
        clients=max(1, arguments.clients - 1),
        weights=BROWSE_WEIGHTS,
    )
    stop_at = started + arguments.heavy_duration
    lock = threading.Lock()

    def heavy_loop(loop):
        number = loop
        while time.monotonic() < stop_at:
            path = HEAVY_PATHS[number % len(HEAVY_PATHS)]
            number += 1
            begun = time.monotonic()
            try:
                status, _ = request(arguments.port, path, timeout=60, client=HEAVY_CLIENT)
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
            with lock:
                heavy_statuses[status] += 1
                if status == 200:
                    heavy_latencies.append(time.monotonic() - begun)
            if status == 429:
                time.sleep(0.05)  # a client that ignores Retry-After, but not a busy loop

    loops = [threading.Thread(target=heavy_loop, args=(loop,)) for loop in range(arguments.heavy_loops)]
    for thread in loops:
        thread.start()
    for thread in [*threads, *loops]:
        thread.join()
    return browse, time.monotonic() - started, dict(heavy_statuses), heavy_latencies


def heavy_report(arguments, heavy, load_after):
    browse, elapsed, statuses, latencies = heavy
    rows = summary(browse, elapsed)
    overall = rows[-1] if rows else None
    limited = statuses.get(429, 0)
    served = statuses.get(200, 0)
    lines = [
        f"### One heavy client on the exports, {arguments.heavy_duration:.0f} s",
        "",
        f"One client loops on the full exports (`/cases.json`, `/cases.csv`, all published cases) in "
        f"{arguments.heavy_loops} parallel loops from one address while {max(1, arguments.clients - 1)} others browse (case browser, case pages, lists) from many. "
        f"The app limits exports to `RATE_LIMIT_EXPORT` ({os.environ.get('RATE_LIMIT_EXPORT', '10/m')}) per address.",
        "",
        "| browse requests | count | requests/s | p50 ms | p95 ms | p99 ms | mean ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['kind']} | {row['requests']:,} | {row['rps']:.1f} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['mean']:.0f} |"
        )
    heavy_mean = f"{statistics.fmean(latencies) * 1000:.0f} ms each" if latencies else "none"
    lines += [
        "",
        f"Browse p95: **{overall['p95']:.0f} ms** over {overall['requests']:,} requests; "
        f"browse errors: **{len(browse.errors)}**. "
        if overall
        else "No browse request finished. ",
        f"The heavy client sent {sum(statuses.values()):,} requests: {served} exports served ({heavy_mean}), "
        f"**{limited} answered 429** (Retry-After), others: "
        f"{ {key: value for key, value in statuses.items() if key not in (200, 429)} or 'none' }. "
        f"Load average at the end: {', '.join(f'{value:.1f}' for value in load_after)} on {os.cpu_count()} cores.",
    ]
    for at, kind, path, what in browse.errors[:10]:
        lines.append(f"- at {at:.2f} s, {kind} `{path}`: {what}")
    if load_after[0] > (os.cpu_count() or 1) / 2:
        lines += [
            "",
            f"Other work shared the machine (load average {load_after[0]:.1f} on {os.cpu_count()} cores): "
            "the latencies are inflated by it; compare the browse p95 with the steady phase's measured "
            "under the same conditions, not with an idle machine.",
        ]
    return lines


# -- report -------------------------------------------------------------------------------------------


def machine():
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    cpu = platform.processor() or "unknown CPU"
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, load average {load} at the end"


def postgres_version():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return version.split()[0]


def heavy_section(arguments, library, heavy, load_after):
    """The '## Load test: a heavy client' section: the browse latencies while one client loops on exports."""
    cases, quotes = library
    lines = [
        HEAVY_SECTION,
        "",
        f"`bench/load.py`, {date.today().isoformat()}: gunicorn ({arguments.workers} sync workers) on "
        f"PostgreSQL {postgres_version()}, the generated library ({arguments.cases:,} cases of which {cases:,} "
        f"published, {quotes:,} quotes), on loopback: {machine()}.",
        "",
        *heavy_report(arguments, heavy, load_after),
        "",
        "Run it: `DATABASE_URL=postgres://…/kb_bench .venv/bin/python bench/load.py --only-heavy "
        "--write docs/performance.md` (without `--only-heavy`, after the two phases above).",
        "",
    ]
    return "\n".join(lines)


def report(arguments, library, steady, kill, load_before):
    cases, quotes = library
    (steady_results, steady_elapsed), (kill_results, _kill_elapsed, kill_info) = steady, kill
    lines = [
        SECTION,
        "",
        f"`bench/load.py`, {date.today().isoformat()}: gunicorn ({arguments.workers} sync workers) on "
        f"PostgreSQL {postgres_version()}, the generated library ({arguments.cases:,} cases of which {cases:,} published, "
        f"{quotes:,} quotes), {arguments.clients} concurrent clients on loopback (a new connection per request, "
        f"as gunicorn's sync workers close each one), client and server on the same machine: "
        f"{machine()}.",
        "",
        "Workload (weights): case browser with random country/theme/approach/year filters and sort, "
        "and in 30% of them the next page of the client's last list when it has one, following its "
        "own link (30), case pages (35), search `/search/?q=` (20), CSV export of a "
        "country-and-theme filtered set (5), home, challenges, success factors, countries, "
        "quotes of a case (10).",
        "",
        f"### Steady load, {arguments.duration:.0f} s",
        "",
        "| requests | count | requests/s | p50 ms | p95 ms | p99 ms | mean ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary(steady_results, steady_elapsed):
        lines.append(
            f"| {row['kind']} | {row['requests']:,} | {row['rps']:.1f} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['mean']:.0f} |"
        )
    overall = summary(steady_results, steady_elapsed)[-1]
    lines += [
        "",
        f"With {arguments.clients} clients sending back to back on {os.cpu_count()} cores the server is "
        f"saturated: {overall['rps']:.1f} requests/s is its throughput, and the latency is mostly "
        f"queueing ({arguments.clients} clients ÷ {overall['rps']:.1f}/s ≈ "
        f"{arguments.clients / overall['rps'] * 1000:.0f} ms); the time of a single request "
        "is in the sections above.",
    ]
    if load_before > (os.cpu_count() or 1) / 2:
        lines += [
            "",
            f"Other work shared the machine (load average {load_before:.1f} on {os.cpu_count()} cores "
            "just before the run): the latencies are inflated by it, not only by the workload.",
        ]
    lines += [
        "",
        f"Errors: **{len(steady_results.errors)}** of {steady_results.count:,} requests (zero required).",
        "",
        f"### A worker killed mid-load, {arguments.kill_duration:.0f} s",
        "",
        f"At {kill_info['killed_at']:.1f} s one of the {kill_info['workers_before']} workers got SIGKILL; "
        f"gunicorn {'replaced it' if kill_info['replaced'] else 'did NOT replace it'} "
        f"({kill_info['workers_after']} workers at the end). "
        f"{kill_results.count:,} requests, {len(kill_results.errors)} failed "
        f"(at most 1 allowed: the request the killed worker was answering).",
    ]
    for at, kind, path, what in kill_results.errors:
        lines.append(f"- at {at:.2f} s, {kind} `{path}`: {what}")
    lines += [
        "",
        "Run it: `DATABASE_URL=postgres://…/kb_bench .venv/bin/python bench/load.py --write docs/performance.md`.",
        "",
    ]
    return "\n".join(lines)


# -- compare mode: this checkout against another, in one run -----------------------------------------

COMPARE_SECTION = "## Load test: this commit against the previous one"


def library_values(database_url):
    """The workload's values (as workload_values) read with plain SQL, so that a checkout with
    another schema version can be read too: published case slugs, and the countries, themes and
    approaches of published cases."""
    import psycopg2

    published = "SELECT id FROM cases_case WHERE status = 'published'"
    queries = {
        "cases": f"SELECT slug FROM cases_case WHERE id IN ({published})",
        "countries": f"SELECT DISTINCT lower(country_id) FROM cases_case_countries WHERE case_id IN ({published})",
        "themes": "SELECT DISTINCT t.slug FROM cases_theme t JOIN cases_case_themes l ON l.theme_id = t.id "
        f"WHERE l.case_id IN ({published})",
        "approaches": "SELECT DISTINCT a.slug FROM cases_approach a JOIN cases_case_approaches l "
        f"ON l.approach_id = a.id WHERE l.case_id IN ({published})",
    }
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            values = {}
            for name, query in queries.items():
                cursor.execute(query)
                values[name] = {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()
    return values


def shared_values(arguments):
    """The workload's values present in both libraries (a case page or filter value that one of
    them lacks would answer 404 or a notice there), in a fixed order; 2,000 case slugs at most."""
    this, base = library_values(arguments.database_url), library_values(arguments.base_database_url)
    values = {name: sorted(this[name] & base[name]) for name in this}
    values["cases"] = sorted(random.Random(arguments.seed).sample(values["cases"], min(2000, len(values["cases"]))))
    values["words"] = WORDS
    return values


def compare_phases(arguments, values, ports):
    """--rounds rounds; in each, one --phase-duration phase per server (order alternating), the
    same seed for both. Returns {name: (Results, seconds of load)}."""
    totals = {name: (Results(), 0.0) for name in ports}
    for round_number in range(arguments.rounds):
        order = list(ports) if round_number % 2 == 0 else list(reversed(ports))
        for name in order:
            results, elapsed = totals[name]
            print(f"Round {round_number + 1}: {name}, {arguments.phase_duration:.0f} s…", flush=True)
            started, threads = run_clients(
                arguments, values, arguments.phase_duration, results, seed=100 + round_number, port=ports[name]
            )
            for thread in threads:
                thread.join()
            totals[name] = (results, elapsed + time.monotonic() - started)
    return totals


def compare_section(arguments, totals, load_before, load_after):
    base_rows = summary(*totals["base"])
    this_rows = summary(*totals["this"])
    base, this = base_rows[-1], this_rows[-1]
    ratio = this["rps"] / base["rps"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=arguments.base_checkout, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        COMPARE_SECTION,
        "",
        f"`bench/load.py --base-checkout`, {date.today().isoformat()}: two gunicorns ({arguments.workers} sync "
        f"workers each) on PostgreSQL {postgres_version()}, served in turn: the base checkout (commit {commit}, "
        f"its own generated library) and this one, {arguments.rounds} rounds of {arguments.phase_duration:.0f} s "
        f"per server in alternating order, {arguments.clients} concurrent clients, the steady workload (case "
        f"browser 30, case pages 35, search 20, CSV 5, other 10) over values both libraries hold: {machine()}; "
        f"load average {load_before:.1f} before.",
        "",
        "| server | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in (("base", base), ("this", this)):
        lines.append(
            f"| {name} | {row['requests']:,} | {row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} | "
            f"{row['p99']:.0f} | {len(totals[name][0].errors)} |"
        )
    lines += [
        "",
        f"**Ratio (this ÷ base requests per second): {ratio:.2f}×** (issue 20 asks for at least 2×). "
        f"Load average at the end: {', '.join(f'{value:.1f}' for value in load_after)}.",
        "",
        "| kind | base p50 ms | this p50 ms | base requests/s | this requests/s |",
        "|---|---:|---:|---:|---:|",
    ]
    by_kind = {row["kind"]: row for row in this_rows}
    for row in base_rows[:-1]:
        other = by_kind.get(row["kind"])
        if other:
            lines.append(
                f"| {row['kind']} | {row['p50']:.0f} | {other['p50']:.0f} | {row['rps']:.1f} | {other['rps']:.1f} |"
            )
    for name in totals:
        for at, kind, path, what in totals[name][0].errors[:10]:
            lines.append(f"- {name}, at {at:.2f} s, {kind} `{path}`: {what}")
    lines.append("")
    return "\n".join(lines)


def compare_main(arguments):
    """Compare mode (see the module docstring); exits 1 on any error."""
    if not arguments.base_database_url:
        sys.exit("--base-checkout needs --base-database-url (the base checkout's own database).")
    base_root = arguments.base_checkout.resolve()
    load_before = os.getloadavg()[0]
    static_roots = {name: Path(tempfile.mkdtemp(prefix=f"kb-load-static-{name}-")) for name in ("this", "base")}
    environments = {
        "this": server_environment(arguments, static_roots["this"]),
        "base": {**server_environment(arguments, static_roots["base"]), "DATABASE_URL": arguments.base_database_url},
    }
    roots = {"this": ROOT, "base": base_root}
    for name, root in roots.items():  # each server imports its own checkout's code
        environments[name]["PYTHONPATH"] = str(root)
    ports = {"base": arguments.port + 1, "this": arguments.port}
    servers, logs = {}, {}
    try:
        prepare_library(arguments, environments["this"])
        manage(environments["base"], "migrate", "--noinput", "--verbosity", "0", root=base_root)
        values = shared_values(arguments)
        for name in ports:
            manage(environments[name], "collectstatic", "--noinput", "--verbosity", "0", root=roots[name])
            logs[name] = tempfile.NamedTemporaryFile(prefix=f"kb-load-{name}-", suffix=".log", delete=False)
            servers[name] = start_gunicorn(
                arguments, environments[name], logs[name], root=roots[name], port=ports[name]
            )
            for _ in range(20):  # warm every worker up
                request(ports[name], "/cases/")
        totals = compare_phases(arguments, values, ports)
        load_after = os.getloadavg()
    finally:
        for server in servers.values():
            stop(server)
        for root in static_roots.values():
            shutil.rmtree(root, ignore_errors=True)
    section = compare_section(arguments, totals, load_before, load_after)
    print(section)
    if arguments.write:
        write_section(arguments.write, COMPARE_SECTION, section)
    failed = any(results.errors for results, _ in totals.values())
    for name, log in logs.items():
        log.close()
        if failed:
            print(f"gunicorn's log ({name}): {log.name}", file=sys.stderr)
        else:
            os.unlink(log.name)
    sys.exit(1 if failed else 0)


def main():
    arguments = parse_arguments()
    if arguments.base_checkout:
        compare_main(arguments)
    load_before = os.getloadavg()[0]
    static_root = Path(tempfile.mkdtemp(prefix="kb-load-static-"))
    environment = server_environment(arguments, static_root)
    try:
        library = prepare_library(arguments, environment)
        values = workload_values()
        manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
        log = tempfile.NamedTemporaryFile(prefix="kb-load-gunicorn-", suffix=".log", delete=False)
        server = start_gunicorn(arguments, environment, log)
        try:
            for _ in range(20):  # warm every worker up
                request(arguments.port, "/cases/")
            steady = kill = None
            if not arguments.only_heavy:
                print(f"Steady load: {arguments.clients} clients, {arguments.duration:.0f} s…", flush=True)
                steady = steady_phase(arguments, values)
                print(f"Killing a worker mid-load ({arguments.kill_duration:.0f} s)…", flush=True)
                kill = kill_phase(arguments, values, server)
            print(f"One heavy client on the exports, {arguments.heavy_duration:.0f} s…", flush=True)
            heavy = heavy_phase(arguments, values)
            load_after = os.getloadavg()
        finally:
            stop(server)
            log.close()
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    sections = {HEAVY_SECTION: heavy_section(arguments, library, heavy, load_after)}
    if steady:
        sections = {SECTION: report(arguments, library, steady, kill, load_before), **sections}
    for heading, text in sections.items():
        print(text)
        if arguments.write:
            write_section(arguments.write, heading, text)
    for at, kind, path, what in (steady[0].errors if steady else [])[:20]:
        print(f"steady error at {at:.2f} s, {kind} {path}: {what}", file=sys.stderr)
    failed = bool(heavy[0].errors)
    if steady:
        failed = failed or bool(steady[0].errors) or len(kill[0].errors) > 1 or not kill[2]["replaced"]
    if failed:
        print(f"gunicorn's log: {log.name}", file=sys.stderr)
    else:
        os.unlink(log.name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
