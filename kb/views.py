"""Project-wide views: the CSRF failure and bad request pages (called by setting) and /robots.txt."""

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.shortcuts import render
from django.urls import get_script_prefix, reverse


def csrf_failure(request, reason=""):
    """403 page for a refused form post, in the site's own style (Django's page has inline CSS
    the Content Security Policy blocks). The technical `reason` is logged by Django, not shown."""
    return render(request, "403_csrf.html", status=403)


def robots_txt(request):
    """/robots.txt (RFC 9309), plain text: every crawler may read the public pages, not the admin,
    the API, the search or the exports (rate-limited, for people and their tools), and is pointed
    to the sitemap index by its absolute URL, as the format requires."""
    sitemap_url = request.build_absolute_uri(reverse("cases:sitemap"))
    context = {"sitemap_url": sitemap_url, "script_prefix": get_script_prefix()}  # FORCE_SCRIPT_NAME's path
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


def bad_request(request, exception):
    """handler400: the site's 400 page. A request Django refused to read says why: an upload of
    more files than DATA_UPLOAD_MAX_NUMBER_FILES (the admin's document import: the CSRF check reads
    the form before any view, found by QA) would otherwise blame the address."""
    context = {}
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        context = {
            "heading": "This form sent more files than one upload takes",
            "message": (
                f"At most {limit} files can be uploaded at a time; nothing was saved. Upload them in "
                "parts, or import a folder of documents with manage.py import_documents."
            ),
        }
    return render(request, "400.html", context, status=400)
