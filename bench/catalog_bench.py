"""Catalog benchmark on the demo catalog: public API latency (jieba search) and the Excel round trip.

Figures:
- ``api``: for each request, median and p95 latency in ms over N sequential requests through Django's test
  ``Client`` (the whole Django stack — middleware, django-ninja, serialisation — without a network or a
  web server), the number of database queries one request issues, the HTTP status and the ``count`` the
  list endpoint reports.
- ``export_ms``: ``export_catalog(path)`` of the whole catalog to an .xlsx file; ``export_kb`` its size.
- ``import_dry_run_ms``: ``import_catalog(path, dry_run=True)`` of that file (every cell validated, the writes
  done and rolled back); ``import_ok`` and ``import_summary`` are from the returned report.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govhall.catalog.choices import ItemStatus
from govhall.catalog.excel import export_catalog, import_catalog
from govhall.catalog.models import ServiceItem


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _requests() -> dict[str, str]:
    # The published item with the most materials: the heaviest service guide.
    from django.db.models import Count

    detail = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .annotate(n=Count("materials"))
        .order_by("-n", "impl_code")
        .values_list("impl_code", flat=True)
        .first()
    )
    return {
        "search_营业执照": f"/api/v1/items?q={quote('营业执照')}",
        "search_食品经营许可": f"/api/v1/items?q={quote('食品经营许可')}",
        "filter_only": "/api/v1/items?item_type=01&online_depth=4&limit=20",
        "detail": f"/api/v1/items/{detail}",
    }


def _bench_request(client: Client, url: str, runs: int) -> dict[str, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Read now: the next request's request_started signal empties the connection's query log.
    queries = len(captured)
    body = response.json()
    for _ in range(3):  # warm-up
        client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    result: dict[str, Any] = {
        "url": url,
        "status": response.status_code,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(_p95(times), 2),
        "runs": runs,
        "queries": queries,
    }
    if isinstance(body, dict) and "count" in body:
        result["count"] = body["count"]
    return result


def run(quick: bool = False, work_dir: Path | None = None) -> dict[str, Any]:
    runs = 30 if quick else 200
    excel_runs = 1 if quick else 3
    work_dir = work_dir or Path.cwd()

    items = ServiceItem.objects.count()
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
    client = Client()
    api = {name: _bench_request(client, url, runs) for name, url in _requests().items()}

    path = work_dir / "catalog-bench.xlsx"
    export_ms = []
    for _ in range(excel_runs):
        started = time.perf_counter()
        export_catalog(path)
        export_ms.append((time.perf_counter() - started) * 1000)

    import_ms = []
    report = None
    for _ in range(excel_runs):
        started = time.perf_counter()
        report = import_catalog(path, dry_run=True)
        import_ms.append((time.perf_counter() - started) * 1000)
    assert report is not None

    return {
        "items": items,
        "published_items": published,
        "api": api,
        "export_ms": round(statistics.median(export_ms)),
        "export_kb": round(path.stat().st_size / 1024),
        "import_dry_run_ms": round(statistics.median(import_ms)),
        "import_ok": report.ok,
        "import_summary": report.summary() if report.ok else [str(e) for e in report.errors[:5]],
        "excel_runs": excel_runs,
    }
