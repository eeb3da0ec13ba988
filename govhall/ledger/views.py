"""The public page of the audit checkpoints: anyone may read and keep copies of them (no login)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .checkpoints import CHAIN_LABELS, CheckpointError, load_public_key, published, recent

PAGE_SHOWN = 100
JSON_PAGE = 1000


def _public_key() -> str | None:
    try:
        return load_public_key()
    except CheckpointError:
        return None


def _after(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("after", "0")))
    except ValueError:
        return 0


@require_GET
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    checkpoints, total = recent(PAGE_SHOWN)
    public_key = _public_key()
    context: dict[str, Any] = {
        "checkpoints": checkpoints,
        "total": total,
        "shown": PAGE_SHOWN,
        "public_key": public_key,
        "chain_labels": CHAIN_LABELS,
    }
    return render(request, "ledger/checkpoints.html", context)


@require_GET
def checkpoint_json(request: HttpRequest) -> JsonResponse:
    """Every checkpoint as signed, `JSON_PAGE` at a time from `?after=N` (the last number already held)."""
    after = _after(request)
    page = published(after=after, limit=JSON_PAGE + 1)
    more = len(page) > JSON_PAGE
    page = page[:JSON_PAGE]
    data: dict[str, Any] = {
        "algorithm": "SM2 签名（GB/T 32918，SM3 摘要，用户标识 1234567812345678），签名覆盖 number、at、chains、key_id 的规范 JSON",
        "public_key": _public_key(),
        "chains": CHAIN_LABELS,
        "checkpoints": [c.as_json() for c in page],
        "next_after": page[-1].number if more else None,
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
