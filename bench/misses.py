"""The miss of the cached pages: each URL asked for once with the cache off (what a URL not seen
under the current library version costs), CPU time of this process and wall time, median per kind.

    DATABASE_URL=postgres://…/kb_bench_copy .venv/bin/python bench/misses.py            # this checkout
    DATABASE_URL=postgres://…/kb_bench_copy .venv/bin/python bench/misses.py --checkout ../base

`--checkout` measures another checkout of the project (e.g. `git archive COMMIT | tar -x -C DIR`)
on the same database and interpreter, so before and after run side by side; run them in
alternation, and give the load average with the figures (the machine is shared). Kinds: case
pages of random published cases and of the 20 most-quoted ones, `/quotes/` (first page, random
pages, the last page, `?case=` random cases) and `/search/?q=` a word of the load test's. Through
Django's test client (no HTTP server), the same URLs for every run (`--seed`).
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

WORDS = ["budget", "testbed", "prize", "health", "data", "pilot", "procurement", "energy", "mobility", "citizens"]
QUOTES_PER_PAGE = 50


def setup(checkout):
    sys.path.insert(0, str(checkout))
    os.chdir(checkout)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["CACHE_BACKEND"] = "dummy"  # every request a miss
    os.environ["RATELIMIT_ENABLE"] = "0"  # every request comes from one address
    warnings.filterwarnings("ignore", message="No directory at")
    import django
    from django.conf import settings

    # Static paths without a collected manifest, as the tests serve them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()


def urls_by_kind(count, seed):
    """{kind: [URL]} read from the database with plain SQL (both checkouts' schemas hold it)."""
    from django.db import connection

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT slug FROM cases_case WHERE status = 'published' ORDER BY id")
        slugs = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.slug FROM cases_case c JOIN cases_quote_cases qc ON qc.case_id = c.id "
            "WHERE c.status = 'published' GROUP BY c.slug ORDER BY count(*) DESC, c.slug LIMIT 20"
        )
        most_quoted = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM cases_quote")
        last_page = max(1, -(-cursor.fetchone()[0] // QUOTES_PER_PAGE))
    return {
        "case page": [f"/cases/{slug}/" for slug in rng.sample(slugs, count)],
        "case page, most quoted": [f"/cases/{slug}/" for slug in most_quoted],
        "/quotes/": ["/quotes/"] * 10,
        "/quotes/?page=random": [f"/quotes/?page={rng.randint(1, last_page)}" for _ in range(count)],
        "/quotes/?page=last": [f"/quotes/?page={last_page}"] * 10,
        "/quotes/?case=random": [f"/quotes/?case={slug}" for slug in rng.sample(slugs, count)],
        "/search/?q=word": [f"/search/?q={rng.choice(WORDS)}" for _ in range(count)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--count", type=int, default=40, help="random URLs per kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup(args.checkout.resolve())
    from django.test import Client

    client = Client()
    kinds = urls_by_kind(args.count, args.seed)
    for urls in kinds.values():  # warm-up: imports, templates, connections
        client.get(urls[0])
    print(f"{args.checkout.resolve().name}: miss, median of each kind (CPU of this process; wall)")
    for kind, urls in kinds.items():
        cpu, wall = [], []
        for url in urls:
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            response = client.get(url)
            cpu.append((time.process_time() - cpu_start) * 1000)
            wall.append((time.perf_counter() - wall_start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        print(
            f"  {kind:24s} CPU {statistics.median(cpu):6.1f} ms  wall {statistics.median(wall):6.1f} ms"
            f"  ({len(urls)} URLs, load {os.getloadavg()[0]:.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
