"""《行政许可法》 art. 32 intake outcomes, the single correction notice and deemed acceptance."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.cases import actions
from govhall.cases.actions import OutOfProcedure
from govhall.cases.choices import CaseStatus, Channel, Decision, IntakeOutcome
from govhall.cases.models import Case, OutOfProcedureAttempt
from govhall.cases.uploads import Upload
from govhall.clocks.actions import status
from govhall.clocks.choices import ClockState, Light
from govhall.documents.models import Document
from govhall.ledger.models import LedgerEntry

from .conftest import PDF, PERSON, local, uploads_for

CANCEL = "企业营业执照注销登记"  # standard process, promised 3 working days, legal 15


def submit(hall, name=CANCEL, *, skip=(), by="clerk", channel=Channel.WINDOW, applicant=PERSON):
    item = hall.item(name)
    return actions.submit_application(
        item=item, applicant=applicant, channel=channel, by=hall[by], uploads=uploads_for(item, skip=skip)
    )


def test_accept_starts_promised_and_legal_clocks(hall, at):
    with at(2026, 3, 2, 10):
        case = submit(hall)
        assert case.status == CaseStatus.SUBMITTED
        assert case.intake_clock.due_day == dt.date(2026, 3, 9)  # 5 working days after Monday 2 March
        accepted = actions.accept_case(case, by=hall["clerk"])
    # Acceptance writes only the columns it sets: whatever it set in memory is what the row now holds.
    columns = [f.attname for f in Case._meta.concrete_fields]
    stored = Case.objects.get(pk=case.pk)
    assert {c: getattr(accepted, c) for c in columns} == {c: getattr(stored, c) for c in columns}
    assert stored.item_version and stored.promised_limit and stored.joint_department_ids is not None
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.intake_outcome == IntakeOutcome.ACCEPTED
    assert case.accepted_day == dt.date(2026, 3, 2)
    assert case.clock.due_day == dt.date(2026, 3, 5)  # promised: 3 working days
    assert case.legal_clock.due_day == dt.date(2026, 3, 23)  # legal: 15 working days
    assert case.intake_clock.state == ClockState.STOPPED
    assert Document.objects.filter(case_number=case.number, kind="acceptance").count() == 1
    assert case.tasks.filter(status="open").count() == 1
    # In the order written: the entries are not linked yet (no seq, which the model orders by).
    written = LedgerEntry.objects.filter(subject=case.number).order_by("pk")
    assert list(written.values_list("action", flat=True)) == [
        "submitted",
        "accepted",
    ]


def test_incomplete_application_cannot_be_accepted(hall, at):
    with at(2026, 3, 2, 10):
        case = submit(hall, skip=("公司章程",))
        with pytest.raises(ValidationError) as exc:
            actions.accept_case(case, by=hall["clerk"])
    assert "公司章程" in str(exc.value) and "一次性告知" in str(exc.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_acceptance_reads_again_the_materials_its_lock_statement_found_missing(hall, at, monkeypatch):
    """The materials still missing are read in the statement that locks the case, as they were when it began: a
    correction handed in while acceptance waited for the lock is not in that read. A case found short is read
    again alone before being refused — here the lock's read is made to answer as it would in that race."""
    from govhall.cases.actions import intake

    with at(2026, 3, 2, 10):
        case = submit(hall)  # everything handed in
    charter = hall.item(CANCEL).materials.get(name="公司章程")
    real, calls = intake.lock_case_reading, []

    def as_before_the_wait(*args, **kwargs):
        locked, _ = real(*args, **kwargs)
        calls.append(args[1])
        return locked, [charter]  # what the snapshot would show had the charter arrived during the wait

    monkeypatch.setattr(intake, "lock_case_reading", as_before_the_wait)
    with at(2026, 3, 2, 11):
        actions.accept_case(case, by=hall["clerk"])
    assert calls == [intake._MISSING_MATERIALS_OF_CASE]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_one_time_correction_then_acceptance(hall, at):
    item = hall.item(CANCEL)
    charter = item.materials.get(name="公司章程")
    with at(2026, 3, 2, 10):
        case = submit(hall, skip=("公司章程",), by="applicant", channel=Channel.ONLINE)
        actions.request_correction(
            case, by=hall["clerk"], missing=[{"material": charter.pk, "reason": "未提交"}]
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    assert case.intake_clock.state == ClockState.PAUSED
    assert Document.objects.filter(case_number=case.number, kind="correction").count() == 1
    # A second notice for the same application is refused, and the attempt is recorded.
    with at(2026, 3, 2, 11), pytest.raises(OutOfProcedure, match="不得再次要求补正"):
        actions.request_correction(case, by=hall["clerk"], missing=[{"name": "营业执照正本"}])
    assert OutOfProcedureAttempt.objects.filter(case=case, action="correction").count() == 1
    assert Document.objects.filter(case_number=case.number, kind="correction").count() == 1
    # Someone else may not hand in the applicant's materials online.
    with at(2026, 3, 4, 9), pytest.raises(PermissionDenied):
        actions.submit_correction(case, by=hall["approver"], uploads=[Upload("c.pdf", PDF, charter.pk)])
    with at(2026, 3, 4, 9):
        actions.submit_correction(case, by=hall["applicant"], uploads=[Upload("c.pdf", PDF, charter.pk)])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.intake_clock.state == ClockState.RUNNING
    # Paused Monday to Wednesday: two working days were not counted (Tue, Wed), so the 5 days end two days later.
    assert case.intake_clock.due_day == dt.date(2026, 3, 11)
    with at(2026, 3, 4, 10):
        actions.accept_case(case, by=hall["clerk"])
        with pytest.raises(OutOfProcedure):
            actions.request_correction(case, by=hall["approver"], missing=[{"name": "其他"}])
    case.refresh_from_db()
    assert case.accepted_day == dt.date(2026, 3, 4)
    assert case.intake_clock.state == ClockState.STOPPED and case.intake_clock.stopped_at == local(
        2026, 3, 4, 10
    )


def test_acceptance_stops_an_intake_clock_it_finds_paused(hall, at):
    """Acceptance reads the intake clock with the case's lock and stops a running one as a trailing write; one
    found paused is resumed and stopped (the paused time not counted)."""
    from govhall.clocks import actions as clocks

    with at(2026, 3, 2, 10):
        case = submit(hall)
    with at(2026, 3, 3, 10):
        clocks.pause_clock(case.intake_clock, at=local(2026, 3, 3, 10))
    with at(2026, 3, 4, 10):
        actions.accept_case(Case.objects.get(pk=case.pk), by=hall["clerk"])
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.intake_clock.state == ClockState.STOPPED and case.intake_clock.stopped_at == local(
        2026, 3, 4, 10
    )
    assert case.intake_clock.paused_amount > 0 and case.intake_clock.paused_since is None


def test_refusal_needs_reasons_and_names_remedies(hall, at):
    with at(2026, 3, 2, 10):
        case = submit(hall)
        with pytest.raises(ValidationError) as exc:
            actions.refuse_application(case, by=hall["clerk"], reasons="  ")
        assert "reasons" in exc.value.message_dict
        actions.refuse_application(case, by=hall["clerk"], reasons="申请人不具备申请资格")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ACCEPTED and case.intake_outcome == IntakeOutcome.REFUSED
    doc = Document.objects.get(case_number=case.number, kind="refusal")
    assert "行政复议" in doc.content["remedies"] and "行政诉讼" in doc.content["remedies"]
    assert "申请人不具备申请资格" in " ".join(doc.content["paragraphs"])


def test_not_our_agency_names_the_right_agency(hall, at):
    with at(2026, 3, 2, 10):
        case = submit(hall)
        with pytest.raises(ValidationError):
            actions.redirect_application(case, by=hall["clerk"], agency="")
        actions.redirect_application(case, by=hall["clerk"], agency="市市场监督管理局", reason="属市级权限")
    case.refresh_from_db()
    assert case.status == CaseStatus.REDIRECTED and case.redirect_agency == "市市场监督管理局"
    assert Document.objects.filter(case_number=case.number, kind="redirect").exists()


def test_deemed_acceptance_after_five_working_days_from_receipt(hall, at):
    with at(2026, 3, 2, 10):
        case = submit(hall)
    # The intake clock expires at the end of Monday 9 March (24:00 Shanghai).
    with at(2026, 3, 9, 23, 59):
        assert actions.deem_accepted_due() == 0
    with at(2026, 3, 10, 0, 0, 1):
        assert actions.deem_accepted_due() == 1
        assert actions.deem_accepted_due() == 0
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.intake_outcome == IntakeOutcome.DEEMED
        # Accepted from the receipt day: the 3-day promise ran out on 5 March and the case is already red.
        assert case.accepted_day == dt.date(2026, 3, 2)
        assert case.clock.due_day == dt.date(2026, 3, 5)
        assert status(case.clock).light == Light.RED
    assert LedgerEntry.objects.filter(subject=case.number, action="deemed_accepted", actor=None).count() == 1
    doc = Document.objects.get(case_number=case.number, kind="acceptance")
    assert "视为受理" in " ".join(doc.content["paragraphs"])


def test_instant_item_decided_in_one_sitting(hall, at):
    with at(2026, 3, 2, 10):
        case = submit(hall, "企业营业执照设立登记")
        actions.handle_instant(case, by=hall["clerk"])
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.decision == Decision.APPROVED
    assert case.accepted_at == case.decided_at
    assert case.clock.late is False
    kinds = set(Document.objects.filter(case_number=case.number).values_list("kind", flat=True))
    assert {"acceptance", "approval", "certificate"} <= kinds
    # The licence is titled with its own name and names its holder once (the recipient line), not twice.
    licence = Document.objects.get(case_number=case.number, kind="certificate")
    assert licence.title == case.item.result_name and licence.title != "证照"
    assert licence.content["recipient"] == case.applicant_name
    assert not any(case.applicant_name in p for p in licence.content["paragraphs"])
    # GB/T 9704: the sequence of the document number unpadded.
    assert licence.number.endswith("〕1号")


def test_channels_are_checked(hall, at):
    with at(2026, 3, 2, 10):
        with pytest.raises(PermissionDenied):
            submit(hall, by="approver")  # not a window clerk
        with pytest.raises(PermissionDenied):
            submit(hall, by="clerk", channel=Channel.AGENT)
        with pytest.raises(ValidationError, match="不支持网上申请"):
            submit(hall, "社会保障卡申领", by="applicant", channel=Channel.ONLINE)
        agent_case = submit(hall, by="agent", channel=Channel.AGENT)
        # The agent acts for the applicant but the intake decision is the window's.
        with pytest.raises(PermissionDenied):
            actions.accept_case(agent_case, by=hall["agent"])
    assert Case.objects.count() == 1


def test_bad_identity_and_files_are_refused_in_chinese(hall, at):
    item = hall.item(CANCEL)
    bad_person = actions.ApplicantData(kind="person", name="张三", id_number="110105194912310021")
    with at(2026, 3, 2, 10):
        with pytest.raises(ValidationError) as exc:
            actions.submit_application(item=item, applicant=bad_person, channel="window", by=hall["clerk"])
        assert "applicant.id_number" in exc.value.message_dict
        with pytest.raises(ValidationError, match="内容与扩展名不符"):
            actions.submit_application(
                item=item,
                applicant=PERSON,
                channel="window",
                by=hall["clerk"],
                uploads=[Upload("a.pdf", b"MZ\x90\x00")],
            )
        with pytest.raises(ValidationError, match="格式不支持"):
            actions.submit_application(
                item=item,
                applicant=PERSON,
                channel="window",
                by=hall["clerk"],
                uploads=[Upload("a.exe", b"MZ\x90\x00")],
            )
    assert Case.objects.count() == 0
    assert not LedgerEntry.objects.exists()


def test_withdrawal_stops_every_clock(hall, at):
    with at(2026, 3, 2, 10):
        case = submit(hall, by="applicant", channel=Channel.ONLINE)
        actions.accept_case(case, by=hall["clerk"])
    with at(2026, 3, 3, 10):
        actions.withdraw_case(case, by=hall["applicant"], reason="不再需要")
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.clock.state == ClockState.STOPPED
    assert not case.tasks.filter(status__in=["open", "claimed"]).exists()
    with at(2026, 3, 3, 11), pytest.raises(OutOfProcedure):
        actions.withdraw_case(case, by=hall["applicant"])


def test_local_helper():
    assert local(2026, 3, 2).utcoffset() == dt.timedelta(hours=8)


def test_an_identity_applying_again_keeps_its_record_and_a_lost_race_finds_the_winners(hall, at, monkeypatch):
    from govhall.cases.actions import intake
    from govhall.cases.models import Applicant

    with at(2026, 3, 2, 10):
        first = submit(hall)
        again = submit(hall, applicant=dataclasses.replace(PERSON, phone="13900139000"))
        assert again.applicant_id == first.applicant_id  # found again: the hall's one record of the identity
        assert (
            Applicant.objects.get(pk=first.applicant_id).phone == "13900139000"
        )  # updated with what was given
        # Another window's first application of the same identity committed between our read and our INSERT (on
        # PostgreSQL: after our statement's snapshot, before its INSERT met the row): the read saw nothing, the
        # INSERT meets the unique constraint, the record is read again and the action goes on.
        beside = intake._HALL_APPLICANT.objects_beside
        monkeypatch.setattr(intake._HALL_APPLICANT, "objects", lambda *values, **kw: [])
        monkeypatch.setattr(
            intake._HALL_APPLICANT,
            "objects_beside",
            lambda write, params, *values, **kw: (beside(write, params, *values, **kw)[0], []),
        )
        raced = submit(hall)
    assert raced.applicant_id == first.applicant_id
    assert Applicant.objects.filter(id_number=PERSON.id_number, user=None).count() == 1


def test_an_online_account_cannot_take_over_someone_elses_identity(hall, at):
    from django.contrib.auth import get_user_model

    from govhall.cases.access import cases_visible_to

    stranger = get_user_model().objects.create_user("stranger", password="x-unused-pw")
    impostor = actions.ApplicantData(kind="person", name="冒名者", id_number=PERSON.id_number)
    with at(2026, 3, 2, 10):
        window_case = submit(hall)
        item = hall.item(CANCEL)
        online_case = actions.submit_application(
            item=item, applicant=impostor, channel="online", by=stranger, uploads=uploads_for(item)
        )
    window_case.refresh_from_db()
    assert window_case.applicant.name == "张三" and window_case.applicant.user is None
    assert online_case.applicant_id != window_case.applicant_id
    assert set(cases_visible_to(stranger)) == {online_case}


def test_an_application_reads_its_process_version_with_its_number(hall, at):
    """The item's active process version rides on the case-number counter's statement: the day's first case
    (its counter row made then) and the next get consecutive numbers and the active version; with no version
    active the application is refused in Chinese and its number goes back."""
    from govhall.cases.models import CaseNumberCounter
    from govhall.workflow.engine import get_active
    from govhall.workflow.models import ProcessDefinition

    item = hall.item(CANCEL)
    with at(2026, 3, 4, 9):
        assert not CaseNumberCounter.objects.filter(day=dt.date(2026, 3, 4)).exists()
        first, second = submit(hall), submit(hall)
    active = get_active(item.process_template)
    assert (first.number, second.number) == ("20260304000001", "20260304000002")
    assert first.process_id == second.process_id == active.pk
    ProcessDefinition.objects.filter(code=item.process_template).update(active=False)
    with at(2026, 3, 4, 10), pytest.raises(ValidationError) as caught:
        submit(hall)
    assert caught.value.messages[0].startswith("未配置办理流程")
    assert CaseNumberCounter.objects.get(day=dt.date(2026, 3, 4)).last == 2
