"""Settings (kb/settings.py) and `make serve`: production fails fast, passes the deploy checks with
the environment docs/deploy.md documents, keeps no state on local disk, serves hashed static files."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.utils.module_loading import import_string

PROJECT = Path(settings.BASE_DIR)
DEPLOY_DOC = PROJECT / "docs" / "deploy.md"


def documented_production_environment():
    """The KEY=VALUE lines of the block marked <!-- production-environment --> in docs/deploy.md."""
    text = DEPLOY_DOC.read_text()
    block = re.search(r"<!-- production-environment -->\s*```sh\n(.*?)```", text, re.DOTALL)
    assert block, "docs/deploy.md has no production-environment block"
    environment = {}
    for line in block.group(1).splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            environment[name.strip()] = value.strip()
    # Fill the placeholders the way an operator would.
    environment["SECRET_KEY"] = secrets.token_urlsafe(64)
    environment["DATABASE_URL"] = environment["DATABASE_URL"].replace("<password>", "not-a-real-password")
    assert not any("<" in value for value in environment.values()), environment
    return environment


def run_manage(environment, *arguments):
    """manage.py in a fresh process with only `environment` (plus PATH) set."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def python_in_a_fresh_process(code, environment):
    """`code` run by Python in a fresh process with the project's settings and only `environment`
    (plus PATH) set."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "kb.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_in_a_fresh_process(environment, *names):
    code = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    return python_in_a_fresh_process(code, environment)


# -- production fails fast, development needs nothing -----------------------------------------------


def test_documented_production_environment_passes_the_deploy_checks():
    result = run_manage(documented_production_environment(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_deploy_checks_fail_when_https_is_not_enforced():
    environment = documented_production_environment()
    del environment["HTTPS"]
    result = run_manage(environment, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    environment = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "cases.example.org"}
    del environment[missing]
    result = run_manage(environment, "check")
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked_for_and_production_storage_is_hashed():
    result = settings_in_a_fresh_process(
        {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "cases.example.org"},
        "DEBUG",
        "STORAGES['staticfiles']['BACKEND']",
        "SECURE_SSL_REDIRECT",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "'whitenoise.storage.CompressedManifestStaticFilesStorage'", "False"]


def test_development_runs_with_nothing_secret_set():
    """`make run` sets DEBUG=1 and nothing else."""
    result = run_manage({"DEBUG": "1"}, "check")
    assert result.returncode == 0, result.stderr
    make = subprocess.run(["make", "-n", "run"], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert "DEBUG=1" in make.stdout and "SECRET_KEY" not in make.stdout


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("CACHE_BACKEND", "memcached", "CACHE_BACKEND must be one of"),
        ("PROXY_COUNT", "one", "PROXY_COUNT must be a whole number"),
        ("AXES_FAILURE_LIMIT", "5x", "AXES_FAILURE_LIMIT must be a whole number"),
    ],
)
def test_a_bad_setting_is_refused_with_a_clear_message(variable, value, message):
    result = run_manage({"DEBUG": "1", variable: value}, "check")
    assert result.returncode != 0
    assert message in result.stderr


# -- stateless app servers -------------------------------------------------------------------------


def test_sessions_cache_and_login_attempts_live_in_the_database():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert issubclass(import_string(settings.CACHES["default"]["BACKEND"]), DatabaseCache)
    from axes.handlers.database import AxesDatabaseHandler

    assert issubclass(import_string(settings.AXES_HANDLER), AxesDatabaseHandler)


@pytest.mark.django_db
def test_the_cache_table_exists_after_migrate():
    cache.set("greeting", "hello", 30)
    assert cache.get("greeting") == "hello"


def test_login_throttling_backend_comes_first():
    first = import_string(settings.AUTHENTICATION_BACKENDS[0])
    assert issubclass(first, AxesStandaloneBackend)
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


# -- make serve ------------------------------------------------------------------------------------


def make_dry_run(target, **variables):
    result = subprocess.run(
        ["make", "-n", target, *(f"{name}={value}" for name, value in variables.items())],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        env={name: value for name, value in os.environ.items() if name not in {"WEB_CONCURRENCY", "BIND"}},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_serve_collects_static_then_runs_gunicorn_with_a_worker_per_core():
    commands = make_dry_run("serve")
    assert commands.index("collectstatic --noinput") < commands.index("gunicorn kb.wsgi:application")
    workers = int(re.search(r"--workers (\d+)", commands).group(1))
    assert workers == min(2 * os.cpu_count() + 1, 12)
    assert "--bind 127.0.0.1:8000" in commands


def test_make_serve_takes_workers_and_bind_from_the_environment():
    commands = make_dry_run("serve", WEB_CONCURRENCY=3, BIND="127.0.0.1:8115")
    assert "--workers 3" in commands and "--bind 127.0.0.1:8115" in commands


def test_make_backup_and_restore_call_the_commands():
    assert "manage.py backup_library" in make_dry_run("backup")
    assert 'manage.py restore_library "backups/x.dump"' in make_dry_run("restore", FILE="backups/x.dump")
    refused = subprocess.run(["make", "restore"], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "usage: make restore FILE=" in refused.stdout


STATIC_CHECK = """
import django
django.setup()
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
# The admin's files and the API docs' Swagger UI bundle (drf-spectacular-sidecar) are slow to compress
# (about 90 s of CPU with brotli) and play no part here.
call_command("collectstatic", "--noinput", "--ignore", "admin", "--ignore", "drf_spectacular_sidecar", verbosity=0)
url = static("css/site.css")
client = Client()
for encoding in ("br", "gzip", ""):
    response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
    print(url, response.status_code, response.get("Content-Encoding", "-"), response["Cache-Control"], sep="|")
