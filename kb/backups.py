"""Whole-library backups: pg_dump's custom format on PostgreSQL, SQLite's online backup API on SQLite.

A backup is one file holding every table (cases, quotes, users, sessions, login attempts, cache),
named <prefix>-<UTC timestamp>.<dump|sqlite3>. Restoring replaces the whole database with it.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
FILE_PREFIX = "library"
EXTENSIONS = {"postgresql": ".dump", "sqlite": ".sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def _connection(using):
    connection = connections[using]
    if connection.vendor not in EXTENSIONS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection


def backup_path(directory, *, vendor, now=None):
    """A new, unused file name for a backup taken now."""
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    extension = EXTENSIONS[vendor]
    path = Path(directory) / f"{FILE_PREFIX}-{stamp}{extension}"
    counter = 2
    while path.exists():
        path = Path(directory) / f"{FILE_PREFIX}-{stamp}-{counter}{extension}"
        counter += 1
    return path


def backup_database(*, directory, using="default", now=None):
    """Write a complete backup of database `using` into `directory`; return its path.

    The file appears under its final name only once complete, readable by its owner only.
    """
    connection = _connection(using)
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for our own open write transaction to end.
        raise BackupError("Cannot back up from inside a transaction.")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = backup_path(directory, vendor=connection.vendor, now=now)
    handle, partial = tempfile.mkstemp(dir=directory, prefix=".partial-", suffix=target.suffix)
    os.close(handle)
    partial = Path(partial)
    try:
        if connection.vendor == "postgresql":
            _pg_dump(connection, partial)
        else:
            _sqlite_backup(connection, partial)
        partial.chmod(0o600)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def backup_kind(path):
    """ "postgresql" or "sqlite" by the file's first bytes; BackupError for anything else."""
    try:
        with open(path, "rb") as backup:
            head = backup.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} is neither a pg_dump custom-format archive nor a SQLite database.")


def restore_database(path, *, using="default"):
    """Replace everything in database `using` with the backup at `path`, all or nothing."""
    connection = _connection(using)
    kind = backup_kind(path)
    if kind != connection.vendor:
        raise BackupError(f"{path} is a {kind} backup; the database is {connection.vendor}.")
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction.")
    if kind == "postgresql":
        _pg_restore(connection, Path(path))
    else:
        _sqlite_restore(connection, Path(path))


def prune_backups(directory, *, keep):
    """Delete all but the `keep` newest backups in `directory`; return the deleted paths."""
    backups = sorted(
        (path for path in Path(directory).glob(f"{FILE_PREFIX}-*") if path.suffix in EXTENSIONS.values()),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    doomed = backups[keep:]
    for path in doomed:
        path.unlink()
    return doomed


# SQLite -------------------------------------------------------------------------------------------


def _sqlite_backup(connection, target):
    connection.ensure_connection()
    # One step (pages=-1): a consistent snapshot even while other processes write.
    with closing(sqlite3.connect(target)) as destination:
        connection.connection.backup(destination)


def _sqlite_restore(connection, source_path):
    with closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)) as source:
        try:
            integrity = source.execute("PRAGMA integrity_check").fetchone()[0]
            has_migrations = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source_path} is not a readable SQLite database ({error}).") from None
        if integrity != "ok":
            raise BackupError(f"{source_path} fails SQLite's integrity check: {integrity}.")
        if not has_migrations:
            raise BackupError(f"{source_path} is a SQLite database but not one of this library.")
        connection.ensure_connection()
        # Page by page into the live connection: replaces the whole database in one go.
        source.backup(connection.connection)


# PostgreSQL ---------------------------------------------------------------------------------------


def _pg_tool(name):
    tool = shutil.which(name)
    if not tool:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return tool


def _pg_environment(settings_dict):
    """Connection parameters as libpq environment variables: no password on a command line."""
    environment = {**os.environ}
    parameters = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("service", "PGSERVICE")):
        if options.get(option):
            parameters[variable] = options[option]
    environment.update({name: str(value) for name, value in parameters.items() if value})
    return environment


def _run(command, *, environment, what, **kwargs):
    result = subprocess.run(command, env=environment, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else f'exit status {result.returncode}'}")
    return result


def _pg_dump(connection, target):
    environment = _pg_environment(connection.settings_dict)
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"],
        environment=environment,
        what="pg_dump",
    )


# Tables the backup does not know (from migrations newer than the backup) would otherwise survive
# the restore while django_migrations forgets them: drop every table of the schema first.
_DROP_ALL_TABLES = """
DO $$
DECLARE table_name text;
BEGIN
    FOR table_name IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', table_name);
    END LOOP;
END $$;
"""


def _pg_restore(connection, source_path):
    environment = _pg_environment(connection.settings_dict)
    pg_restore = _pg_tool("pg_restore")
    psql = _pg_tool("psql")
    with tempfile.TemporaryDirectory() as scratch:
        # The whole SQL script first: a damaged archive fails here, before anything is dropped.
        script = Path(scratch) / "restore.sql"
        _run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                f"--file={script}",
                str(source_path),
            ],
            environment=environment,
            what="pg_restore",
        )
        # Our own connection must not hold locks on the tables about to be dropped.
        connection.close()
        _run(
            [
                psql,
                "--no-password",
                "--quiet",
                "--no-psqlrc",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                _DROP_ALL_TABLES,
                "-f",
                str(script),
            ],
            environment=environment,
            what="Restoring into PostgreSQL",
        )
