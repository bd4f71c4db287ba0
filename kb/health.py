"""The health check load balancers poll: is this app server able to reach its database?"""

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as CheckTimedOut

from django.conf import settings
from django.db import Error as DatabaseFailure
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# One checker thread per process: a database that hangs ties up that thread (until the connect or
# statement timeout ends its wait), never a worker, and checks pile up no further threads.
_checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")


def _database_answers():
    """Run SELECT 1 on this thread's own connection, then close it (a thread of the pool keeps none)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


@never_cache
@require_safe
def healthz(request):
    """200 when a query reaches the database, 503 when not or when it takes longer than
    HEALTHZ_TIMEOUT seconds (a database that accepts connections but never answers); no detail of
    the failure is shown."""
    try:
        _checker.submit(_database_answers).result(timeout=settings.HEALTHZ_TIMEOUT)
    except CheckTimedOut:
        logger.error("Health check: the database did not answer within %s s", settings.HEALTHZ_TIMEOUT)
        return JsonResponse({"status": "unavailable", "database": "not answering"}, status=503)
    except DatabaseFailure:  # OperationalError when unreachable, InterfaceError when closed
        logger.exception("Health check: the database is unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
