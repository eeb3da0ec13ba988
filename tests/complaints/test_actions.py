from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from govhall.clocks.actions import status
from govhall.clocks.choices import ClockKind, ClockState, Light
from govhall.complaints import actions
from govhall.complaints.choices import ComplaintStatus
from govhall.complaints.models import Complaint
from govhall.core.models import AuditEvent, AuditEventType
from govhall.notifications.models import Notification
from govhall.org.models import StaffProfile

from .conftest import investigating, local, make_case, phone_complaint


def test_receive_numbers_clock_and_audit(hall: Any, at: Any, settings: Any) -> None:
    # A hall configured for 6-digit check codes (the length of before; the default 8 and up to 12 are tested in
    # tests/security/test_throttle.py).
    settings.GOVHALL_CHECK_CODE_DIGITS = 6
    with at(2026, 3, 3, 10):
        a = phone_complaint(hall)
        b = phone_complaint(hall, channel="hall", by=hall["supervisor"])
    assert a.number == "TS202603030001" and b.number == "TS202603030002"
    assert len(a.check_code) == 6 and a.check_code.isdigit()
    assert a.status == ComplaintStatus.RECEIVED and a.received_by == hall["clerk"] and a.complainant is None
    assert a.clock.kind == ClockKind.COMPLAINT and a.clock.state == ClockState.RUNNING
    # 10 working days strictly after Tue 3 March: Tue 17 March.
    assert a.clock.due_day == dt.date(2026, 3, 17)
    ev = AuditEvent.objects.get(event_type=AuditEventType.COMPLAINT_RECEIVED, object_id=str(a.pk))
    assert ev.actor == hall["clerk"]
    # The phone complainant gets the number and check code by SMS.
    sms = Notification.objects.get(channel="sms", phone="13800138000", body__contains=a.number)
    assert a.check_code in sms.body


def test_limit_is_configurable(hall: Any, at: Any) -> None:
    with override_settings(GOVHALL_COMPLAINT_LIMIT_WORKDAYS=3), at(2026, 3, 3, 10):
        c = phone_complaint(hall)
    assert c.clock.budget == 3 and c.clock.due_day == dt.date(2026, 3, 6)


def test_clock_across_national_day_and_red_after_deadline(hall: Any, at: Any) -> None:
    with at(2026, 9, 28, 15):
        c = phone_complaint(hall)
    # 29, 30 Sep; 8, 9, 10 (make-up Saturday), 12-16 Oct: the 10th working day is Fri 16 October.
    assert c.clock.due_day == dt.date(2026, 10, 16)
    assert status(c.clock, local(2026, 10, 7, 12)).light == Light.GREEN
    assert status(c.clock, local(2026, 10, 16, 23, 59)).light == Light.YELLOW
    assert status(c.clock, local(2026, 10, 17, 0, 0, 1)).light == Light.RED


