"""Login throttling glue for django-axes: which address a request comes from, and when to throttle."""

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


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


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a second, looser limit per client address.

    axes locks a user name + address pair after AXES_FAILURE_LIMIT failures (one limit for every
    combination it is given). Password spraying tries few passwords on many user names, so this
    also locks an address after AXES_ADDRESS_FAILURE_LIMIT failures over all user names within
    the cool-off time. Neither limit is per user name alone: failures from one address never lock
    a curator out at another.
    """

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        if not (limit and settings.AXES_LOCK_OUT_AT_FAILURE):
            return False
        return self.address_failures(request) >= limit

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """Record the failure as axes does; the failure that reaches the address limit, and any after
        it, is answered with the lockout page (axes itself only counts its own combinations there)."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        if limit and settings.AXES_LOCK_OUT_AT_FAILURE and self.address_failures(request) >= limit:
            request.axes_locked_out = True
            request.axes_credentials = credentials

    @staticmethod
    def address_failures(request):
        """Failed logins from the request's address (axes' `axes_ip_address`) within the cool-off time."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
