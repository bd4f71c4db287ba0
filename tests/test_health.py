"""The health check (kb/health.py): 200 with the database reachable, 503 when not."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from tests.processes import child_env


@pytest.mark.django_db
def test_healthz_answers_200_with_the_database_reachable(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(self, sql, params=None):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert b"Connection refused" not in response.content  # no internals to the outside


@pytest.mark.django_db
def test_healthz_answers_503_when_no_connection_can_be_made(client, monkeypatch):
    from django.db import connections

    def cannot_connect():
        raise OperationalError("connection to server failed")

    # The check runs on a thread of its own, with its own connection object: patch them all.
    monkeypatch.setattr(type(connections["default"]), "ensure_connection", lambda self: cannot_connect())
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_healthz_accepts_head_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_reachable_over_plain_http_when_https_is_enforced(client, settings):
    """Load balancers probe the app servers directly, without the proxy's X-Forwarded-Proto."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/cases/").status_code == 301


def test_healthz_answers_503_within_2_s_when_the_database_never_answers(tmp_path):
    """A PostgreSQL address that accepts connections and never replies (a local black hole)."""
    import socket
    import subprocess
    import sys
    import threading
    from pathlib import Path

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    held = []
    stop = threading.Event()

    def accept_and_stay_silent():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    script = (
        "import time, django; django.setup()\n"
        "from django.test import Client\n"
        "started = time.monotonic(); response = Client().get('/healthz')\n"
        "print(response.status_code, round(time.monotonic() - started, 3))\n"
    )
    env = child_env(f"postgres://nobody@127.0.0.1:{port}/silent")
    try:
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        stop.set()
        thread.join()
        for sock in held:
            sock.close()
        listener.close()
    status, seconds = result.stdout.split()
    assert status == "503", result.stderr
    assert float(seconds) < 2.0
    assert held, "the check never reached the silent server"


def test_postgresql_connections_have_timeouts_and_no_jit(monkeypatch):
    import importlib

    import kb.settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/x")
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "5000")
    try:
        options = importlib.reload(kb.settings).DATABASES["default"]["OPTIONS"]
        assert options["connect_timeout"] == 3
        assert "-c statement_timeout=5000" in options["options"]
        assert "-c jit=off" in options["options"]
    finally:
        monkeypatch.undo()
        importlib.reload(kb.settings)
