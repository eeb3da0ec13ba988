"""Normative documents through their actions, with hand-computed dates: the 7-working-day comment period, the
30-day filing limit (rolled past a Sunday), the five-year validity with its 90-day alert, a citizen's review request
on its 60-day clock, clean-up and repeal, and the rule that no stage can be skipped."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.clocks.choices import ClockKind, ClockState, ClockUnit
from govhall.core.models import AuditEvent, AuditEventType
from govhall.disclosure.choices import DisclosureCategory, Validity
from govhall.disclosure.models import DisclosureRecord
from govhall.notifications.models import Notification
from govhall.rulemaking import actions
from govhall.rulemaking.choices import DocStage
from govhall.rulemaking.models import NormativeDocument
from govhall.rulemaking.queries import yearly_figures
from govhall.supervision.actions import sweep_once
from govhall.supervision.models import Alert

from .conftest import County, discussed, local


def test_comment_period_is_seven_working_days_and_closes_itself(county: County) -> None:
    c = county
    doc = actions.draft_document(
        by=c["head"], organ=c.departments["scjg"], title="县农贸市场管理办法", at=local(2026, 3, 2, 9)
    )
    assert doc.number == "GFWJ-2026-0001" and doc.stage == DocStage.DRAFTING
    doc = actions.open_comment(doc, by=c["head"], at=local(2026, 3, 2, 10))  # Monday
    clock = doc.comment_clock
    assert clock is not None and clock.kind == ClockKind.NORMATIVE_COMMENT and clock.unit == ClockUnit.WORKDAY
    # 3, 4, 5, 6, 9, 10, 11 March: the seventh working day after the Monday it opened.
    assert clock.due_day == date(2026, 3, 11)
    assert (
        clock.owner_department == c.departments["scjg"] and clock.owner_type == "rulemaking.normativedocument"
    )
    comment = actions.record_comment(
        doc, by=None, commenter="李摊主", content="摊位费标准请公示", at=local(2026, 3, 11, 16)
    )
    # Too early to send for review: the period runs to the end of 11 March.
    with pytest.raises(ValidationError) as exc:
        actions.submit_for_review(doc, by=c["head"], at=local(2026, 3, 11, 17))
    assert "2026-03-11" in exc.value.message_dict["stage"][0]
    # The daily round closes the period at its deadline; later opinions are refused.
    assert actions.run_expiry(at=local(2026, 3, 12, 1))["comment_closed"] == 1
    clock.refresh_from_db()
    assert clock.state == ClockState.STOPPED and clock.late is False
    with pytest.raises(ValidationError) as exc:
        actions.record_comment(doc, by=None, commenter="王某", content="晚到的意见", at=local(2026, 3, 12, 9))
    assert "届满" in exc.value.message_dict["content"][0]
    # Every opinion answered before review.
    with pytest.raises(ValidationError) as exc:
        actions.submit_for_review(doc, by=c["head"], at=local(2026, 3, 12, 9))
    assert set(exc.value.message_dict) == {"comments"}
    actions.answer_comment(
        comment, by=c["head"], adopted=True, answer="采纳，增加公示条款", at=local(2026, 3, 12, 9)
    )
    doc = actions.submit_for_review(doc, by=c["head"], at=local(2026, 3, 12, 10))
    assert doc.stage == DocStage.REVIEW and doc.comments.count() == 1


def test_comment_period_shorter_than_the_minimum_is_refused(county: County) -> None:
    c = county
    doc = actions.draft_document(
        by=c["head"], organ=c.departments["scjg"], title="县某办法", at=local(2026, 3, 2, 9)
    )
    with pytest.raises(ValidationError) as exc:
        actions.open_comment(doc, by=c["head"], workdays=5, at=local(2026, 3, 2, 10))
    assert set(exc.value.message_dict) == {"workdays"}
    doc.refresh_from_db()
    assert doc.stage == DocStage.DRAFTING and doc.comment_clock is None


def test_no_stage_can_be_skipped(county: County) -> None:
    c = county
    doc = actions.draft_document(
        by=c["head"], organ=c.departments["scjg"], title="县某办法", at=local(2026, 3, 2, 9)
    )
    with pytest.raises(ValidationError) as exc:
        actions.review_legality(
            doc, by=c["legal"], conclusion="lawful", opinion="合法", at=local(2026, 3, 2, 10)
        )
    assert exc.value.message_dict["stage"][0] == (
        "不能进行合法性审核：文件处于“起草”阶段，须先经过“公开征求意见、合法性审核”，程序不得跳过"
    )
    with pytest.raises(ValidationError) as exc:
        actions.publish_document(
            doc, by=c["head"], document_number="示市监〔2026〕1号", at=local(2026, 3, 2, 10)
        )
    assert "公开征求意见、合法性审核、集体审议" in exc.value.message_dict["stage"][0]
    with pytest.raises(ValidationError):
        actions.file_document(doc, by=c["head"], filed_with="县人民政府", at=local(2026, 3, 2, 10))
    with pytest.raises(ValidationError):
        actions.repeal_document(doc, by=c["legal"], reason="x", at=local(2026, 3, 2, 10))
    doc.refresh_from_db()
    assert doc.stage == DocStage.DRAFTING
    # An unlawful draft goes back to drafting and must be commented on again.
    doc = actions.open_comment(doc, by=c["head"], at=local(2026, 3, 2, 10))
    doc = actions.submit_for_review(doc, by=c["head"], at=local(2026, 3, 12, 9))
    doc = actions.review_legality(
        doc, by=c["legal"], conclusion="unlawful", opinion="增设许可条件", at=local(2026, 3, 13, 9)
    )
    assert doc.stage == DocStage.DRAFTING
    with pytest.raises(ValidationError):
        actions.record_discussion(
            doc,
            by=c["leader"],
            meeting="常务会议",
            held_on=date(2026, 3, 13),
            approved=True,
            at=local(2026, 3, 13, 10),
        )


def test_roles_are_checked(county: County) -> None:
    c = county
    with pytest.raises(PermissionDenied):
        actions.draft_document(by=c["clerk"], organ=c.departments["scjg"], title="x", at=local(2026, 3, 2, 9))
    with pytest.raises(PermissionDenied):  # another organ's head
        actions.draft_document(
            by=c["zj_head"], organ=c.departments["scjg"], title="x", at=local(2026, 3, 2, 9)
        )
    doc = actions.draft_document(
        by=c["head"], organ=c.departments["scjg"], title="x", at=local(2026, 3, 2, 9)
    )
    doc = actions.open_comment(doc, by=c["head"], at=local(2026, 3, 2, 10))
    doc = actions.submit_for_review(doc, by=c["head"], at=local(2026, 3, 12, 9))
    with pytest.raises(PermissionDenied):  # the organ does not review its own draft
        actions.review_legality(
            doc, by=c["head"], conclusion="lawful", opinion="合法", at=local(2026, 3, 12, 9)
        )


def test_publication_gives_an_index_number_and_starts_filing_and_validity(county: County) -> None:
    c = county
    doc = discussed(c)
    with pytest.raises(ValidationError) as exc:
        actions.publish_document(doc, by=c["head"], document_number=" ", at=local(2026, 3, 20, 9))
    assert set(exc.value.message_dict) == {"document_number"}
    with pytest.raises(ValidationError) as exc:
        actions.publish_document(
            doc, by=c["head"], document_number="示市监规〔2026〕1号", valid_years=6, at=local(2026, 3, 20, 9)
        )
    assert set(exc.value.message_dict) == {"valid_years"}
    assert DisclosureRecord.objects.count() == 0
    doc = actions.publish_document(
        doc,
        by=c["head"],
        document_number="示市监规〔2026〕1号",
        effective_from=date(2026, 4, 1),
        at=local(2026, 3, 20, 9),
    )
    record = DisclosureRecord.objects.get()
    assert record.category == DisclosureCategory.NORMATIVE and record.index_number
    assert doc.index_number == record.index_number and doc.disclosure_url == record.get_absolute_url()
    assert record.source_id == str(doc.pk) and record.organ == c.departments["scjg"]
    assert doc.stage == DocStage.PUBLISHED and doc.published_on == date(2026, 3, 20)
    # Five years from 1 April 2026: in force to 31 March 2031.
    assert doc.valid_until == date(2031, 3, 31)
    # Filing: 30 days from Friday 20 March is Sunday 19 April, so the limit runs to Monday 20 April.
    assert doc.filing_clock is not None and doc.filing_clock.kind == ClockKind.NORMATIVE_FILING
    assert doc.filing_clock.due_day == date(2026, 4, 20)
    assert doc.validity_clock is not None and doc.validity_clock.kind == ClockKind.NORMATIVE_VALIDITY
    assert doc.validity_clock.start_day == date(2026, 4, 1)
    assert AuditEvent.objects.filter(event_type=AuditEventType.NORMATIVE_PUBLISHED).count() == 1


@pytest.mark.parametrize(("day", "late"), [(20, False), (21, True)])
def test_filing_on_time_or_late(county: County, day: int, late: bool) -> None:
    c = county
    doc = actions.publish_document(
        discussed(c), by=c["head"], document_number="示市监规〔2026〕1号", at=local(2026, 3, 20, 9)
    )
    sweep_once(at=local(2026, 4, day, 9))
    doc = actions.file_document(
        doc, by=c["head"], filed_with="县人民政府", filing_number="BA-2026-3", at=local(2026, 4, day, 15)
    )
    assert doc.stage == DocStage.FILED and doc.filed_late is late
    assert doc.filing_clock is not None and doc.filing_clock.state == ClockState.STOPPED
    figures = yearly_figures(2026)["documents"]
    assert figures["published"] == 1 and figures["filed_on_time"] == (0 if late else 1)
    # Electronic supervision lit the filing clock from its owner fields alone: red the morning after the limit
    # (a natural-day clock's yellow starts with its last day, which ends at the same instant here).
    alerts = Alert.objects.filter(clock=doc.filing_clock)
    assert [(a.level, a.department) for a in alerts] == ([("red", c.departments["scjg"])] if late else [])
    assert figures["filed_late"] == (1 if late else 0)


def test_expiry_alert_ninety_days_ahead_then_expiry(county: County) -> None:
    c = county
    doc = actions.publish_document(
        discussed(c),
        by=c["head"],
        document_number="示市监规〔2026〕1号",
        effective_from=date(2026, 4, 1),
        at=local(2026, 3, 20, 9),
    )
    actions.file_document(doc, by=c["head"], filed_with="县人民政府", at=local(2026, 3, 25, 9))
    # 31 March 2031 less 90 days is 31 December 2030.
    assert actions.run_expiry(at=local(2030, 12, 30, 9))["expiry_alerts"] == 0
    assert actions.run_expiry(at=local(2030, 12, 31, 9))["expiry_alerts"] == 1
    assert actions.run_expiry(at=local(2031, 1, 5, 9))["expiry_alerts"] == 0  # once only
    sent = Notification.objects.filter(kind="rulemaking_expiry")
    assert {n.user for n in sent} == {c["legal"], c["head"]}
    assert "2031-03-31" in sent.first().body and "90 天" in sent.first().body
    assert actions.run_expiry(at=local(2031, 3, 31, 23))["expired"] == 0
    assert actions.run_expiry(at=local(2031, 4, 1, 0, 30))["expired"] == 1
    doc.refresh_from_db()
    assert doc.stage == DocStage.EXPIRED and doc.validity_clock is not None
    assert doc.validity_clock.state == ClockState.STOPPED and doc.validity_clock.late is False
    assert yearly_figures(2031)["documents"]["expired"] == 1


def test_citizen_review_on_a_sixty_day_clock(county: County) -> None:
    c = county
    doc = actions.publish_document(
        discussed(c), by=c["head"], document_number="示市监规〔2026〕1号", at=local(2026, 3, 20, 9)
    )
    with pytest.raises(ValidationError) as exc:
        actions.request_review(doc, applicant=" ", reason="", at=local(2026, 5, 6, 10))
    assert set(exc.value.message_dict) == {"applicant", "reason"}
    first = actions.request_review(
        doc, applicant="赵某", reason="第八条增设许可条件", at=local(2026, 5, 6, 10)
    )
    second = actions.request_review(doc, applicant="钱某", reason="收费无依据", at=local(2026, 5, 6, 11))
    assert first.number == "SCSQ-2026-0001" and second.number == "SCSQ-2026-0002"
    # 6 May + 60 days = 5 July, a Sunday: due Monday 6 July.
    assert first.clock is not None and first.clock.due_day == date(2026, 7, 6)
    assert first.clock.owner_type == "rulemaking.citizenreview" and first.clock.owner_id == first.pk
    with pytest.raises(PermissionDenied):
        actions.answer_review(first, by=c["head"], outcome="lawful", answer="维持", at=local(2026, 7, 6, 9))
    first = actions.answer_review(
        first, by=c["legal"], outcome="lawful", answer="未发现违法", at=local(2026, 7, 6, 16)
    )
    assert first.clock is not None and first.clock.late is False
    second = actions.answer_review(
        second, by=c["legal"], outcome="repeal", answer="收费无依据，予以废止", at=local(2026, 7, 7, 9)
    )
    assert second.clock is not None and second.clock.late is True
    doc.refresh_from_db()
    assert doc.stage == DocStage.REPEALED and "SCSQ-2026-0002" in doc.end_reason
    with pytest.raises(ValidationError):  # no review of a repealed document
        actions.request_review(doc, applicant="孙某", reason="x", at=local(2026, 7, 8, 9))
    f = yearly_figures(2026)
    assert f["citizen_reviews"] == {
        "received": 2,
        "answered": 2,
        "answered_late": 1,
        "lawful": 1,
        "correct": 0,
        "repeal": 1,
        "rejected": 0,
    }
    assert f["documents"]["repealed"] == 1


def test_cleanup_round_keep_and_repeal(county: County) -> None:
    c = county
    a = actions.publish_document(
        discussed(c, title="甲办法"), by=c["head"], document_number="甲〔2026〕1号", at=local(2026, 3, 20, 9)
    )
    b = actions.publish_document(
        discussed(c, title="乙办法"), by=c["head"], document_number="乙〔2026〕2号", at=local(2026, 3, 20, 9)
    )
    cleanup = actions.start_cleanup(by=c["legal"], title="2026年度规范性文件清理", at=local(2026, 11, 2, 9))
    with pytest.raises(ValidationError):
        actions.start_cleanup(by=c["legal"], title="第二轮", at=local(2026, 11, 2, 9))
    actions.decide_cleanup(cleanup, a, by=c["legal"], decision="keep", at=local(2026, 11, 3, 9))
    with pytest.raises(ValidationError) as exc:
        actions.close_cleanup(cleanup, by=c["legal"], at=local(2026, 11, 3, 9))
    assert "1 件" in exc.value.message_dict["round"][0]
    with pytest.raises(ValidationError) as exc:
        actions.decide_cleanup(cleanup, b, by=c["legal"], decision="repeal", at=local(2026, 11, 3, 9))
    assert set(exc.value.message_dict) == {"reason"}
    actions.decide_cleanup(
        cleanup, b, by=c["legal"], decision="repeal", reason="上位法已修改", at=local(2026, 11, 3, 9)
    )
    actions.close_cleanup(cleanup, by=c["legal"], at=local(2026, 11, 4, 9))
    b.refresh_from_db()
    # Still in the disclosure catalog, now marked repealed.
    assert DisclosureRecord.objects.get(index_number=b.index_number).validity == Validity.INVALID
    assert DisclosureRecord.objects.get(index_number=a.index_number).validity == Validity.VALID
    assert (
        b.stage == DocStage.REPEALED
        and b.validity_clock is not None
        and b.validity_clock.state == ClockState.STOPPED
    )
    assert yearly_figures(2026)["cleanup"] == {"keep": 1, "amend": 0, "repeal": 1}
    assert NormativeDocument.objects.filter(stage=DocStage.PUBLISHED).count() == 1
