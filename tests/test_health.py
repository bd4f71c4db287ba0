"""The health check (cases/views/health.py): 200 with the database reachable, 503 when not."""
import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse


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
    from django.db import connection

    def cannot_connect():
        raise OperationalError("connection to server failed")

    monkeypatch.setattr(connection, "ensure_connection", cannot_connect)
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