"""


def test_static_files_are_hashed_compressed_and_cached_for_ever(tmp_path):
    """What `make serve` serves: WhiteNoise with the manifest storage, after collectstatic."""
    result = subprocess.run(
        [sys.executable, "-c", STATIC_CHECK],
        cwd=PROJECT,
        timeout=480,
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "kb.settings",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "testserver",
            "STATIC_ROOT": str(tmp_path / "static"),
        },
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split("|") for line in result.stdout.splitlines()]
    assert [line[1:3] for line in lines] == [["200", "br"], ["200", "gzip"], ["200", "-"]]
    for url, _, _, cache_control in lines:
        assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
        assert cache_control == "max-age=315360000, public, immutable"


# -- a wrong DATABASE_URL: one clear line naming the variable, no traceback ---------------------------


@pytest.mark.parametrize(
    "database_url",
    ["bogus://nowhere/db", "postgres://postgres@127.0.0.1:1/unreachable", "sqlite:////nonexistent-folder/db.sqlite3"],
    ids=["unknown scheme", "nothing listening", "folder missing"],
)
def test_a_wrong_database_url_fails_with_one_line_naming_the_variable(database_url):
    result = run_manage({"DEBUG": "1", "DATABASE_URL": database_url}, "migrate", "--noinput")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("DATABASE_URL"), result.stderr


def test_the_proxy_body_size_limit_fits_what_the_import_form_accepts():
    """docs/deploy.md's nginx lets the document import through whole (100 files of 1 MB) and no more."""
    import re

    from cases.admin.documents import MAX_UPLOAD_FILES
    from cases.importing.importer import MAX_FILE_BYTES

    text = DEPLOY_DOC.read_text()
    block = re.search(r"location = /admin/cases/document/import/ \{(.*?)\}", text, re.S)
    assert block, "docs/deploy.md's nginx has no location for the document import"
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", block.group(1)).group(1))
    accepted = MAX_UPLOAD_FILES * MAX_FILE_BYTES
    assert accepted <= megabytes * 1024 * 1024 <= accepted + 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("database_url", "kept"), [("sqlite:////tmp/library.sqlite3", False), ("postgres://kb@127.0.0.1:5432/kb", True)]
)
def test_connections_are_kept_on_postgresql_and_closed_after_each_request_on_sqlite(database_url, kept):
    """A kept SQLite connection keeps the file's write-ahead log open, and a backup copied over
    the file while the site serves would meet it ("database disk image is malformed"). (The test
    database lives in memory, where Django never closes a connection: the setting is read in a
    fresh process.)"""
    result = settings_in_a_fresh_process(
        {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "cases.example.org", "DATABASE_URL": database_url},
        "DATABASES['default']['CONN_MAX_AGE']",
    )
    assert result.returncode == 0, result.stderr
    assert (int(result.stdout) >= 60) if kept else (int(result.stdout) == 0)


def _sqlite_pragma_in_a_fresh_process(tmp_path, environment, pragma):
    """The value `PRAGMA <pragma>` gives on a connection Django opens to a SQLite file."""
    code = (
        "import django; django.setup(); from django.db import connection; "
        f"cursor = connection.cursor(); cursor.execute('PRAGMA {pragma}'); print(cursor.fetchone()[0])"
    )
    return python_in_a_fresh_process(
        code, {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'library.sqlite3'}", **environment}
    )


@pytest.mark.parametrize(("configured", "mapped"), [(None, 256 * 1024 * 1024), ("0", 0), ("1048576", 1048576)])
def test_sqlite_reads_map_the_file_up_to_sqlite_mmap_size(tmp_path, configured, mapped):
    """Each request's fresh SQLite connection maps the file for its reads (PRAGMA mmap_size)
    instead of copying pages into a cold page cache; SQLITE_MMAP_SIZE=0 turns it off."""
    result = _sqlite_pragma_in_a_fresh_process(
        tmp_path, {} if configured is None else {"SQLITE_MMAP_SIZE": configured}, "mmap_size"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == mapped


def test_a_negative_sqlite_mmap_size_is_refused(tmp_path):
    result = _sqlite_pragma_in_a_fresh_process(tmp_path, {"SQLITE_MMAP_SIZE": "-1"}, "mmap_size")
    assert result.returncode != 0
    assert "SQLITE_MMAP_SIZE must be 0 or more bytes, not -1." in result.stderr


@pytest.mark.parametrize("value", ["-1", "abc"])
def test_a_stray_sqlite_mmap_size_does_not_stop_a_postgresql_site(value):
    """SQLITE_MMAP_SIZE means nothing on PostgreSQL, so it is read (and refused) only for SQLite,
    as SQLITE_TIMEOUT is (found by QA: a stray value stopped every PostgreSQL app server)."""
    result = settings_in_a_fresh_process(
        {"DEBUG": "1", "DATABASE_URL": "postgres://kb@127.0.0.1:5432/kb", "SQLITE_MMAP_SIZE": value},
        "DATABASES['default']['ENGINE']",
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout
