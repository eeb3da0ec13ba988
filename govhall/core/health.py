"""The health endpoint load balancers and the cluster command probe: the process answers and its database too."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def ping_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        ping_database()
    except DatabaseError as exc:
        logger.warning("health check: database unavailable: %s", exc)
        return JsonResponse({"status": "error", "database": "数据库不可用"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
