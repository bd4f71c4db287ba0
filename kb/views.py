"""Project-wide views: the CSRF failure page (called by setting) and /robots.txt."""

from django.shortcuts import render
from django.urls import reverse


def csrf_failure(request, reason=""):
    """403 page for a refused form post, in the site's own style (Django's page has inline CSS
    the Content Security Policy blocks). The technical `reason` is logged by Django, not shown."""
    return render(request, "403_csrf.html", status=403)


def robots_txt(request):
    """/robots.txt (RFC 9309), plain text: every crawler may read the public pages, not the admin,
    the API, the search or the exports (rate-limited, for people and their tools), and is pointed
    to the sitemap index by its absolute URL, as the format requires."""
    sitemap_url = request.build_absolute_uri(reverse("cases:sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain; charset=utf-8")
