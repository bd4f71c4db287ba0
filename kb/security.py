"""Login throttling glue for django-axes: which address a request comes from, and when to throttle."""
from axes.backends import AxesStandaloneBackend
from django.conf import settings


def client_ip_address(request):
    """The address of the client, trusting only the X-Forwarded-For entries our own proxies appended.

    With PROXY_COUNT reverse proxies in front of the app, each appends the address it saw to
    X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the right; anything to the
    left of it was written by the client and may be forged.
    """
    proxy_count = getattr(settings, "PROXY_COUNT", 0)
    if proxy_count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxy_count:
            return forwarded[-proxy_count]
    return request.META.get("REMOTE_ADDR")


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, applied to logins that come with a request.

    A web login (the admin's) always passes the request, so it is always throttled. Code that
    authenticates without one (Django's test client `login()`, a shell) cannot be reached from
    outside; axes would raise for it, so it is left to the next backend instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
