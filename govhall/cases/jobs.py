"""Background work claimed from indexed due columns (several workers may run at once)."""

from __future__ import annotations

from govhall.documents.actions import seal_pending

from .actions import deem_accepted_due


def run_due_jobs(*, limit: int = 200) -> dict[str, int]:
    return {"deemed_accepted": deem_accepted_due(limit=limit), "documents_sealed": seal_pending(limit=limit)}
