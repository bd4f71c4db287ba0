"""Benchmark of curation at scale: a bulk transition from the case changelist, and the evidence
picker; writes its section of docs/performance.md.

Every timing is a whole request through Django's test client, one process. It fills the database
named by DATABASE_URL inside a transaction it rolls back at the end, so use a scratch database:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_bench
    DEBUG=1 .venv/bin/python manage.py migrate
    .venv/bin/python bench/curation.py --write docs/performance.md

Targets (issue 14): publishing 1,000 cases with 300 evidence quotes each in under 10 s, within
one request; the evidence picker under 200 ms at 200,000 quotes.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402
from perfdoc import write_section  # noqa: E402  (bench/ is the script folder)

SECTION = "## Curation at scale"
BULK_TARGET_S = 10
PICKER_TARGET_MS = 200
PICKER_TERMS = ["budget", "testbed", "Sahel", "zzqxv", "shared data"]
WORDS = "budget testbed prize network sandbox hackathon data border health mobility energy food".split()


class Rollback(Exception):
    pass


def fill(cases, quotes_per_case, extra_quotes):
    from cases.models import Case, Country, Quote, Source

    created = Case.objects.bulk_create(
        (
            Case(title=f"Bench case {n}", slug=f"bench-case-{n}", status="review", summary=f"Summary {n}.")
            for n in range(cases)
        ),
        batch_size=1000,
    )
    canada = Country.objects.get(code="CA")
    Case.countries.through.objects.bulk_create(
        (Case.countries.through(case_id=c.pk, country_id=canada.pk) for c in created), batch_size=1000
    )
    source = Source.objects.create(kind="report", title="Bench source", slug="bench-source")
    total = cases * quotes_per_case + extra_quotes
    quotes = Quote.objects.bulk_create(
        (
            Quote(
                source=source,
                text=f"Statement {n} on {WORDS[n % len(WORDS)]} and {WORDS[(n * 7) % len(WORDS)]}.",
                start_second=n % 7200,
                position=n,
            )
            for n in range(total)
        ),
        batch_size=5000,
    )
    Quote.cases.through.objects.bulk_create(
        (
            Quote.cases.through(case_id=created[i // quotes_per_case].pk, quote_id=quotes[i].pk)
            for i in range(cases * quotes_per_case)
        ),
        batch_size=5000,
    )
    return created


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--quotes-per-case", type=int, default=300)
    parser.add_argument("--picker-quotes", type=int, default=200_000, help="quotes in all for the picker")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--write", help="the performance document to update")
    args = parser.parse_args()
    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from cases.models import Case

    figures = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            extra = max(0, args.picker_quotes - args.cases * args.quotes_per_case)
            fill(args.cases, args.quotes_per_case, extra)
            if connection.vendor == "postgresql":  # a library in use has statistics: so does the bench's
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE cases_quote, cases_quote_cases, cases_case, cases_source")
            figures["fill_s"] = time.perf_counter() - started
            publisher = User.objects.create_superuser("bench-publisher", "bench@example.org", "not-used")
            client = Client()
            client.force_login(publisher)
            first_page = list(Case.objects.order_by("title").values_list("pk", flat=True)[:50])
            started = time.perf_counter()
            response = client.post(
                reverse("admin:cases_case_changelist") + "?status__exact=review",
                {"action": "transition_publish", "_selected_action": first_page, "select_across": "1", "index": "0"},
            )
            figures["bulk_s"] = time.perf_counter() - started
            assert response.status_code == 302, response.status_code
            figures["published"] = Case.objects.filter(status="published").count()
            url = reverse("admin:cases_case_evidence_autocomplete")
            samples = {}
            for term in PICKER_TERMS:
                params = {"term": term, "app_label": "cases", "model_name": "case", "field_name": "quotes"}
                client.get(url, params)
                runs = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    answer = client.get(url, params)
                    runs.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200, answer.content[:200]
                samples[term] = runs
            figures["picker"] = samples
            raise Rollback
    except Rollback:
        pass
    lines = [
        SECTION,
        "",
        f"`bench/curation.py`, {date.today():%Y-%m-%d}, {connection.vendor}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs shared with other work. The data is generated in a transaction rolled back after.",
        "",
        f'- **Bulk publish** from the case changelist ("select all", one request) of {args.cases:,} cases in '
        f"review with {args.quotes_per_case} evidence quotes each: **{figures['bulk_s']:.2f} s** "
        f"({figures['published']:,} published, one history record and one Recent actions entry each; "
        f"target {BULK_TARGET_S} s).",
        f"- **Evidence picker** (the case form's autocomplete, first page of 20) at "
        f"{max(args.picker_quotes, args.cases * args.quotes_per_case):,} quotes, median of {args.repeat} "
        f"(target {PICKER_TARGET_MS} ms):",
        "",
        "| term | median ms | max ms |",
        "|---|---:|---:|",
    ]
    for term, runs in figures["picker"].items():
        lines.append(f"| `{term}` | {statistics.median(runs):.0f} | {max(runs):.0f} |")
    section = "\n".join(lines) + "\n"
    print(section)
    if args.write:
        write_section(args.write, SECTION, section)


if __name__ == "__main__":
    main()
