"""Rate limits per client address on the expensive public endpoints (exports, search, compare).

Counted by django-ratelimit in the shared cache (the database cache by default), so every app
server counts the same requests. Over the limit: 429 with Retry-After. The rates are settings
(RATE_LIMITS, from the environment); RATELIMIT_ENABLE=0 turns them off.

A rate alone does not stop one address from holding every worker with a few slow exports in
parallel, so a group may also cap the requests an address has in flight (CONCURRENCY_LIMITS):
each running request holds a slot, an `add` in the same cache (atomic on every Django cache
backend), freed when its response has been sent or after BUSY_SLOT_SECONDS at the latest.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
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
            if not settings.RATELIMIT_ENABLE or (when is not None and not when(request)):
                return view(request, *args, **kwargs)
            wait = retry_after(request, group)
            if wait is not None:
                return too_many_requests(request, retry_after=wait)
            slot = hold_slot(group, request)
            if slot is False:
                return too_many_requests(request, retry_after=BUSY_RETRY_SECONDS)
            try:
                response = view(request, *args, **kwargs)
            except BaseException:
                release_slot(slot)
                raise
            if slot and response.streaming:
                response.streaming_content = _release_when_sent(response.streaming_content, slot)
            else:
                release_slot(slot)
            return response

        return limited_view

    return decorator


BUSY_RETRY_SECONDS = 5


def _slot_cache():
    return caches[settings.RATELIMIT_USE_CACHE]


def hold_slot(group, request):
    """Take one of CONCURRENCY_LIMITS[group] in-flight slots of the client's address.

    Returns the slot's cache key, None when the group has no cap, or False when every slot is
    held (the caller answers 429). A cache that cannot be reached fails open (None), as
    RATELIMIT_FAIL_OPEN does for the rates."""
    limit = settings.CONCURRENCY_LIMITS.get(group)
    if not limit:
        return None
    address = hashlib.sha256(client_key(group, request).encode()).hexdigest()[:32]
    try:
        for number in range(limit):
            key = f"cases.busy.{group}.{number}.{address}"
            if _slot_cache().add(key, 1, timeout=settings.BUSY_SLOT_SECONDS):
                return key
    except Exception:  # noqa: BLE001 (any cache error: serve rather than refuse)
        return None
    return False


def release_slot(key):
    """Free a slot taken by hold_slot (a None key is no slot)."""
    if key:
        try:
            _slot_cache().delete(key)
        except Exception:  # noqa: BLE001 (the slot then expires after BUSY_SLOT_SECONDS)
            pass


def _release_when_sent(chunks, key):
    try:
        yield from chunks
    finally:
        release_slot(key)


def too_many_requests(request, *, retry_after):
    """The 429 page, telling the client how many seconds to wait (`retry_after`, an int)."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