def test_receive_permissions(hall: Any, at: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with at(2026, 3, 3, 10):
        for user in (hall["approver"], hall["head"], hall["applicant"], AnonymousUser()):
            with pytest.raises(PermissionDenied):
                phone_complaint(hall, by=user)
        with pytest.raises(PermissionDenied):
            phone_complaint(hall, channel="online", by=AnonymousUser())
        online = phone_complaint(hall, channel="online", by=hall["applicant"], phone="")
    assert online.complainant == hall["applicant"] and online.received_by is None
    assert Complaint.objects.count() == 1


def test_receive_validation(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        with pytest.raises(ValidationError) as e:
            phone_complaint(hall, content=" ", complainant_name="", phone="12ab")
        assert set(e.value.message_dict) == {"content", "complainant_name", "phone"}
        assert "投诉内容" in e.value.message_dict["content"][0]
        with pytest.raises(ValidationError) as e:
            phone_complaint(hall, phone="")
        assert "phone" in e.value.message_dict
        with pytest.raises(ValidationError) as e:
            phone_complaint(hall, channel="fax")
        assert "channel" in e.value.message_dict
        anon = phone_complaint(hall, complainant_name="", phone="", anonymous=True)
    assert anon.display_name == "匿名"
    assert Complaint.objects.count() == 1


def test_complaint_about_a_case_links_it(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        case = make_case(hall)
        # Staff may link by number alone; the department follows the case.
        c = phone_complaint(hall, case_number=case.number)
        assert c.case == case and c.department == case.department
        # Online: the check code is required and must match.
        with pytest.raises(ValidationError) as e:
            phone_complaint(hall, channel="online", by=hall["applicant"], case_number=case.number)
        assert "check_code" in e.value.message_dict
        wrong = "000000" if case.check_code != "000000" else "111111"
        with pytest.raises(ValidationError) as e:
            phone_complaint(
                hall, channel="online", by=hall["applicant"], case_number=case.number, check_code=wrong
            )
        assert e.value.message_dict["case_number"] == ["办件编号或查询码不正确"]
        # A staff entry with a wrong code is refused too, and an unknown number.
        with pytest.raises(ValidationError):
            phone_complaint(hall, case_number=case.number, check_code=wrong)
        with pytest.raises(ValidationError):
            phone_complaint(hall, case_number="20990101000001")
        online = phone_complaint(
            hall, channel="online", by=hall["applicant"], case_number=case.number, check_code=case.check_code
        )
    assert online.case == case
    assert list(Complaint.objects.filter(case=case).order_by("pk")) == [c, online]


def test_staff_complained_about_sets_department(hall: Any, at: Any) -> None:
    staff = StaffProfile.objects.get(user=hall["clerk2"])
    with at(2026, 3, 3, 10):
        c = phone_complaint(hall, staff=staff)
    assert c.staff == staff and c.department == staff.departments.get()


def test_assign_rules(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = phone_complaint(hall)
        with pytest.raises(PermissionDenied):
            actions.assign(c, by=hall["clerk"], to=hall["supervisor"])
        with pytest.raises(ValidationError) as e:
            actions.assign(c, by=hall["supervisor"], to=hall["approver"])
        assert "to" in e.value.message_dict
        c = actions.assign(c, by=hall["supervisor"], to=hall["supervisor2"])
    assert c.status == ComplaintStatus.ASSIGNED and c.assigned_to == hall["supervisor2"]
    assert c.assigned_at == local(2026, 3, 3, 10)
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.COMPLAINT_ASSIGNED, object_id=str(c.pk)).count()
        == 1
    )
    assert Notification.objects.filter(user=hall["supervisor2"], title__contains=c.number).exists()


def test_investigation_rules(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = phone_complaint(hall)
        with pytest.raises(ValidationError) as e:
            actions.start_investigation(c, by=hall["supervisor"], notes="x")
        assert "status" in e.value.message_dict  # not assigned yet
        actions.assign(c, by=hall["supervisor"], to=hall["supervisor2"])
        with pytest.raises(PermissionDenied):
            actions.start_investigation(c, by=hall["supervisor"], notes="x")  # not the handler
        with pytest.raises(PermissionDenied):
            actions.start_investigation(c, by=hall["clerk"], notes="x")
        with pytest.raises(ValidationError) as e:
            actions.start_investigation(c, by=hall["supervisor2"], notes="  ")
        assert "notes" in e.value.message_dict
        actions.start_investigation(c, by=hall["supervisor2"], notes="调取录像")
    with at(2026, 3, 4, 11):
        c = actions.start_investigation(c, by=hall["supervisor2"], notes="询问当事人")
    assert c.status == ComplaintStatus.INVESTIGATING
    assert c.investigation_notes == "[2026-03-03 10:00] 调取录像\n[2026-03-04 11:00] 询问当事人"


def test_conclude_stops_clock_notifies_and_audits(hall: Any, at: Any) -> None:
    staff = StaffProfile.objects.get(user=hall["clerk2"])
    with at(2026, 3, 3, 10):
        c = investigating(hall, staff=staff)
        with pytest.raises(PermissionDenied):
            actions.conclude(
                c, by=hall["supervisor2"], finding="substantiated", responsibility="criticism", conclusion="x"
            )
        with pytest.raises(ValidationError) as e:
            actions.conclude(c, by=hall["supervisor"], finding="maybe", responsibility="?", conclusion="")
        assert set(e.value.message_dict) == {"finding", "responsibility", "conclusion"}
        with pytest.raises(ValidationError) as e:
            actions.conclude(
                c,
                by=hall["supervisor"],
                finding="unsubstantiated",
                responsibility="criticism",
                conclusion="x",
            )
        assert "responsibility" in e.value.message_dict
    with at(2026, 3, 10, 16):
        c = actions.conclude(
            c,
            by=hall["supervisor"],
            finding="substantiated",
            responsibility="criticism",
            conclusion="对当事人通报批评",
        )
    assert c.status == ComplaintStatus.CONCLUDED and c.concluded_by == hall["supervisor"]
    assert c.clock.state == ClockState.STOPPED and c.clock.late is False
    assert c.complainant_informed_at == local(2026, 3, 10, 16)
    sms = Notification.objects.get(channel="sms", phone="13800138000", title="效能投诉办理结果")
    assert "属实" in sms.body and "对当事人通报批评" in sms.body
    ev = AuditEvent.objects.get(event_type=AuditEventType.COMPLAINT_CONCLUDED, object_id=str(c.pk))
    assert ev.after == {
        "finding": "substantiated",
        "responsibility": "criticism",
        "staff": staff.pk,
        "late": False,
    }
    with at(2026, 3, 11, 9), pytest.raises(ValidationError):
        actions.conclude(c, by=hall["supervisor"], finding="partly", responsibility="none", conclusion="再办")
    with at(2026, 3, 11, 9), pytest.raises(ValidationError):
        actions.assign(c, by=hall["supervisor"], to=hall["supervisor2"])


def test_conclude_requires_investigation(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = phone_complaint(hall)
        actions.assign(c, by=hall["supervisor"], to=hall["supervisor"])
        with pytest.raises(ValidationError) as e:
            actions.conclude(
                c, by=hall["supervisor"], finding="partly", responsibility="none", conclusion="x"
            )
    assert "status" in e.value.message_dict


def test_online_complainant_told_in_app_and_late_conclusion_recorded(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = phone_complaint(hall, channel="online", by=hall["applicant"], phone="")
        actions.assign(c, by=hall["supervisor"], to=hall["supervisor"])
        actions.start_investigation(c, by=hall["supervisor"], notes="核查")
    with at(2026, 3, 18, 9):
        assert status(c.clock).light == Light.RED
        c = actions.conclude(
            c,
            by=hall["supervisor"],
            finding="unsubstantiated",
            responsibility="none",
            conclusion="经查不属实",
        )
    assert c.clock.late is True
    assert (
        Notification.objects.filter(
            user=hall["applicant"], channel="in_app", title="效能投诉办理结果"
        ).count()
        == 1
    )
    assert c.complainant_informed_at is not None


def test_anonymous_without_contact_is_concluded_but_not_informed(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = investigating(hall, complainant_name="", phone="", anonymous=True)
        c = actions.conclude(
            c, by=hall["supervisor"], finding="partly", responsibility="warning", conclusion="已提醒"
        )
    assert c.status == ComplaintStatus.CONCLUDED and c.complainant_informed_at is None
