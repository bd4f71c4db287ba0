"""Project-wide views that Django calls by setting: the CSRF failure page."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """403 page for a refused form post, in the site's own style (Django's page has inline CSS
    the Content Security Policy blocks). The technical `reason` is logged by Django, not shown."""
    return render(request, "403_csrf.html", status=403)
