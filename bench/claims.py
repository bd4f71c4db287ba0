"""Benchmark of the candidate quotes offered for a claim without evidence; writes its section of docs/performance.md.

Times `cases.claims.candidates` (the ranked, moment-grouped list the admin page shows) for claims
picked deterministically from the generated library, and the whole admin page of one of them
through Django's test client. Same database and data as bench/pages.py:

    .venv/bin/python bench/claims.py                 # DATABASE_URL, default postgres://…/kb_bench
    .venv/bin/python bench/claims.py --write docs/performance.md

Target (issue 12): the candidate list under 300 ms at 200,000 quotes on PostgreSQL.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date

from pages import CASES, QUOTES, SEED, p95, setup  # noqa: E402  (bench/ is the script folder)
from perfdoc import write_section  # noqa: E402

SECTION = "## Candidate quotes for a claim"
TARGET_MS = 300


def claims_to_measure(count):
    """`count` claims of published cases, challenges, success factors and summaries in turn, picked by id."""
    from cases.claims import claims_of
    from cases.models import Case, CaseChallenge, CaseSuccessFactor

    challenge_cases = CaseChallenge.objects.filter(case__status="published").order_by("pk").values("case_id")[:count]
    factor_cases = CaseSuccessFactor.objects.filter(case__status="published").order_by("pk").values("case_id")[:count]
    case_ids = sorted({row["case_id"] for row in challenge_cases} | {row["case_id"] for row in factor_cases})[:count]
    picked = []
    for case_claims in claims_of(Case.objects.filter(pk__in=case_ids)).values():
        picked.extend(case_claims)
    by_group = {}
    for claim in picked:
        by_group.setdefault(claim.group, []).append(claim)
    mixed = []
    while len(mixed) < count and any(by_group.values()):
        for group in ("challenge", "success-factor", "summary"):
            if by_group.get(group) and len(mixed) < count:
                mixed.append(by_group[group].pop(0))
    return mixed


def run(claim_count, repeat):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cases.claims import candidates, candidates_url
    from cases.models import Case, Quote

    claims = claims_to_measure(claim_count)
    load_before = os.getloadavg()
    samples, offered = [], []
    for claim in claims:
        candidates(claim)  # warm-up
        for _ in range(repeat):
            start = time.perf_counter()
            moments = candidates(claim)
            samples.append((time.perf_counter() - start) * 1000)
        offered.append(sum(len(moment.quotes) for moment in moments))
    with CaptureQueriesContext(connection) as list_queries:
        candidates(claims[0])
    user, _ = User.objects.get_or_create(username="bench-curator", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    url = candidates_url(claims[0])
    client.get(url)  # warm-up
    page = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        page.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    load_after = os.getloadavg()
    version = connection.cursor().connection.server_version
    median = statistics.median(samples)
    verdict = "met" if median < TARGET_MS else "missed"
    lines = [
        SECTION,
        "",
        f"Measured {date.today().isoformat()} by `bench/claims.py` on PostgreSQL {version // 10000}.{version % 10000}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs (nproc), load average {load_before[0]:.1f} before "
        f"and {load_after[0]:.1f} after (a machine shared with other work), with {Case.objects.count():,} cases and "
        f"{Quote.objects.count():,} quotes (`generate_library --cases {CASES} --quotes {QUOTES} --seed {SEED}`).",
        "",
        "| what | claims × runs | median ms | p95 ms | min ms | max ms | queries |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| `candidates(claim)` (ranked, grouped into moments) | {len(claims)} × {repeat} | {median:.0f} "
        f"| {p95(samples):.0f} | {min(samples):.0f} | {max(samples):.0f} | {len(list_queries)} |",
        f"| admin candidates page (`{url}`) | 1 × {repeat} | {statistics.median(page):.0f} | {p95(page):.0f} "
        f"| {min(page):.0f} | {max(page):.0f} | {len(queries)} |",
        "",
        f"Target: under {TARGET_MS} ms for the candidate list: {verdict} (median). Each claim offered "
        f"{min(offered)}–{max(offered)} quotes. How: the candidates come from the search index of `cases/search` "
        "(the entries' tsvectors, `kb_search` configuration; no column of the quotes' own). One query counts the "
        "index entries holding each of the claim's words (a range scan of the index's word table per word); "
        "a second takes at most 400 quotes of the sources the case already cites holding any claim word and at "
        "most 400 of the library holding its rarest words (taken rarest first while they hold under 3,000 "
        "entries, GIN index, unordered), ranks that pool with `ts_rank` on the vectors it has just read (claim "
        "words twice, case words once), the case's sources first, and keeps the best 60; they are loaded in "
        "one more query and grouped into moments (same source, within 30 s) in Python.",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    return section


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=12, help="How many claims to measure (default 12).")
    parser.add_argument("--repeat", type=int, default=5, help="Runs per claim (default 5).")
    parser.add_argument(
        "--write", metavar="PATH", help="Replace this benchmark's section of PATH (docs/performance.md)."
    )
    args = parser.parse_args()
    setup()
    section = run(args.claims, args.repeat)
    if args.write:
        write_section(args.write, SECTION, section)
        print(f"Wrote {SECTION!r} to {args.write}.", file=sys.stderr)


if __name__ == "__main__":
    main()
