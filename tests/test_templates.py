"""The site's frame: base.html, the error pages, the stylesheet and how static files are served."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.views import defaults

from tests.factories import CaseFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = settings.BASE_DIR / "templates"


def html_of(response):
    return response.content.decode()


def test_base_has_skip_link_landmarks_navigation_and_footer(client):
    html = html_of(client.get("/challenges/"))
    assert re.search(r'<a class="skip-link" href="#main">', html)
    assert '<main id="main"' in html
    assert re.search(r"<header[^>]*>", html) and re.search(r"<footer[^>]*>", html)
    assert '<nav class="site-nav" aria-label="Main">' in html
    for url in ("/cases/", "/challenges/", "/success-factors/", "/countries/", "/quotes/"):
        assert f'href="{url}"' in html
    assert re.search(r'href="/challenges/" aria-current="page"', html)
    footer = html[html.index("<footer") :]
    assert '<a href="/about/">About</a>' in footer


def test_pages_need_no_javascript(client):
    case = CaseFactory(countries=["CA"])
    QuoteFactory(cases=[case])
    for url in ("/", case.get_absolute_url(), "/quotes/", "/countries/", "/countries/ca/", "/challenges/"):
        assert "<script" not in html_of(client.get(url)), url


def test_stylesheet_is_linked_through_static_and_found_by_the_finders(client):
    html = html_of(client.get("/challenges/"))
    assert f'<link rel="stylesheet" href="{static("css/site.css")}">' in html
    assert finders.find("css/site.css")


def test_stylesheet_is_responsive_and_has_a_print_style():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert "@media print" in css and "@media (max-width:" in css
    print_rules = css[css.index("@media print") :]
    assert ".site-nav" in print_rules and "background: none" in print_rules


def test_whitenoise_serves_the_collected_stylesheet_with_debug_off(settings, tmp_path):
    """As in production: collectstatic with the hashed, compressed storage, then a request."""
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    middleware = settings.MIDDLEWARE
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )  # static files answer before sessions, as WhiteNoise's docs ask
    assert not settings.DEBUG
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATICFILES_DIRS = [settings.BASE_DIR / "static"]
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "django.contrib.admin"]
    # The API docs' Swagger UI bundle (drf-spectacular-sidecar) is slow to compress and not asked for here.
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["drf_spectacular_sidecar"])
    url = static("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    response = Client().get(url)  # a fresh client: WhiteNoise indexes STATIC_ROOT when it starts
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content).startswith(b"/* The library's own stylesheet")


def test_unknown_address_renders_the_custom_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = html_of(response)
    assert "<h1>Page not found</h1>" in html
    assert 'href="/cases/"' in html and '<main id="main"' in html


def test_404_page_shows_the_message_a_view_gives_it(client):
    CaseFactory.create_batch(2)
    response = client.get("/quotes/?page=7")
    assert response.status_code == 404
    assert "There is no page 7: the last page is 1." in html_of(response)


def test_500_page_is_self_contained_and_renders_without_context():
    source = (TEMPLATES_DIR / "500.html").read_text()
    assert "{%" not in source and "{{" not in source
    html = Engine(dirs=[TEMPLATES_DIR]).get_template("500.html").render(Context())
    assert "Something went wrong" in html


def test_server_error_view_uses_the_custom_500_page():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in html_of(response)


def test_400_page_renders_without_a_request():
    html = render_to_string("400.html")
    assert "A value in the address is not one this page understands." in html


def test_quote_include_labels_the_link_with_the_time():
    quote = QuoteFactory(source=SourceFactory(youtube_id="nGjuo-7sUXM"), start_second=4201, text="Parallel prizes.")
    html = render_to_string("includes/_quote.html", {"quote": quote})
    assert re.search(r'href="https://www\.youtube\.com/watch\?v=nGjuo-7sUXM&amp;t=4201s"[^>]*>01:10:01</a>', html)
    assert "Parallel prizes." in html


def test_quote_include_links_a_report_without_a_time():
    report = SourceFactory(kind="report", youtube_id="", slug="report", url="https://example.org/report.pdf")
    html = render_to_string("includes/_quote.html", {"quote": QuoteFactory(source=report, start_second=0)})
    assert 'href="https://example.org/report.pdf"' in html and "00:00:00" not in html
