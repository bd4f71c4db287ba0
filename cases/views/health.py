"""The health check load balancers poll: is this app server able to reach its database?"""
import logging

from django.db import Error as DatabaseFailure
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """200 when a query reaches the database, 503 when not; no detail of the failure is shown."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseFailure:  # OperationalError when unreachable, InterfaceError when closed
        logger.exception("Health check: the database is unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
