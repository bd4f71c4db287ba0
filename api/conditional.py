"""Conditional GET for the API: ETag from the answer's bytes, Last-Modified of the whole library.

- `ETag`: a hash of the rendered JSON, so it changes whenever the answer does (a row deleted or
  unpublished included); `If-None-Match` answers 304 when it matches.
- `Last-Modified`: the newest `updated_at` in the library (cases, quotes, sources, documents and
  the taxonomy terms): one query. A request with only `If-Modified-Since`, the library unchanged
  since, answers 304 before any list is read. Deleting a row does not move this date; clients
  that must see deletions at once send `If-None-Match` (which takes precedence, RFC 9110 13.2.2).
"""
import hashlib

from django.db.models import Max
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from cases.models import Approach, Case, Challenge, Document, Organisation, Quote, Source, SuccessFactor, Theme

TIMESTAMPED = (Case, Quote, Source, Document, Theme, Approach, Challenge, SuccessFactor, Organisation)


def library_last_modified():
    """The newest `updated_at` of the library's timestamped tables (an aware datetime), or None
    when it is empty. One query: a UNION of one MAX per table."""
    maxima = [model.objects.order_by().values(latest=Max("updated_at")) for model in TIMESTAMPED]
    union = maxima[0].union(*maxima[1:], all=True)
    return max((row["latest"] for row in union if row["latest"] is not None), default=None)


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
        request, etag=response["ETag"], last_modified=int(last_modified.timestamp()) if last_modified else None,
        response=response,
    )
