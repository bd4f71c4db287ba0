"""Backups (kb/backups.py, backup_library, restore_library): dump, wipe, restore, every row back."""

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cases.models import Case, Country, Quote
from kb.backups import BackupError, backup_database, backup_kind, backup_path, prune_backups, restore_database
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    DocumentFactory,
    ParticipationFactory,
    QuoteFactory,
    ThemeFactory,
)

PROJECT = Path(settings.BASE_DIR)


def ensure_countries():
    """Countries come from a data migration, which the flush after a transactional test empties."""
    for code, name in (("CA", "Canada"), ("US", "United States of America")):
        Country.objects.get_or_create(code=code, defaults={"name": name, "region": "americas"})


def make_library():
    """Rows in most tables: cases with their links, quotes, a document, a user."""
    ensure_countries()
    theme = ThemeFactory(name="Space", slug="space")
    cases = [CaseFactory(countries=["ca", "us"], themes=[theme]) for _ in range(3)]
    CaseFactory(status=Case.Status.DRAFT, title="Ünïcödé draft — “quoted”", body="**bold** [[Topic]]")
    for case in cases:
        ParticipationFactory(case=case)
        CaseChallengeFactory(case=case)
        CaseSuccessFactorFactory(case=case)
    document = DocumentFactory()
    QuoteFactory(source=document.source, document=document, cases=cases, other_seconds=[12, 3600])
    User.objects.create_superuser("curator", "curator@example.org", "a long passphrase")


def snapshot():
    """Every row of every table, in a stable order."""
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = sorted(cursor.fetchall(), key=repr)
    return tables


def wipe():
    call_command("flush", "--noinput", verbosity=0)
    assert not Case.objects.exists() and not Quote.objects.exists() and not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_every_row_back(tmp_path):
    make_library()
    before = snapshot()
    assert sum(len(rows) for rows in before.values()) > 50

    call_command("backup_library", "--output-dir", str(tmp_path), verbosity=0)
    [backup] = [path for path in tmp_path.iterdir() if not path.name.startswith(".")]
    wipe()
    assert snapshot() != before
    call_command("restore_library", str(backup), "--noinput", verbosity=0)

    assert snapshot() == before
    assert Case.objects.published().count() == 3


@pytest.mark.django_db(transaction=True)
def test_restore_removes_rows_added_after_the_backup(tmp_path):
    make_library()
    before = snapshot()
    backup = backup_database(directory=tmp_path)
    CaseFactory(title="Added after the backup")
    restore_database(backup)
    assert snapshot() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="exercises a SQLite database file")
@pytest.mark.django_db(transaction=True)
def test_make_backup_and_restore_commands_on_a_sqlite_file(tmp_path):
    """The commands as `make backup` / `make restore` run them, on a file database of their own."""
    make_library()
    database = tmp_path / "library.sqlite3"
    backup_database(directory=tmp_path / "seed").replace(database)
    with closing(sqlite3.connect(database)) as db:
        before = db.execute("SELECT slug, title, body FROM cases_case ORDER BY slug").fetchall()
    assert len(before) == 4
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
    }

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    manage("backup_library", "--output-dir", str(tmp_path / "backups"))
    [backup] = (tmp_path / "backups").glob("library-*.sqlite3")
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("PRAGMA foreign_keys = OFF")
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            db.execute(f'DELETE FROM "{table}"')
    manage("restore_library", "--noinput", str(backup))

    with closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT slug, title, body FROM cases_case ORDER BY slug").fetchall() == before
        assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (1,)


@pytest.mark.skipif(
    connection.vendor != "postgresql" or not shutil.which("pg_dump"),
    reason="needs DATABASE_URL on PostgreSQL and pg_dump/pg_restore/psql installed",
)
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_is_a_custom_format_archive(tmp_path):
    make_library()
    backup = backup_database(directory=tmp_path)
    assert backup.suffix == ".dump"
    assert backup.read_bytes().startswith(b"PGDMP")
    assert backup_kind(backup) == "postgresql"


def test_backup_names_carry_a_utc_timestamp_and_never_collide(tmp_path):
    now = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    first = backup_path(tmp_path, vendor="postgresql", now=now)
    assert first.name == "library-20250304T050607Z.dump"
    first.touch()
    assert backup_path(tmp_path, vendor="postgresql", now=now).name == "library-20250304T050607Z-2.dump"
    assert backup_path(tmp_path, vendor="sqlite", now=now).name == "library-20250304T050607Z.sqlite3"


@pytest.mark.django_db(transaction=True)
def test_backup_file_is_readable_by_its_owner_only(tmp_path):
    backup = backup_database(directory=tmp_path)
    assert backup.stat().st_mode & 0o077 == 0
    assert [path.name for path in tmp_path.iterdir()] == [backup.name]  # no partial file left


def test_prune_keeps_the_newest_backups(tmp_path):
    paths = []
    for index in range(4):
        path = tmp_path / f"library-2025010{index}T000000Z.dump"
        path.write_bytes(b"PGDMP")
        os.utime(path, (1_000_000 + index, 1_000_000 + index))
        paths.append(path)
    (tmp_path / "notes.txt").write_text("not a backup")
    deleted = prune_backups(tmp_path, keep=2)
    assert sorted(deleted) == paths[:2]
    assert sorted(tmp_path.iterdir()) == sorted([*paths[2:], tmp_path / "notes.txt"])


@pytest.mark.django_db
def test_backup_refuses_to_run_inside_a_transaction(tmp_path):
    with pytest.raises(BackupError, match="inside a transaction"):
        backup_database(directory=tmp_path)


@pytest.mark.django_db
def test_backup_dry_run_writes_nothing(tmp_path, capsys):
    call_command("backup_library", "--output-dir", str(tmp_path / "out"), "--dry-run")
    assert "Would write" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    bogus = tmp_path / "library-20250101T000000Z.dump"
    bogus.write_text("DROP TABLE cases_case;")
    with pytest.raises(CommandError, match="neither a pg_dump"):
        call_command("restore_library", str(bogus), "--noinput")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore_library", str(tmp_path / "missing.dump"), "--noinput")
    assert connection.introspection.table_names()  # nothing was touched


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_database_kind(tmp_path):
    other = tmp_path / ("other.dump" if connection.vendor == "sqlite" else "other.sqlite3")
    other.write_bytes(b"PGDMP\x01\x0e" if connection.vendor == "sqlite" else b"SQLite format 3\x00" + bytes(100))
    with pytest.raises(CommandError, match="backup; the database is"):
        call_command("restore_library", str(other), "--noinput")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite file that is not a library")
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_sqlite_database_of_another_application(tmp_path):
    foreign = tmp_path / "foreign.sqlite3"
    with closing(sqlite3.connect(foreign)) as db, db:
        db.execute("CREATE TABLE notes (text TEXT)")
    CaseFactory()
    with pytest.raises(BackupError, match="not one of this library"):
        restore_database(foreign)
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_restore_asks_before_replacing_the_database(tmp_path, monkeypatch):
    CaseFactory()
    backup = backup_database(directory=tmp_path)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_library", str(backup))
    assert Case.objects.count() == 1
