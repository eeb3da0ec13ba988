"""The catalog's index numbers and the art. 26/30/32/33 clocks, with dates counted by hand across National Day
2026 (Oct 1–7 off, Sat Sep 20 and Sat Oct 10 worked) and the provisional year 2027 (only Oct 1–3 off)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.clocks.choices import ClockState
from govhall.core.models import AuditEvent
from govhall.disclosure import actions
from govhall.disclosure.choices import RecordStatus, RequestStatus
from govhall.disclosure.models import DisclosureRecord
from govhall.documents.actions import sealed_pdf

from .conftest import ORGAN_CODE, County, file, travel


def publish(
    county: County, title: str = "县国土空间总体规划（2021—2035年）", **kw: object
) -> DisclosureRecord:
    args: dict[str, object] = {
        "actor": county.officer,
        "organ": county.organ,
        "title": title,
        "category": "plan",
        "summary": "规划范围、目标与空间布局",
    }
    args.update(kw)
    return actions.publish_record(**args)  # type: ignore[arg-type]


def test_index_numbers_are_unique_and_never_reused(county: County, settings: object) -> None:
    with travel(2026, 3, 2, 9):
        first = publish(county)
        second = publish(county, "2026年部门预算", category="budget", source=county.other)
        assert first.index_number == f"{ORGAN_CODE}/2026-00001"
        assert second.index_number == f"{ORGAN_CODE}/2026-00002"
        withdrawn = actions.withdraw_record(first, actor=county.officer, reason="规划已调整，另行公布")
        assert withdrawn.status == RecordStatus.WITHDRAWN
        assert withdrawn.index_number == f"{ORGAN_CODE}/2026-00001"
        third = publish(county, "规划调整方案")
        assert third.index_number == f"{ORGAN_CODE}/2026-00003"
        # A department without a USCC numbers under a stand-in organ code.
        other = publish(county, "住建局通知", organ=county.other)
        assert other.index_number == f"D{county.other.pk:08d}/2026-00001"
    with travel(2027, 1, 4, 9):
        assert publish(county).index_number == f"{ORGAN_CODE}/2027-00001"
    assert list(actions.records_for(county.other)) == [second]
    assert AuditEvent.objects.filter(event_type="disclosure_withdrawn", object_id=str(first.pk)).count() == 1
    with pytest.raises(ValidationError) as err:
        actions.withdraw_record(withdrawn, actor=county.officer, reason="再次撤回")
    assert "status" in err.value.message_dict


def test_configurable_format_and_field_errors(county: County, settings: object) -> None:
    settings.GOVHALL_DISCLOSURE_INDEX_FORMAT = "{organ_code}-{category}-{date}-{serial:03d}"  # type: ignore[attr-defined]
    with travel(2026, 5, 6, 10):
        record = publish(county)
        assert record.index_number == f"{ORGAN_CODE}-plan-20260506-001"
        with pytest.raises(ValidationError) as err:
            publish(county, "", category="nonsense", formed_on=date(2026, 5, 7))
        assert set(err.value.message_dict) == {"title", "category", "formed_on"}
        assert "请填写标题" in err.value.message_dict["title"][0]
        corrected = actions.correct_record(
            record, actor=county.officer, reason="标题错字", title="县国土空间总体规划"
        )
        assert corrected.index_number == record.index_number and corrected.corrected_at is not None
    assert DisclosureRecord.objects.count() == 1  # the refused record left nothing behind


def test_art26_clock_runs_from_forming_across_national_day(county: County) -> None:
    with travel(2026, 9, 28, 9):
        draft = actions.draft_record(
            actor=county.officer,
            organ=county.organ,
            title="第三季度统计数据",
            category="statistics",
            formed_on=date(2026, 9, 28),
        )
    assert draft.index_number is None and draft.clock is not None
    # 20 working days after Mon 28 Sep: 29, 30 Sep; 8, 9, 10 (Sat, worked), 12–16, 19–23, 26–30 Oct.
    assert draft.clock.due_day == date(2026, 10, 30) and not draft.clock.provisional
    with travel(2026, 10, 9, 10):
        published = actions.publish_draft(draft, actor=county.officer)
    published.clock.refresh_from_db()
    assert published.clock.state == ClockState.STOPPED
    assert published.index_number == f"{ORGAN_CODE}/2026-00001"


def test_request_clock_clarification_restarts_it(county: County) -> None:
    with travel(2026, 9, 28, 9):
        request = file(county)
    assert request.clock.due_day == date(2026, 10, 30)
    assert len(request.check_code) >= 6 and request.number == "YS202609280001"
    with travel(2026, 9, 30, 10):
        request = actions.request_clarification(request, by=county.officer, items="请写明规划的片区名称")
        with pytest.raises(ValidationError) as err:
            actions.request_clarification(request, by=county.officer, items="再补一次")
        assert "status" in err.value.message_dict
    old_clock = request.clock
    old_clock.refresh_from_db()
    assert old_clock.state == ClockState.STOPPED and request.status == RequestStatus.CLARIFYING
    # Reasonable period 15 working days after 30 Sep: 8, 9, 10, 12–16, 19–23, 26, 27 Oct.
    assert request.clarify_due == date(2026, 10, 27)
    with travel(2026, 10, 9, 15):
        request = actions.clarify_request(request, description="城东片区控制性详细规划批复")
    # A new 20 days from Fri 9 Oct: 10 (Sat), 12–16, 19–23, 26–30 Oct, 2–5 Nov.
    assert request.clock.pk != old_clock.pk and request.clock.due_day == date(2026, 11, 5)
    assert request.answer_document is None


def test_unclarified_request_is_abandoned_after_its_period(county: County) -> None:
    with travel(2026, 9, 28, 9):
        request = file(county)
    with travel(2026, 9, 30, 10):
        actions.request_clarification(request, by=county.officer, items="请写明文号", days=15)
    with travel(2026, 10, 27, 18):  # the last day of the period (see above): not yet
        assert actions.abandon_overdue_clarifications() == 0
    with travel(2026, 10, 28, 1):
        assert actions.abandon_overdue_clarifications() == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.ABANDONED


def test_clarification_only_within_seven_working_days(county: County) -> None:
    with travel(2026, 9, 28, 9):
        late = file(county)
        on_time = file(county)
    # Day 7 after 28 Sep is Tue 13 Oct (29, 30 Sep; 8, 9, 10, 12, 13 Oct).
    with travel(2026, 10, 13, 16):
        actions.request_clarification(on_time, by=county.officer, items="请写明文号")
    with travel(2026, 10, 14, 9), pytest.raises(ValidationError) as err:
        actions.request_clarification(late, by=county.officer, items="请写明文号")
    assert "7个工作日" in err.value.message_dict["items"][0]
    with travel(2026, 10, 13, 16), pytest.raises(PermissionDenied):
        actions.request_clarification(late, by=county.outsider, items="请写明文号")


def test_third_party_consultation_pauses_the_clock(county: County) -> None:
    with travel(2026, 9, 28, 9):
        request = file(county)
    with travel(2026, 9, 30, 10):
        request = actions.start_consultation(request, by=county.officer, third_party="某房地产开发有限公司")
    # The third party's 15 working days: 8, 9, 10, 12–16, 19–23, 26, 27 Oct.
    assert request.consult_due == date(2026, 10, 27)
    with travel(2026, 10, 14, 10):
        request = actions.end_consultation(request, by=county.officer, opinion="不同意公开")
    request.clock.refresh_from_db()
    # Two days used (29, 30 Sep); 18 left from 14 Oct: 15, 16, 19–23, 26–30 Oct, 2–6, 9 Nov.
    assert request.clock.state == ClockState.RUNNING and request.clock.due_day == date(2026, 11, 9)


def test_extension_by_the_head_in_a_provisional_year(county: County) -> None:
    with travel(2027, 9, 28, 9):
        request = file(county)
    # 2027 is not confirmed: only Oct 1–3 (Fri–Sun) are off. 29, 30 Sep; 4–8, 11–15, 18–22, 25–27 Oct.
    assert request.clock.due_day == date(2027, 10, 27) and request.clock.provisional
    with travel(2027, 10, 20, 9):
        with pytest.raises(PermissionDenied):
            actions.extend_request(request, by=county.officer, reason="涉及档案调取")
        request = actions.extend_request(request, by=county.head, reason="涉及档案调取")
        with pytest.raises(ValidationError):
            actions.extend_request(request, by=county.head, reason="再延一次")
    # +20: 28, 29 Oct; 1–5, 8–12, 15–19, 22–24 Nov.
    assert request.clock.due_day == date(2027, 11, 24)


def test_answer_outcomes_need_their_reasons_and_issue_a_sealed_notice(county: County) -> None:
    with travel(2026, 3, 2, 9):
        request = file(county)
        record = publish(county)
    with travel(2026, 3, 5, 10):
        for outcome, field in (
            ("withheld", "reason_category"),
            ("not_this_agency", "right_agency"),
            ("not_processed", "reason_category"),
            ("still_unclear", "outcome"),
            ("bogus", "outcome"),
        ):
            with pytest.raises(ValidationError) as err:
                actions.answer_request(request, by=county.officer, outcome=outcome)
            assert field in err.value.message_dict, outcome
        answered = actions.answer_request(
            request, by=county.officer, outcome="already_public", records=[record]
        )
    assert answered.status == RequestStatus.ANSWERED
    assert record.index_number in answered.where_public
    document = answered.answer_document
    assert (
        document is not None and document.kind == "info_answer" and "行政复议" in document.content["remedies"]
    )
    answered.clock.refresh_from_db()
    assert answered.clock.state == ClockState.STOPPED
    assert sealed_pdf(document).startswith(b"%PDF")
    with travel(2026, 3, 6, 10), pytest.raises(ValidationError):
        actions.answer_request(answered, by=county.officer, outcome="disclosed", answer_text="再答一次")


def test_request_field_errors_and_letters_need_an_officer(county: County) -> None:
    with travel(2026, 3, 2, 9):
        with pytest.raises(ValidationError) as err:
            file(county, requester_id_number="110101199003074478", phone="abc", description="", channel="fax")
        assert set(err.value.message_dict) == {"requester_id_number", "phone", "description", "channel"}
        assert "校验位" in err.value.message_dict["requester_id_number"][0]
        with pytest.raises(ValidationError):
            file(county, channel="letter")
        letter = file(county, channel="letter", by=county.officer, received_on=date(2026, 2, 27))
    # Signed for on Fri 27 Feb 2026: Sat 28 Feb is worked (Spring Festival make-up), then 2–6, 9–13, 16–20, 23–26 Mar.
    assert letter.clock.due_day == date(2026, 3, 26)
