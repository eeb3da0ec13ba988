"""The background worker: deemed acceptance, sealing and delivery in one round."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from govhall.cases.choices import CaseStatus, IntakeOutcome
from govhall.documents.models import Document
from govhall.notifications.models import Notification

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
