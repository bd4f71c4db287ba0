"""Side by side with Datasette (issue 20): requests per second of our app and of Datasette, each
serving the same SQLite file from one process on its own loopback port, for comparable requests.

    cp the-generated-library.sqlite3 /tmp/kb10k_datasette.sqlite3        # a copy of your own
    .venv/bin/python bench/datasette.py --database /tmp/kb10k_datasette.sqlite3 [--write docs/performance.md]

The file holds the generated library (`generate_library --cases 10000 --quotes 200000 --seed 1`,
migrated). The script
- installs Datasette (DATASETTE_VERSION, from PyPI) into a virtualenv of its own in the user's
  cache folder (`--venv`), never into the project's;
- adds to the file, once, what Datasette needs to answer the same questions (a table it can
  facet and filter, its full-text index, our export's rows, and a view computing them; see
  `prepare_datasette_tables`): our app never reads them;
- serves our app with gunicorn (1 sync worker, DEBUG off, static files collected into a temporary
  folder: bench/load.py's helpers) twice, with its cache and with it off (CACHE_BACKEND=dummy,
  `--uncached-port`: what a request costs that no earlier one prepared), and Datasette (1 process, the file opened read-only), each on
  127.0.0.1, and stops both at the end;
- for each comparison and each concurrency (1 and 4 clients: threads with http.client, keeping
  the connection alive where the server allows: Datasette does, gunicorn's sync worker closes
  each), sends requests back to back for `--duration` seconds to one server then the other,
  `--rounds` times alternating, and reports the requests per second of each and their ratio.

Every request goes to 127.0.0.1 only. Our app runs with its default settings (rate limits on,
counted in the database cache, which lives in the same file); each request names a different
loopback client in X-Forwarded-For (PROXY_COUNT=1, as bench/load.py does), so the per-address
limits never refuse one. Because our app writes its cache rows into the file while Datasette
reads it, Datasette opens it read-only but not `-i` (immutable would be unsafe).
"""

import argparse
import csv
import http.client
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from argparse import Namespace
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py: the server helpers)
from perfdoc import write_section  # noqa: E402

SECTION = "## Side by side with Datasette (issue 20): measured"
HOST = load.HOST
DATASETTE_VERSION = "0.65.5"
DATABASE_NAME = "kb"  # Datasette's name for the file (its URL path)
COUNTRY = "sn"
# Words the text search rotates through (both servers, the same order).
WORDS = ["budget", "testbed", "prize", "health", "data", "cities", "sandbox", "climate", "governance", "pilot"]
# Our browser's facets that the export's columns carry: Datasette facets on the same columns
# (links as JSON arrays: `_facet_array`); region and approach family are not export columns, so
# Datasette computes two facets fewer than our page does.
ARRAY_FACETS = ["countries", "themes", "approaches", "organisations", "challenges", "success_factors"]
COLUMN_FACETS = ["stage", "level_of_government"]
# Our app twice (its default cache, and the cache off: every request computed), then Datasette.
SERVERS = ("app", "uncached", "datasette")
TARGETS = {"browse": 5, "filter": 4, "csv": 1, "csv-table": 1, "search": 2}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, required=True, help="A copy of the library's SQLite file, your own.")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument("--venv", type=Path, default=cache / "kb-bench" / f"datasette-{DATASETTE_VERSION}")
    parser.add_argument("--app-port", type=int, default=8125)
    parser.add_argument("--datasette-port", type=int, default=8126)
    parser.add_argument(
        "--uncached-port", type=int, default=8127, help="Our app with its cache off (CACHE_BACKEND=dummy)."
    )
    parser.add_argument("--duration", type=float, default=5, help="Seconds of each burst.")
    parser.add_argument("--rounds", type=int, default=2, help="Bursts per server, alternating.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--only", nargs="+", choices=list(TARGETS), help="Run these comparisons only.")
    parser.add_argument("--write", type=Path, help=f"Write the results as the '{SECTION}' section of this file.")
    return parser.parse_args()


# -- Datasette --------------------------------------------------------------------------------------


def install_datasette(venv):
    """The datasette executable of a virtualenv of its own (created and filled from PyPI once)."""
    executable = venv / "bin" / "datasette"
    if not executable.exists():
        print(f"Installing Datasette {DATASETTE_VERSION} into {venv}…", flush=True)
        base_python = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base_python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", f"datasette=={DATASETTE_VERSION}"], check=True)
    return executable


BROWSE_COLUMNS = ["slug", "title", "summary", "stage", "start_year", "level_of_government", *ARRAY_FACETS]


