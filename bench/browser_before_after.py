"""The case browser's figures of bench/pages.py for two checkouts side by side, in one run.

Each side is a checkout (its own code and bench/pages.py) with its own database; the sides run in
turn, round after round, so both see the same load. A side is measured in a child process that
imports that checkout's `bench/pages.py` (`setup()`, `pages()`, `measure()`) and prints JSON.

    git worktree add /tmp/base f9e34c4
    .venv/bin/python bench/browser_before_after.py \\
        --before /tmp/base postgres://…/kb_bench_base --after . postgres://…/kb_bench [--rounds 2] [--repeat 15]

Prints each page's median (of the rounds' medians) before and after, wall clock and CPU time of
the process (which the other load on the machine inflates least), with the load average: the case
browser's pages of bench/pages.py, then the pages with a chart or the network (--lists).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

# Pages given a chart or the partner network by issue 17 (their aggregates are remembered under the
# library version: the warm-up request computes them, the timed ones read the version).
LIST_PAGES = ["/challenges/", "/success-factors/", "/countries/", "/"]

CHILD = """
import json, os, statistics, sys, time
root, repeat, lists = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sys.path.insert(0, os.path.join(root, "bench")); sys.path.insert(0, root); os.chdir(root)
import pages
pages.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, rows, load = Client(), [], os.getloadavg()[0]

def timed(url):
    # Wall and CPU time (process_time: what contention inflates least) of each request.
    pages.fetch(client, url)  # warm-up (a remembered aggregate is computed here)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        pages.fetch(client, url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        pages.fetch(client, url)
    return wall, cpu, len(queries)

measured = [(label, url, shows) for label, url, shows in pages.pages() if label.startswith("case browser")]
measured += [(f"list {url}", url, "") for url in lists]
for label, url, shows in measured:
    samples, cpu, queries = timed(url)
    rows.append({"label": label, "url": url, "shows": shows, "median": statistics.median(samples),
                 "p95": pages.p95(samples), "cpu": statistics.median(cpu), "queries": queries})
print(json.dumps({"load": [load, os.getloadavg()[0]], "rows": rows}))
"""


def measure(root, database_url, repeat, lists=()):
    """One side's browser figures, measured in a child process with that checkout on its path."""
    root = str(Path(root).resolve())
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": root,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "ALLOWED_HOSTS": "testserver",
    }
    output = subprocess.run(
        [sys.executable, "-c", CHILD, root, str(repeat), *lists],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", nargs=2, metavar=("CHECKOUT", "DATABASE_URL"), required=True)
    parser.add_argument("--after", nargs=2, metavar=("CHECKOUT", "DATABASE_URL"), required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=15, help="Timed requests per page and round (default 15).")
    parser.add_argument(
        "--lists",
        nargs="*",
        default=LIST_PAGES,
        help="Other pages measured the same way (default: the pages with a chart or the network, issue 17).",
    )
    args = parser.parse_args()
    runs = {"before": [], "after": []}
    for round_number in range(1, args.rounds + 1):
        for side in ("before", "after"):
            run = measure(*getattr(args, side), args.repeat, args.lists)
            runs[side].append(run)
            print(
                f"round {round_number} {side}: load {run['load'][0]:.1f}–{run['load'][1]:.1f}, medians "
                + ", ".join(f"{row['median']:.0f}" for row in run["rows"]),
                file=sys.stderr,
            )

    def median_of(side, label, key="median"):
        return statistics.median(row[key] for run in runs[side] for row in run["rows"] if row["label"] == label)

    print(
        "| page | URL | shows | before median ms | after median ms | change ms | before p95 | after p95 "
        "| before CPU ms | after CPU ms | queries |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in runs["before"][0]["rows"]:
        label = row["label"]
        after_queries = next(r["queries"] for r in runs["after"][0]["rows"] if r["label"] == label)
        before, after = median_of("before", label), median_of("after", label)
        print(
            f"| {label} | `{row['url']}` | {row['shows']} | {before:.0f} | {after:.0f} | {after - before:+.0f} "
            f"| {median_of('before', label, 'p95'):.0f} | {median_of('after', label, 'p95'):.0f} "
            f"| {median_of('before', label, 'cpu'):.0f} | {median_of('after', label, 'cpu'):.0f} "
            f"| {row['queries']} → {after_queries} |"
        )
    loads = [value for side in runs.values() for run in side for value in run["load"]]
    print(f"\nLoad average {min(loads):.1f}–{max(loads):.1f}.")


if __name__ == "__main__":
    main()
