"""Rate limits per client address on the expensive public endpoints (exports, search, compare).

Counted by django-ratelimit in the shared cache (the database cache by default), so every app
server counts the same requests. Over the limit: 429 with Retry-After. The rates are settings
(RATE_LIMITS, from the environment); RATELIMIT_ENABLE=0 turns them off.
"""
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

from kb.security import client_ip_address


def client_key(group, request):
    """django-ratelimit key: the client's address, trusting only our own proxies' X-Forwarded-For."""
    return client_ip_address(request) or "unknown"


def retry_after(request, group):
    """Count this request against RATE_LIMITS[group] for the client's address: the seconds to wait
    (an int from 1 up) when it is over the limit, else None (also when the rate is empty or
    RATELIMIT_ENABLE is off). The pages' decorator and the API's throttle (api.throttling) share it."""
    rate = settings.RATE_LIMITS.get(group)
    if not rate:
        return None
    usage = get_usage(request, group=f"cases.{group}", key=client_key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        return max(1, usage["time_left"])
    return None


def rate_limited(group, *, when=None):
    """View decorator: at most RATE_LIMITS[group] requests ("12/m": per second, minute, hour or day)
    per client address; over it, a 429 page with Retry-After (seconds to the end of the window).
    With `when` (a function of the request), only the requests it accepts are counted and limited."""

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            if when is None or when(request):
                wait = retry_after(request, group)
                if wait is not None:
                    return too_many_requests(request, retry_after=wait)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def too_many_requests(request, *, retry_after):
    """The 429 page, telling the client how many seconds to wait (`retry_after`, an int)."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