def prepare_datasette_tables(database, app_url):
    """Add to the file, once, what Datasette serves (our app never reads these):

    - `browse_cases`: one row per published case with what our browser shows and facets on
      (slug, title, summary, stage, start year, level of government, links as JSON arrays so that
      Datasette facets on them with `_facet_array` and filters with `__arraycontains`), the case's
      id as primary key: the narrowest table that holds our page, precomputed (Datasette's array
      facets select every column of the rows they count: a wide table would slow them down);
    - `browse_cases_fts`: an FTS5 table of the same text our search index holds for each case
      (title, linked names, summary, body and story, copied from cases_search_fts with its
      tokenizer), rowid = the case's id;
    - `export_cases`: exactly the rows and values of our CSV export (written by our exporter,
      cases.browse.exports.case_rows, URLs on `app_url`; lists as JSON arrays): Datasette's
      best case, nothing left to join;
    - `export_cases_live`: a view computing the same columns from our own tables at request time
      (links with correlated subqueries, the claims cell as the list of the case's quote URLs),
      the same work our export does.

    Returns the number of rows of `export_cases`."""
    from cases.browse.exports import FIELDS, LIST_FIELDS, case_csv_lines, case_rows
    from cases.models import STORY_FIELDS, Case

    connection = sqlite3.connect(database)
    try:
        published = Case.objects.published().count()
        names = ("browse_cases", "browse_cases_fts", "export_cases", "export_cases_live")
        have = connection.execute(
            f"SELECT count(*) FROM sqlite_master WHERE name IN ({', '.join('?' * len(names))})", names
        ).fetchone()[0]
        if have == len(names) and connection.execute("SELECT count(*) FROM export_cases").fetchone()[0] == published:
            return published
        print(f"Writing Datasette's tables ({published:,} cases)…", flush=True)
        columns = ", ".join(f'"{name}"' for name in FIELDS)
        connection.executescript(
            "DROP VIEW IF EXISTS export_cases_live;"
            + "".join(f"DROP TABLE IF EXISTS {name};" for name in names[:3])
            + f"CREATE TABLE export_cases (id INTEGER PRIMARY KEY, {columns});"
            + f"CREATE TABLE browse_cases (id INTEGER PRIMARY KEY, {', '.join(BROWSE_COLUMNS)});"
            + "CREATE VIRTUAL TABLE browse_cases_fts USING fts5(title, names, body, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');" + live_view_sql(app_url, STORY_FIELDS)
        )
        cases = Case.objects.published().order_by("pk")
        ids = iter(cases.values_list("pk", flat=True))
        absolute_url = lambda path: app_url + path  # noqa: E731
        # The claims cell as our CSV has it (the lists as JSON arrays, from the JSON export's rows).
        csv_rows = csv.reader(io.StringIO("".join(case_csv_lines(cases=cases, absolute_url=absolute_url))))
        claims_at = next(csv_rows).index("claims")
        rows = (
            (
                next(ids),
                *(
                    json.dumps(row[name])
                    if name in LIST_FIELDS
                    else cells[claims_at]
                    if name == "claims"
                    else row[name]
                    for name in FIELDS
                ),
            )
            for row, cells in zip(case_rows(cases=cases, absolute_url=absolute_url), csv_rows, strict=True)
        )
        with connection:
            connection.executemany(f"INSERT INTO export_cases VALUES ({', '.join('?' * (len(FIELDS) + 1))})", rows)
            connection.execute(f"INSERT INTO browse_cases SELECT id, {', '.join(BROWSE_COLUMNS)} FROM export_cases")
            connection.execute(
                "INSERT INTO browse_cases_fts (rowid, title, names, body) "
                "SELECT (rowid - 1) / 16, title, names, body FROM cases_search_fts "
                "WHERE rowid % 16 = 1 AND (rowid - 1) / 16 IN (SELECT id FROM browse_cases)"
            )
        return connection.execute("SELECT count(*) FROM export_cases").fetchone()[0]
    finally:
        connection.close()


