"""Conditional GET for the API: ETag from the answer's bytes, Last-Modified of the whole library.

- `ETag`: a hash of the rendered JSON, so it changes whenever the answer does (a row deleted or
  unpublished included); `If-None-Match` answers 304 when it matches.
- `Last-Modified`: the newest `updated_at` in the library (cases, quotes, sources, documents and
  the taxonomy terms). A request with only `If-Modified-Since`, the library unchanged since,
  answers 304 before any list is read. Deleting a row does not move this date; clients that must
  see deletions at once send `If-None-Match` (which takes precedence, RFC 9110 13.2.2).

The date is kept in the shared cache: reading MAX(updated_at) of 200,000 quotes is a scan of
the table (no index on it), 20-100 ms, more than a whole API request should cost. Any save or
delete of a timestamped row through the ORM clears it (signals below); writes that bypass
signals (queryset.update(), raw SQL) show after at most LAST_MODIFIED_SECONDS.
"""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe
from django.utils.timezone import is_naive, make_aware

from cases.models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Document,
    Organisation,
    Participation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
)

TIMESTAMPED = (Case, Quote, Source, Document, Theme, Approach, Challenge, SuccessFactor, Organisation)
CACHE_KEY = "api:library-last-modified"
LAST_MODIFIED_SECONDS = 60


def newest_update():
    """The newest `updated_at` of the library's timestamped tables (an aware datetime), or None
    when they are empty. One query: a UNION ALL of one MAX per table (raw SQL: the ORM cannot
    union aggregates without grouping them by row)."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)}" for model in TIMESTAMPED
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        values = [value for (value,) in cursor.fetchall() if value is not None]
    dates = [parse_datetime(value) if isinstance(value, str) else value for value in values]
    dates = [make_aware(value) if is_naive(value) else value for value in dates]
    return max(dates, default=None)


def library_last_modified():
    """newest_update(), read from the shared cache when it is there (see the module docstring)."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = newest_update() or ""
        cache.set(CACHE_KEY, cached, LAST_MODIFIED_SECONDS)
    return cached or None


def forget_last_modified(**kwargs):
    """Signal receiver: a timestamped row changed, so the cached date is stale."""
    cache.delete(CACHE_KEY)


# The current models only (by sender): migrations' historical models run before the cache table exists.
LINKS = (
    Participation,
    CaseChallenge,
    CaseSuccessFactor,
    Case.countries.through,
    Case.themes.through,
    Case.approaches.through,
    Case.publications.through,
    Quote.cases.through,
    Quote.challenges.through,
    Quote.success_factors.through,
    Quote.topics.through,
    Document.topics.through,
)
for _model in (*TIMESTAMPED, *LINKS):
    _uid = f"api-last-modified-{_model._meta.label_lower}"
    post_save.connect(forget_last_modified, sender=_model, dispatch_uid=f"{_uid}-save")
    post_delete.connect(forget_last_modified, sender=_model, dispatch_uid=f"{_uid}-delete")
    m2m_changed.connect(forget_last_modified, sender=_model, dispatch_uid=f"{_uid}-links")


def not_modified_since(request, last_modified):
    """True when the request asks `If-Modified-Since` (and no `If-None-Match`) a date on or after
    `last_modified`: the caller may answer 304 without building the answer."""
    if last_modified is None or request.method not in ("GET", "HEAD") or "HTTP_IF_NONE_MATCH" in request.META:
        return False
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(last_modified.timestamp()) <= since


def with_validators(request, response, last_modified):
    """`response` (rendered here) with ETag and Last-Modified set, or a 304 in its place when the
    request's conditions match (django.utils.cache.get_conditional_response)."""
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    response["ETag"] = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=response,
    )
