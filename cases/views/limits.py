"""Rate limits per client address on the expensive public endpoints (exports, search, compare).

Counted in the database (kb.models.RateCount), so every app server counts the same requests: one
INSERT … ON CONFLICT DO UPDATE … RETURNING per counted request, atomic, in django-ratelimit's
windows. (django-ratelimit itself counts through the cache API: on the database cache an add, a
get and a set, eleven round trips with two transactions and a durable commit, and no lock: a
race lost counts. A process-local cache would be cheaper still but not shared between gunicorn
workers, so each worker would allow the whole rate.) Over the limit: 429 with Retry-After. The
rates are settings (RATE_LIMITS, from the environment); RATELIMIT_ENABLE=0 turns them off.

A rate alone does not stop one address from holding every worker with a few slow exports in
parallel, so a group may also cap the requests an address has in flight (CONCURRENCY_LIMITS):
each running request holds a slot, an `add` in the same cache (atomic on every Django cache
backend), freed when its response has been sent or after BUSY_SLOT_SECONDS at the latest.
"""

import hashlib
import time
from contextlib import nullcontext
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections, router, transaction
from django.shortcuts import render
from django_ratelimit.core import _get_window, _split_rate  # the windows django-ratelimit counts in

from kb.cache import short_lock_wait
from kb.models import RateCount
from kb.security import client_ip_address


def client_key(group, request):
    """django-ratelimit key: the client's address, trusting only our own proxies' X-Forwarded-For."""
    return client_ip_address(request) or "unknown"


def retry_after(request, group):
    """Count this request against RATE_LIMITS[group] for the client's address: the seconds to wait
    (an int from 1 up) when it is over the limit, else None (also when the rate is empty or
    RATELIMIT_ENABLE is off). The pages' decorator and the API's throttle (api.throttling) share it."""
    rate = settings.RATE_LIMITS.get(group)
    if not rate or not settings.RATELIMIT_ENABLE:
        return None
    limit, period = _split_rate(rate)
    address = client_key(group, request)
    window = _get_window(address, period)  # staggered per address, as django-ratelimit does
    key = f"{group}:{rate}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"
    try:
        count = count_request(key, window)
    except DatabaseError:
        if settings.RATELIMIT_FAIL_OPEN:
            return None
        return max(1, window - int(time.time()))
    if count > limit:
        return max(1, window - int(time.time()))
    return None


COUNT_SQL = """
    INSERT INTO kb_rate_count (key, window_end, count) VALUES (%s, %s, 1)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN kb_rate_count.window_end >= excluded.window_end THEN kb_rate_count.count + 1 ELSE 1 END,
        window_end = CASE WHEN kb_rate_count.window_end >= excluded.window_end
            THEN kb_rate_count.window_end ELSE excluded.window_end END
    RETURNING count
"""


def count_request(key, window):
    """Count one request under `key` in the window closing at `window` (Unix seconds): the
    requests counted in that window so far, this one included (an int from 1 up). One statement;
    the first request of a window also deletes the rows of windows that have closed. Raises
    DatabaseError when the table cannot be written."""
    connection = connections[router.db_for_write(RateCount)]
    # Inside a transaction (a test, a caller's atomic block) a savepoint keeps a failure local. On
    # SQLite the count waits for the write lock no longer than a cache write does (an import holds
    # it for its whole run): then DatabaseError, and RATELIMIT_FAIL_OPEN serves the request.
    with (
        short_lock_wait(connection.alias),
        transaction.atomic(using=connection.alias) if connection.in_atomic_block else nullcontext(),
    ):
        with connection.cursor() as cursor:
            cursor.execute(COUNT_SQL, [key, window])
            count = cursor.fetchone()[0]
            if count == 1:
                cursor.execute("DELETE FROM kb_rate_count WHERE window_end < %s", [int(time.time())])
    return count


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
    keys = [f"cases.busy.{group}.{number}.{address}" for number in range(limit)]
    try:
        for key in keys:
            if _slot_cache().add(key, 1, timeout=settings.BUSY_SLOT_SECONDS):
                return key
        # The database cache's add also answers False when it could not write (on SQLite, while
        # an import holds the write lock: kb/cache.py): no slot found held is no reason to refuse.
        if not any(_slot_cache().get_many(keys).values()):
            return None
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