def live_view_sql(app_url, story_fields):
    """CREATE VIEW export_cases_live: our export's columns computed from our tables by SQLite."""

    def listed(value, tables, order):
        return f"(SELECT json_group_array(value) FROM (SELECT {value} AS value FROM {tables} ORDER BY {order}))"

    return f"""CREATE VIEW export_cases_live AS SELECT c.id, c.slug, c.title, c.summary, c.stage,
        c.start_year, c.end_year, c.website,
        (SELECT p.slug FROM cases_case p WHERE p.id = c.parent_id AND p.status = 'published') AS parent,
        c.published_at, c.updated_at, c.level_of_government, c.contact_email,
        {", ".join(f"c.{name}" for name in story_fields)}, c.results_evidence,
        {listed("l.country_id", "cases_case_countries l WHERE l.case_id = c.id", "l.country_id")} AS countries,
        {listed("o.slug || ':' || l.role", "cases_participation l JOIN cases_organisation o ON o.id = l.organisation_id WHERE l.case_id = c.id", "l.role, o.name, l.id")} AS organisations,
        {listed("t.slug", "cases_case_themes l JOIN cases_theme t ON t.id = l.theme_id WHERE l.case_id = c.id", "t.name, l.id")} AS themes,
        {listed("t.slug", "cases_case_approaches l JOIN cases_approach t ON t.id = l.approach_id WHERE l.case_id = c.id", "t.name, l.id")} AS approaches,
        {listed("t.slug", "cases_casechallenge l JOIN cases_challenge t ON t.id = l.challenge_id WHERE l.case_id = c.id", "t.'order', t.name, l.id")} AS challenges,
        {listed("t.slug", "cases_casesuccessfactor l JOIN cases_successfactor t ON t.id = l.success_factor_id WHERE l.case_id = c.id", "t.kind, t.'order', t.name, l.id")} AS success_factors,
        {listed("l.kind || ':' || l.url", "cases_supportinglink l WHERE l.case_id = c.id", "l.'order', l.title, l.id")} AS supporting_links,
        (SELECT group_concat('{app_url}/quotes/' || l.quote_id || '/', ' ') FROM cases_quote_cases l
         WHERE l.case_id = c.id) AS claims,
        '{app_url}/cases/' || c.slug || '/' AS url
        FROM cases_case c WHERE c.status = 'published';"""


def start_datasette(executable, database, port, folder, log):
    """Datasette on 127.0.0.1:`port`, one process, the file read-only, no suggested facets (our
    page suggests none), facets and queries given time to finish (a facet over its time limit is
    left out of the page: less work than ours)."""
    metadata = folder / "metadata.json"
    metadata.write_text(
        json.dumps(
            {
                "databases": {
                    DATABASE_NAME: {"tables": {"browse_cases": {"fts_table": "browse_cases_fts", "fts_pk": "id"}}}
                }
            }
        )
    )
    link = folder / f"{DATABASE_NAME}.db"  # Datasette names a database after its file
    link.symlink_to(database.resolve())
    command = [
        str(executable),
        "serve",
        str(link),
        "--host",
        HOST,
        "--port",
        str(port),
        "--metadata",
        str(metadata),
        "--setting",
        "suggest_facets",
        "off",
        "--setting",
        "facet_time_limit_ms",
        "20000",
        "--setting",
        "sql_time_limit_ms",
        "20000",
    ]
    server = subprocess.Popen(command, start_new_session=True, stdout=log, stderr=log)
    wait_until_up(server, port, f"/{DATABASE_NAME}/browse_cases.json?_size=1", log)
    return server


