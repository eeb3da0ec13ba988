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
    assert jobs._registered == {"stats_entries": refresh_facts}
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
        "stats_entries",
        "probe",
    ]
    assert result["deemed_accepted"] == 1 and result["probe"] == 1
    assert result["stats_entries"] == LedgerEntry.objects.count() == seen[0]
    assert LedgerEntry.objects.filter(subject=case.number, action=CaseEvent.DEEMED_ACCEPTED).exists()
    with pytest.raises(ValueError):
        jobs.register_job("documents_sealed", lambda: 0)
