"""The background worker: deemed acceptance, sealing and delivery in one round."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from govhall.cases import jobs
from govhall.cases.choices import CaseStatus, IntakeOutcome
from govhall.cases.events import CaseEvent
from govhall.documents.models import Document
from govhall.ledger.models import LedgerEntry
from govhall.notifications.models import Notification
from govhall.stats.refresh import refresh_facts

from .test_intake import submit


def test_run_jobs_once_accepts_seals_and_delivers(hall, at, settings, tmp_path):
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.sms.FileSmsBackend"
    settings.GOVHALL_SMS_FILE_PATH = tmp_path / "sms.log"
    with at(2026, 3, 2, 10):
        case = submit(hall)
    with at(2026, 3, 10, 0, 0, 1):
        out = io.StringIO()
        call_command("run_jobs", "--once", stdout=out)
    result = json.loads(out.getvalue())
    case.refresh_from_db()
    assert result["deemed_accepted"] == 1
    assert case.status == CaseStatus.IN_PROGRESS and case.intake_outcome == IntakeOutcome.DEEMED
    assert result["documents_sealed"] == 1
    assert Document.objects.get(case_number=case.number).status == "sealed"
    # The applicant's phone got the receipt and acceptance messages by SMS.
    assert result["notifications_sent"] >= 2
    assert not Notification.objects.filter(channel="sms", sent_at=None).exists()
    assert case.number in (tmp_path / "sms.log").read_text(encoding="utf-8")


def test_a_round_runs_the_case_jobs_then_the_registered_ones(hall, at, monkeypatch):
    # Statistics sit above cases: the stats app registers its refresh; it runs last and sees the round's events.
    monkeypatch.setattr(jobs, "_registered", dict(jobs._registered))
    # Apps register in INSTALLED_APPS order: the ratings' invitations (govhall/ratings), then the statistics.
    assert list(jobs._registered) == [
        "ratings",
        "disclosure_abandoned",
        "stats_entries",
        "power_exercises_disclosed",
        "integrity_warnings",
        "rotation_alerts",
    ]
    assert jobs._registered["stats_entries"] is refresh_facts
    seen: list[int] = []
    jobs.register_job("probe", lambda: seen.append(LedgerEntry.objects.count()) or len(seen))
    with at(2026, 3, 2, 10):
        case = submit(hall)
    with at(2026, 3, 10, 0, 0, 1):
        result = jobs.run_due_jobs()
    assert list(result) == [
        "deemed_accepted",
        "documents_sealed",
        "notifications_sent",
        "audit_linked",
        "ratings",
        "disclosure_abandoned",
        "stats_entries",
        "power_exercises_disclosed",
        "integrity_warnings",
        "rotation_alerts",
        "probe",
    ]
    assert result["deemed_accepted"] == 1 and result["probe"] == 1
    # Every entry, the round's own deemed acceptance's too, is linked before the registered jobs read the chain.
    assert result["audit_linked"] == LedgerEntry.objects.count()
    assert not LedgerEntry.objects.filter(seq__isnull=True).exists()
    assert result["stats_entries"] == LedgerEntry.objects.count() == seen[0]
    assert LedgerEntry.objects.filter(subject=case.number, action=CaseEvent.DEEMED_ACCEPTED).exists()
    with pytest.raises(ValueError):
        jobs.register_job("documents_sealed", lambda: 0)


def test_a_case_that_fails_deemed_acceptance_is_pushed_back_and_the_others_accepted(hall, at, monkeypatch):
    from govhall.cases.actions import deemed
    from govhall.core.models import AuditEvent, AuditEventType

    with at(2026, 3, 2, 10):
        first, broken, last = submit(hall), submit(hall), submit(hall)
    real = deemed.accept_case

    def accept(case, **kwargs):
        if case.pk == broken.pk:
            raise RuntimeError("item data is inconsistent")
        return real(case, **kwargs)

    monkeypatch.setattr(deemed, "accept_case", accept)
    with at(2026, 3, 10, 0, 0, 1):
        assert deemed.deem_accepted_due() == 2
        # Right after, the broken one waits for its retry time: nothing is tried, nothing fails again.
        assert deemed.deem_accepted_due() == 0
        assert AuditEvent.objects.filter(event_type=AuditEventType.WORKER_ROW_FAILED).count() == 1
    statuses = {c.pk: c.status for c in type(first).objects.filter(pk__in=[first.pk, broken.pk, last.pk])}
    assert statuses == {
        first.pk: CaseStatus.IN_PROGRESS,
        broken.pk: CaseStatus.SUBMITTED,
        last.pk: CaseStatus.IN_PROGRESS,
    }
    event = AuditEvent.objects.get(event_type=AuditEventType.WORKER_ROW_FAILED)
    assert event.object_id == str(broken.pk) and "item data is inconsistent" in event.after["error"]
    monkeypatch.setattr(deemed, "accept_case", real)
    with at(2026, 3, 10, 0, 5):  # after the first back-off (60 s) it is retried and accepted
        assert deemed.deem_accepted_due() == 1
