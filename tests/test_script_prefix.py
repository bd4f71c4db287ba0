"""The site's URLs never come from a request: a SCRIPT_NAME a client gets through to the app (gunicorn
takes it from a header sent by the addresses it trusts) changes no link of the page it is served, nor
of the pages, exports and static files served to others (found by QA: the cached CSV export kept one
client's prefix for everyone)."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from tests.factories import CaseFactory, QuoteFactory


def served(path, **environ):
    """The body of `path` served by Django's WSGI handler, as gunicorn calls it."""
    request_environ = {**RequestFactory().get(path).environ, **environ}
    statuses = []
    body = b"".join(WSGIHandler()(request_environ, lambda status, headers: statuses.append(status)))
    assert statuses[0].startswith("200"), statuses
    return body.decode()


@pytest.mark.django_db(transaction=True)  # the handler closes the connection, as a server's does
@pytest.mark.parametrize("path", ["/cases/", "/cases/deep-space-food/", "/quotes/", "/cases.csv?country=ca"])
def test_a_script_name_sent_by_a_client_changes_no_url(path):
    case = CaseFactory(slug="deep-space-food", countries=["CA"])
    QuoteFactory(cases=[case])
    sent = served(path, SCRIPT_NAME="/a,b", HTTP_HOST="testserver")
    later = served(path, HTTP_HOST="testserver")
    assert "/quotes/" in later
    for body in (sent, later):
        assert "/a,b" not in body
        assert "/a%2Cb" not in body


def test_a_path_to_serve_under_is_configured_not_sent(settings):
    from django.core.handlers.wsgi import get_script_name

    assert settings.FORCE_SCRIPT_NAME == ""
    assert get_script_name({"SCRIPT_NAME": "/a,b", "PATH_INFO": "/cases/"}) == ""
    settings.FORCE_SCRIPT_NAME = "/library"
    assert get_script_name({"SCRIPT_NAME": "/a,b", "PATH_INFO": "/cases/"}) == "/library"