def wait_until_up(server, port, path, log):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited: {Path(log.name).read_text()[-2000:]}")
        try:
            if load.request(port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    load.stop(server)
    sys.exit(f"127.0.0.1:{port} did not answer {path} within 60 s.")


# -- the requests compared ------------------------------------------------------------------------------


def datasette_facets():
    return [("_facet_array", name) for name in ARRAY_FACETS] + [("_facet", name) for name in COLUMN_FACETS]


def comparisons():
    """{name: (what, our path(word), Datasette's path(word))}: the same question to each server."""
    browse = f"/{DATABASE_NAME}/browse_cases"
    page = [("_size", "20"), ("_sort", "title")]
    country = [("countries__arraycontains", COUNTRY.upper())]
    in_country = [
        ("_where", f"id IN (SELECT case_id FROM cases_case_countries WHERE country_id = '{COUNTRY.upper()}')")
    ]
    export = [("_stream", "on"), ("_size", "max"), ("_sort", "title")]
    return {
        "browse": (
            "browse with facets, first page",
            lambda word: "/cases/",
            lambda word: f"{browse}?" + urlencode(page + datasette_facets()),
        ),
        "filter": (
            f"one filter (country {COUNTRY.upper()}), with facets",
            lambda word: f"/cases/?country={COUNTRY}",
            lambda word: f"{browse}?" + urlencode(country + page + datasette_facets()),
        ),
        "csv": (
            f"CSV export of the country {COUNTRY.upper()}'s cases, all rows; Datasette: a view joining at request time",
            lambda word: f"/cases.csv?country={COUNTRY}",
            lambda word: f"/{DATABASE_NAME}/export_cases_live.csv?" + urlencode(in_country + export),
        ),
        "csv-table": (
            "the same CSV; Datasette: from the precomputed table",
            lambda word: f"/cases.csv?country={COUNTRY}",
            lambda word: f"/{DATABASE_NAME}/export_cases.csv?" + urlencode(country + export),
        ),
        "search": (
            "text search of the cases, first page with facets",
            lambda word: "/cases/?" + urlencode({"q": word}),
            lambda word: f"{browse}?" + urlencode([("_search", word), ("_size", "20"), *datasette_facets()]),
        ),
    }


class Client:
    """One client thread's connection; reopened when the server closes it (http.client reconnects)."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.rng = random.Random()  # each client its own addresses: the per-address limits never meet

    def get(self, path):
        headers = {"Host": HOST, "Accept-Encoding": "identity", "X-Forwarded-For": load.visitor_address(self.rng)}
        try:
            self.connection.request("GET", path, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        if response.will_close:
            self.connection.close()
        return response.status, len(body)


def burst(port, path_of, clients, duration):
    """`clients` threads sending back to back for `duration` seconds: (requests per second,
    mean bytes per response, errors)."""
    counts, sizes, errors = [0] * clients, [0] * clients, []
    stop_at = time.monotonic() + duration

    def run(number):
        client = Client(port)
        sent = number
        while time.monotonic() < stop_at:
            path = path_of(WORDS[sent % len(WORDS)])
            sent += 1
            try:
                status, size = client.get(path)
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{path}: {type(error).__name__}: {error}")
                continue
            if status != 200:
                errors.append(f"{path}: HTTP {status}")
                continue
            counts[number] += 1
            sizes[number] += size

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    done = sum(counts)
    return done / elapsed, (sum(sizes) / done if done else 0), errors


def cpu_seconds(pids):
    """User + system CPU seconds the processes `pids` (and their threads) have used so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def measure(arguments, ports, pids):
    """{(comparison, clients): {server: [rps…], "cpu": {server: [CPU s per request…]}, "bytes":
    {...}}} for the servers "app", "uncached" (our app with its cache off) and "datasette",
    alternating. `ports` and `pids` are {server: its port / its processes}: the CPU each server
    spends per request is the comparison that other work on the machine disturbs least."""
    results = {}
    chosen = {name: spec for name, spec in comparisons().items() if not arguments.only or name in arguments.only}
    for name, (_, ours, theirs) in chosen.items():
        servers = [(server, ports[server], theirs if server == "datasette" else ours) for server in SERVERS]
        for server, port, path_of in servers:
            for word in WORDS:  # warm up: every page once (our facet cache, SQLite's page cache)
                status, _ = Client(port).get(path_of(word))
                if status != 200:
                    sys.exit(f"{server} answered {status} to {path_of(word)}")
        for clients in arguments.concurrency:
            entry = results[(name, clients)] = {
                **{server: [] for server in SERVERS},
                "bytes": {},
                "errors": [],
                "cpu": {},
            }
            for _ in range(arguments.rounds):
                for server, port, path_of in servers:
                    cpu_before, started = cpu_seconds(pids[server]), time.monotonic()
                    rps, size, errors = burst(port, path_of, clients, arguments.duration)
                    served = rps * (time.monotonic() - started)
                    if served:
                        entry["cpu"].setdefault(server, []).append((cpu_seconds(pids[server]) - cpu_before) / served)
                    entry[server].append(rps)
                    entry["bytes"][server] = size
                    entry["errors"] += errors
            app, uncached, datasette = (sum(entry[server]) / len(entry[server]) for server in SERVERS)
            app_cpu, uncached_cpu, datasette_cpu = (mean_cpu(entry, server) for server in SERVERS)
            print(
                f"{name:9} c={clients}: app {app:7.1f}/s  uncached {uncached:7.1f}/s  datasette {datasette:7.1f}/s"
                f"  ratios {app / datasette:5.2f} / {uncached / datasette:5.2f}"
                f"  CPU/request {app_cpu * 1000:.0f} / {uncached_cpu * 1000:.0f} / {datasette_cpu * 1000:.0f} ms"
                f"  (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    return results


def mean_cpu(entry, server):
    values = entry["cpu"].get(server) or [float("nan")]
    return sum(values) / len(values)


# -- report ------------------------------------------------------------------------------------------------


def report(arguments, results, library, load_before, load_after):
    cases, quotes, rows = library
    specs = comparisons()
    lines = [
        SECTION,
        "",
        f"`bench/datasette.py`, {date.today().isoformat()}: our app (gunicorn, 1 sync worker) and Datasette "
        f"{DATASETTE_VERSION} (1 process) on the same SQLite file ({cases:,} published cases, {quotes:,} quotes; "
        f"Datasette's `export_cases` table: {rows:,} rows), {arguments.rounds} bursts of {arguments.duration:.0f} s "
        f"per server and concurrency, alternating; {os.cpu_count()} cores, load average {load_before:.1f} before "
        f"and {', '.join(f'{value:.1f}' for value in load_after)} after.",
        "",
        "Ours twice: with its default cache (a repeated request is answered from the HTML cached under "
        "the library version) and with the cache off (`CACHE_BACKEND=dummy`: every request counts, "
        "searches and renders, as the first request after a write does).",
        "",
        "| request | clients | ours req/s: cached / cache off | Datasette req/s | ratio: cached / cache off | target "
        "| CPU ms/request: cached / cache off / Datasette | ours KB | Datasette KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    failed = False
    for (name, clients), entry in results.items():
        app, uncached, datasette = (sum(entry[server]) / len(entry[server]) for server in SERVERS)
        ratios = [rate / datasette if datasette else float("inf") for rate in (app, uncached)]
        lines.append(
            f"| {specs[name][0]} | {clients} | {app:.1f} / {uncached:.1f} | {datasette:.1f} | "
            f"**{ratios[0]:.2f}× / {ratios[1]:.2f}×** | ≥ {TARGETS[name]}× | "
            + " / ".join(f"{mean_cpu(entry, server) * 1000:.0f}" for server in SERVERS)
            + f" | {entry['bytes'].get('app', 0) / 1000:.0f} | {entry['bytes'].get('datasette', 0) / 1000:.0f} |"
        )
        failed = failed or bool(entry["errors"])
    errors = [error for entry in results.values() for error in entry["errors"]]
    lines += ["", f"Errors: {len(errors)}."] + [f"- {error}" for error in errors[:10]]
    if load_before > (os.cpu_count() or 1) / 2:
        lines += [
            "",
            f"Other work shared the machine (load average {load_before:.1f} on {os.cpu_count()} cores before the run): "
            "both servers were measured under it, alternating, so the ratios hold better than the rates, "
            "and the CPU each server spent per request (its processes' user + system time over the requests "
            "it answered) better than both.",
        ]
    lines += ["", "Run it: see the section above.", ""]
    return "\n".join(lines), failed


def main():
    arguments = parse_arguments()
    database = arguments.database.resolve()
    if not database.exists():
        sys.exit(f"{database} does not exist: copy the generated library's SQLite file there first.")
    executable = install_datasette(arguments.venv)
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="kb-datasette-bench-"))
    static_root = folder / "static"
    settings = Namespace(database_url=f"sqlite:///{database}", port=arguments.app_port, workers=1)
    environment = load.server_environment(settings, static_root)
    app_url = f"http://{HOST}"  # the clients send `Host: 127.0.0.1`, so our URLs start so
    servers = []
    try:
        load.manage(environment, "migrate", "--noinput", "--verbosity", "0")
        load.setup_django(environment)
        from django.db import connection

        from cases.models import Case, Quote

        library = (Case.objects.published().count(), Quote.objects.count())
        if not library[0]:
            sys.exit(f"{database} holds no published case: run generate_library on it first.")
        rows = prepare_datasette_tables(database, app_url)
        connection.close()
        load.manage(environment, "collectstatic", "--noinput", "--verbosity", "0")
        app_log = open(folder / "gunicorn.log", "w+")  # noqa: SIM115 (closed with the folder)
        app = load.start_gunicorn(settings, environment, app_log)
        servers.append(app)
        uncached_log = open(folder / "gunicorn-uncached.log", "w+")  # noqa: SIM115
        uncached = load.start_gunicorn(
            settings, {**environment, "CACHE_BACKEND": "dummy"}, uncached_log, port=arguments.uncached_port
        )
        servers.append(uncached)
        datasette_log = open(folder / "datasette.log", "w+")  # noqa: SIM115
        datasette = start_datasette(executable, database, arguments.datasette_port, folder, datasette_log)
        servers.append(datasette)
        pids = {
            "app": [app.pid, *load.worker_pids(app.pid)],
            "uncached": [uncached.pid, *load.worker_pids(uncached.pid)],
            "datasette": [datasette.pid],
        }
        ports = {"app": arguments.app_port, "uncached": arguments.uncached_port, "datasette": arguments.datasette_port}
        results = measure(arguments, ports, pids)
        load_after = os.getloadavg()
    finally:
        for server in servers:
            load.stop(server)
        shutil.rmtree(folder, ignore_errors=True)
    text, failed = report(arguments, results, (*library, rows), load_before, load_after)
    print(text)
    if arguments.write:
        write_section(arguments.write, SECTION, text)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
