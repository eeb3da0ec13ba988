"""Background work claimed from indexed due columns (several workers may run at once)."""

from __future__ import annotations

from govhall.documents.actions import seal_pending
from govhall.notifications.delivery import deliver_pending
from govhall.stats.refresh import refresh_facts

from .actions import deem_accepted_due


def run_due_jobs(*, limit: int = 200, documents: int = 20) -> dict[str, int]:
    """One round. Sealing costs ~35 ms a document, so a round seals few: a stop signal is honoured within a second."""
    return {
        "deemed_accepted": deem_accepted_due(limit=limit),
        "documents_sealed": seal_pending(limit=documents),
        "notifications_sent": deliver_pending(limit=limit)["sent"],
        "stats_entries": refresh_facts(),
    }
