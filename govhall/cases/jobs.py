"""Background work claimed from indexed due columns (several workers may run at once).

A round runs the case layer's own jobs first, in an order that matters (what a deemed acceptance issues is sealed,
and what it tells the applicant is sent, in the same round; then the audit entries are linked), then the jobs that apps above cases registered with
`register_job` from their `AppConfig.ready()` (the statistics refresh). Cases may not import those apps, so they
come to the worker rather than the worker to them."""

from __future__ import annotations

from collections.abc import Callable

from govhall.documents.actions import seal_pending
from govhall.ledger.actions import link as link_audit
from govhall.notifications.delivery import deliver_pending

from .actions import deem_accepted_due

# A job does what is due now and returns how much it did (the round's JSON reports it under the job's name).
Job = Callable[[], int]

_OWN = ("deemed_accepted", "documents_sealed", "notifications_sent", "audit_linked")
_registered: dict[str, Job] = {}


def register_job(name: str, job: Job) -> None:
    """Run `job` at the end of every round, after the case layer's own jobs and those registered before it (the
    same name again replaces the job in its place)."""
    if name in _OWN:
        raise ValueError(f"{name} is one of the worker's own jobs")
    _registered[name] = job


def run_due_jobs(*, limit: int = 200, documents: int = 20) -> dict[str, int]:
    """One round. Sealing costs ~35 ms a document, so a round seals few: a stop signal is honoured within a second."""
    result = {
        "deemed_accepted": deem_accepted_due(limit=limit),
        "documents_sealed": seal_pending(limit=documents),
        "notifications_sent": deliver_pending(limit=limit)["sent"],
        # The audit entries written since the last round (by the actions and by this round's own jobs) are chained
        # before the registered jobs read the chain; `manage.py link_audit` does it continuously in between.
        "audit_linked": link_audit(),
    }
    for name, job in _registered.items():
        result[name] = job()
    return result
