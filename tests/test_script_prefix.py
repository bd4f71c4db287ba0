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


def test_under_a_path_the_static_files_are_under_it_too():
    """STATIC_URL is built from FORCE_SCRIPT_NAME in the settings: Django gives a relative one the
    prefix of whatever first reads it, which under gunicorn is the WSGI application, at the root
    (found by QA: /library's pages linked their CSS at /static/); a path not from the root is refused."""
    import os
    import subprocess
    import sys

    def static_url(value):
        code = "from django.conf import settings; print(settings.STATIC_URL)"
        environment = {**os.environ, "FORCE_SCRIPT_NAME": value, "DJANGO_SETTINGS_MODULE": "kb.settings"}
        return subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(set_prefix=False); {code}"],
            env=environment,
            capture_output=True,
            text=True,
        )

    assert static_url("/library/").stdout.strip() == "/library/static/"
    assert static_url("").stdout.strip() == "/static/"
    assert static_url(" /library/a-b_c.d~e/ ").stdout.strip() == "/library/a-b_c.d~e/static/"
    for value in ("library", "//library", "/lib?x=1", "/lib#x", "/a%20b", "/a b", "/lib\nrary", "/x//y"):
        refused = static_url(value)
        assert refused.returncode != 0 and "FORCE_SCRIPT_NAME is a path from the site's root" in refused.stderr


def test_robots_txt_names_the_paths_under_the_prefix(client, settings):
    from django.test.utils import override_script_prefix

    with override_script_prefix("/library/"):
        text = client.get("/robots.txt").content.decode()
    assert "Disallow: /library/admin/\nDisallow: /library/api/\n" in text
    assert "Disallow: /admin/" not in text
