#!/usr/bin/env python
"""Import a folder of webinar summary documents into a fresh database and print the JSON summary.

    .venv/bin/python bench/import_corpus.py [FOLDER] [--copies N] [--memory]

FOLDER defaults to the sample corpus beside the repository (../shared/corpus). The database is
the one DATABASE_URL names (SQLite by default), created fresh for the run (test_<name>, a file
for SQLite, never the real database) and dropped afterwards. ``--copies N`` imports N copies of
every document (as distinct files) to see how time and memory grow; ``--memory`` traces Python
memory and reports its peak (slower). The summary (``seconds``: the import's wall time) adds this
process's CPU time (on a busy machine the figure to compare for SQLite, which works in-process),
that of the worker process that parsed ahead (cases.importing.ahead), on PostgreSQL the CPU time
of the server's backend (a server on this machine), the time of a second, unchanged import, and
the load average at the end.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO / ".." / "shared" / "corpus"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER), help="default: %(default)s")
    parser.add_argument("--copies", type=int, default=1, help="import this many copies of each document")
    parser.add_argument("--memory", action="store_true", help="report the peak of Python memory (tracemalloc)")
    args = parser.parse_args()
    folder = Path(args.folder).resolve()
    if not folder.is_dir():
        parser.error(f"no folder at {folder}")

    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("CACHE_BACKEND", "locmem")
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    from cases.importing.importer import import_paths

    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        if connection.vendor == "sqlite":
            # A file, as in production: the test default would be an in-memory database.
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
        inputs = [folder] if args.copies == 1 else [_copies(folder, workdir / "copies", args.copies)]
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            if args.memory:
                tracemalloc.start()
            server_started = _server_cpu(connection)
            cpu_started, children_started = time.process_time(), _children_cpu()
            report = import_paths(inputs)
            cpu_seconds = time.process_time() - cpu_started
            worker_seconds = _children_cpu() - children_started  # the parsing worker, once it has ended
            server_seconds = _server_cpu(connection) - server_started if server_started is not None else None
            peak = tracemalloc.get_traced_memory()[1] if args.memory else None
            tracemalloc.stop()
            started = time.perf_counter()
            again = import_paths(inputs)
            summary = report.as_dict()
            for key in ("failures", "problems"):
                summary[key] = len(summary[key])
            summary.update(
                {
                    "database": connection.vendor,
                    # CPU time of this process: all of the work on SQLite, the Python side on PostgreSQL.
                    "cpu_seconds": round(cpu_seconds, 3),
                    # CPU time of the worker process that parsed ahead (cases.importing.ahead), if any.
                    "worker_cpu_seconds": round(worker_seconds, 3),
                    "files": summary["documents"] + summary["indexes"] + summary["failed"],
                    "reimport_seconds": round(time.perf_counter() - started, 3),
                    "reimport_unchanged": again.unchanged,
                }
            )
            if server_seconds is not None:
                # CPU time of the PostgreSQL backend serving this connection: stable under load, unlike wall time.
                summary["server_cpu_seconds"] = round(server_seconds, 3)
            summary["load_average"] = [round(value, 2) for value in os.getloadavg()]
            if peak is not None:
                summary["peak_python_memory_mb"] = round(peak / 2**20, 1)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(summary))
    return 1 if summary["failed"] else 0


def _children_cpu():
    """CPU seconds used by this process's children that have ended (user + system)."""
    times = os.times()
    return times.children_user + times.children_system


def _server_cpu(connection):
    """CPU seconds used so far by the PostgreSQL backend of `connection` (read from /proc, so only
    for a server on this machine); None on SQLite or when the process cannot be read."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _copies(folder, target, copies):
    """`copies` copies of every document of `folder` under distinct names (same videos); the index once."""
    target.mkdir(parents=True)
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        text = path.read_bytes()
        if b"videoId:" not in text:
            shutil.copy(path, target / path.name)
            continue
        for number in range(copies):
            (target / f"{path.stem}_{number}.md").write_bytes(text)
    return target


if __name__ == "__main__":
    sys.exit(main())
