"""一件事 end to end through the actions: one form, one intake decision, one notice, parallel handling, one delivery."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from govhall.cases import actions
from govhall.cases.actions import OutOfProcedure
from govhall.cases.bundles import bundle_materials, group_status
from govhall.cases.choices import BundleStatus, CaseStatus
from govhall.cases.models import Case, CaseGroup, CorrectionNotice, OutOfProcedureAttempt, Task
from govhall.catalog.actions import create_bundle, set_bundle_status
from govhall.catalog.models import Bundle, Material
from govhall.clocks.choices import ClockState
from govhall.documents.models import Document
from govhall.notifications.models import Notification
from govhall.org.actions import create_staff
from govhall.org.models import StaffProfile

from .conftest import COMPANY, PDF, Hall

FOOD = "食品经营许可证核发"  # 市场监管 (site inspection template)
BENEFIT = "失业保险金申领"  # 人社 (standard template)
SHARED = "经营场所使用证明"
# Reachable by SMS, so the messages the applicant gets can be counted.
BIZ = dataclasses.replace(COMPANY, phone="13900139000")


def make_bundle(hall: Hall, name: str = "开办餐馆一件事") -> Bundle:
    """Two items of two departments, with one material both need (asked once on the combined form)."""
    d = hall.catalog.departments
    food, benefit = hall.item(FOOD), hall.item(BENEFIT)
    Material.objects.create(item=food, seq=10, name=SHARED, required=True, form="copy")
    Material.objects.create(item=benefit, seq=10, name=f" {SHARED} ", required=True, form="copy")
    Material.objects.create(item=benefit, seq=11, name="失业登记证明", required=True)
    bundle = create_bundle(
        code="YJS-T01",
        name=name,
        lead_department=d["scjg"],
        promised_limit=5,
        items=[food, benefit],
        description="一张表单、一次提交，食品经营许可和失业保险金并联办理。",
    )
    set_bundle_status(bundle, "published")
    bundle.refresh_from_db()
    if not StaffProfile.objects.filter(user__username="rs_head").exists():
        hall.users["rs_head"] = create_staff(
            "rs_head", "钱局长", "T900", ["department_head"], [d["rsj"]]
        ).user
    return bundle


def all_uploads(bundle: Bundle, *, skip: tuple[str, ...] = ()) -> list[Any]:
    from govhall.cases.uploads import Upload

    return [
        Upload(filename=f"{entry.representative.pk}.pdf", content=PDF, material_id=entry.representative.pk)
        for entry in bundle_materials(bundle)
        if entry.required and entry.name.strip() not in skip
    ]


def submit(hall: Hall, bundle: Bundle, **kwargs: Any) -> CaseGroup:
    kwargs.setdefault("uploads", all_uploads(bundle))
    return actions.submit_bundle(bundle=bundle, applicant=BIZ, channel="window", by=hall["clerk"], **kwargs)


def staff_for(hall: Hall, task: Task) -> Any:
    dept = task.department.short_name
    if task.role == "department_head":
        return hall["head"] if dept == "市场监管局" else hall["rs_head"]
    return hall["approver"] if dept == "市场监管局" else hall["rs_approver"]


def finish(hall: Hall, case: Case) -> None:
    """Approve every step of the member's own process until it is decided."""
    for _ in range(10):
        task = Task.objects.filter(case=case, status__in=["open", "claimed"]).first()
        if task is None:
            return
        actions.act_on_task(task, by=staff_for(hall, task), action="approve", opinion="同意")
    raise AssertionError("the member never reached its decision")


def test_combined_form_asks_a_shared_material_once(hall):
    bundle = make_bundle(hall)
    combined = bundle_materials(bundle)
    names = [entry.name.strip() for entry in combined]
    assert names.count(SHARED) == 1
    shared = next(e for e in combined if e.name.strip() == SHARED)
    assert shared.shared and sorted(shared.items) == sorted([FOOD, BENEFIT])
    assert len(shared.materials) == 2


def test_bundle_number_has_the_full_date_and_the_case_number_length(hall, at):
    bundle = make_bundle(hall)
    with at(2026, 12, 8, 10):
        group = submit(hall, bundle)
        case = Case.objects.filter(group=group).first()
    assert re.fullmatch(r"L20261208\d{6}", group.number), group.number
    assert len(group.number) == len(case.number) + 1
    # As long as a new case's check code (GOVHALL_CHECK_CODE_DIGITS, 8 by default).
    assert re.fullmatch(r"\d{8}", group.check_code)


def test_one_intake_one_notice_parallel_handling_one_delivery(hall, at):
    bundle = make_bundle(hall)
    with at(2026, 3, 2, 10):
        group = submit(hall, bundle)
        cases = list(Case.objects.filter(group=group).order_by("pk"))
        assert len(cases) == 2 and {c.department.short_name for c in cases} == {"市场监管局", "人社局"}
        # The shared file was handed in once and is on both members.
        for case in cases:
            assert case.materials.filter(name__contains=SHARED).count() == 1
            assert not actions.missing_materials(case)
        # A member alone cannot be accepted: the bundle has one intake decision.
        with pytest.raises(OutOfProcedure):
            actions.accept_case(cases[0], by=hall["clerk"])
        assert OutOfProcedureAttempt.objects.filter(case=cases[0]).exists()
        actions.accept_bundle(group, by=hall["clerk"])
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS and case.accepted_at is not None
        # Each member runs in its own department at once (parallel handling).
        assert Task.objects.filter(case=case, status="open", department=case.department).exists()
        assert not Document.objects.filter(case_number=case.number, kind="acceptance").exists()
    notices = Document.objects.filter(case_number=group.number, kind="acceptance")
    assert notices.count() == 1
    notice = notices.get()
    assert notice.department == bundle.lead_department
    text = str(notice.content)
    assert all(c.number in text for c in cases) and group.check_code in text
    assert Notification.objects.filter(case_number=group.number, kind="accepted").count() == 1
    assert not Notification.objects.filter(
        case_number__in=[c.number for c in cases], kind="accepted"
    ).exists()
    with pytest.raises(OutOfProcedure):
        actions.accept_bundle(group, by=hall["clerk"])

    first, second = cases
    with at(2026, 3, 3, 10):
        finish(hall, first)
        first.refresh_from_db()
        assert first.status == CaseStatus.DECIDED
        # Nothing is handed over before the whole bundle is concluded.
        with pytest.raises(OutOfProcedure):
            actions.deliver_bundle(group, by=hall["clerk"])
        with pytest.raises(OutOfProcedure):
            actions.deliver_result(first, by=hall["clerk"])
    with at(2026, 3, 4, 10):
        finish(hall, second)
    group.refresh_from_db()
    assert group.concluded_at is not None
    assert group_status(group, list(group.cases.all())) == BundleStatus.CONCLUDED
    with at(2026, 3, 5, 10):
        actions.deliver_bundle(group, by=hall["clerk"], method="窗口领取")
    group.refresh_from_db()
    for case in cases:
        case.refresh_from_db()
        assert case.delivered_at == group.delivered_at is not None
        assert case.delivery_clock.state == ClockState.STOPPED
    assert group_status(group, list(group.cases.all())) == BundleStatus.DELIVERED
    assert Notification.objects.filter(case_number=group.number, kind="delivered").count() == 1
    with pytest.raises(OutOfProcedure):
        actions.deliver_bundle(group, by=hall["clerk"])


def test_one_correction_notice_for_everything_missing_in_the_bundle(hall, at):
    bundle = make_bundle(hall)
    shared = next(e for e in bundle_materials(bundle) if e.name.strip() == SHARED)
    with at(2026, 3, 2, 10):
        group = submit(hall, bundle, uploads=all_uploads(bundle, skip=(SHARED, "失业登记证明")))
        with pytest.raises(ValidationError) as refused:
            actions.accept_bundle(group, by=hall["clerk"])
        assert "失业登记证明" in str(refused.value) and SHARED in str(refused.value)
        benefit_cert = Material.objects.get(name="失业登记证明")
        actions.request_bundle_correction(
            group,
            by=hall["clerk"],
            missing=[
                {"material": shared.representative.pk, "reason": "须加盖公章"},
                {"material": benefit_cert.pk},
                {"material": None, "name": "门头照片"},
            ],
        )
    notices = Document.objects.filter(case_number=group.number, kind="correction")
    assert notices.count() == 1
    paragraphs = "".join(notices.get().content["paragraphs"])
    assert paragraphs.count(SHARED) == 1 and "失业登记证明" in paragraphs and "门头照片" in paragraphs
    cases = list(Case.objects.filter(group=group).order_by("pk"))
    assert all(c.status == CaseStatus.CORRECTION for c in cases)
    assert CorrectionNotice.objects.filter(case__group=group).count() == 2
    assert not Document.objects.filter(case_number__in=[c.number for c in cases], kind="correction").exists()
    assert all(c.intake_clock.state == ClockState.PAUSED for c in cases)
    # Only one notice for the bundle (一次性告知).
    with pytest.raises(OutOfProcedure):
        actions.request_bundle_correction(group, by=hall["clerk"], missing=[{"material": benefit_cert.pk}])

    from govhall.cases.uploads import Upload

    with at(2026, 3, 3, 10):
        # The food item's part arrives first: it waits for its sibling, its intake clock still stopped.
        actions.submit_bundle_correction(
            group,
            by=hall["clerk"],
            uploads=[Upload("shared.pdf", PDF, shared.representative.pk), Upload("photo.pdf", PDF, None)],
        )
        food = Case.objects.get(group=group, item__name=FOOD)
        assert food.status == CaseStatus.SUBMITTED and food.intake_clock.state == ClockState.PAUSED
        assert Case.objects.get(group=group, item__name=BENEFIT).status == CaseStatus.CORRECTION
    with at(2026, 3, 4, 10):
        actions.submit_bundle_correction(
            group, by=hall["clerk"], uploads=[Upload("cert.pdf", PDF, benefit_cert.pk)]
        )
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.SUBMITTED
        assert case.intake_clock.state == ClockState.RUNNING
        assert case.materials.filter(for_correction=True, name__contains=SHARED).count() == 1
    with at(2026, 3, 4, 11):
        actions.accept_bundle(group, by=hall["clerk"])
    assert Document.objects.filter(case_number=group.number, kind="acceptance").count() == 1


def test_a_member_without_missing_items_waits_for_the_bundle_correction(hall, at):
    bundle = make_bundle(hall)
    cert = Material.objects.get(name="失业登记证明")
    from govhall.cases.uploads import Upload

    with at(2026, 3, 2, 10):
        group = submit(hall, bundle, uploads=all_uploads(bundle, skip=("失业登记证明",)))
        actions.request_bundle_correction(group, by=hall["clerk"], missing=[{"material": cert.pk}])
        food = Case.objects.get(group=group, item__name=FOOD)
        assert food.status == CaseStatus.SUBMITTED and food.intake_clock.state == ClockState.PAUSED
        with pytest.raises(OutOfProcedure):
            actions.accept_bundle(group, by=hall["clerk"])
    with at(2026, 3, 3, 10):
        actions.submit_bundle_correction(group, by=hall["clerk"], uploads=[Upload("c.pdf", PDF, cert.pk)])
    food.refresh_from_db()
    assert food.intake_clock.state == ClockState.RUNNING


def test_a_member_cannot_be_redirected_or_corrected_on_its_own(hall, at):
    bundle = make_bundle(hall)
    cert = Material.objects.get(name="失业登记证明")
    from govhall.cases.uploads import Upload

    with at(2026, 3, 2, 10):
        group = submit(hall, bundle, uploads=all_uploads(bundle, skip=("失业登记证明",)))
        benefit = Case.objects.get(group=group, item__name=BENEFIT)
        with pytest.raises(OutOfProcedure) as redirect:
            actions.redirect_application(benefit, by=hall["clerk"], agency="市人社局")
        assert "一件事" in str(redirect.value)
        assert OutOfProcedureAttempt.objects.filter(case=benefit).exists()
        benefit.refresh_from_db()
        assert benefit.status == CaseStatus.SUBMITTED and benefit.redirect_agency == ""
        actions.request_bundle_correction(group, by=hall["clerk"], missing=[{"material": cert.pk}])
    with at(2026, 3, 3, 10):
        benefit.refresh_from_db()
        with pytest.raises(OutOfProcedure) as alone:
            actions.submit_correction(benefit, by=hall["clerk"], uploads=[Upload("c.pdf", PDF, cert.pk)])
        assert "一件事统一提交补正" in str(alone.value)
        benefit.refresh_from_db()
        assert benefit.status == CaseStatus.CORRECTION
        actions.submit_bundle_correction(group, by=hall["clerk"], uploads=[Upload("c.pdf", PDF, cert.pk)])
    benefit.refresh_from_db()
    assert benefit.status == CaseStatus.SUBMITTED
    # After acceptance a member's own correction, asked by its approver during processing, is its own.
    with at(2026, 3, 4, 10):
        actions.accept_bundle(group, by=hall["clerk"])
        food = Case.objects.get(group=group, item__name=FOOD)
        actions.request_correction(food, by=hall["approver"], missing=[{"material": None, "name": "平面图"}])
        food.refresh_from_db()
        actions.submit_correction(food, by=hall["clerk"], uploads=[Upload("plan.pdf", PDF, None)])
    food.refresh_from_db()
    assert food.status == CaseStatus.IN_PROGRESS


def test_refusing_the_bundle_is_one_decision_with_reasons(hall, at):
    bundle = make_bundle(hall)
    with at(2026, 3, 2, 10):
        group = submit(hall, bundle)
        with pytest.raises(ValidationError) as no_reason:
            actions.refuse_bundle(group, by=hall["clerk"], reasons=" ")
        assert "理由" in str(no_reason.value)
        actions.refuse_bundle(group, by=hall["clerk"], reasons="经营场所位于禁止经营区域")
    assert set(Case.objects.filter(group=group).values_list("status", flat=True)) == {CaseStatus.NOT_ACCEPTED}
    refusal = Document.objects.get(case_number=group.number, kind="refusal")
    assert "复议" in refusal.content["remedies"]
    assert group_status(group, list(group.cases.all())) == BundleStatus.NOT_ACCEPTED


def test_deemed_acceptance_accepts_the_bundle_once(hall, at):
    bundle = make_bundle(hall)
    with at(2026, 3, 2, 10):
        group = submit(hall, bundle)
    with at(2026, 3, 10, 10):  # 5 working days later
        assert actions.deem_accepted_due() >= 1
    assert set(Case.objects.filter(group=group).values_list("status", flat=True)) == {CaseStatus.IN_PROGRESS}
    assert Document.objects.filter(case_number=group.number, kind="acceptance").count() == 1


def test_online_bundle_needs_the_applicant_signed_in_and_every_item_online(hall, at):
    bundle = make_bundle(hall)
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with at(2026, 3, 2, 10), pytest.raises(PermissionDenied):
        actions.submit_bundle(bundle=bundle, applicant=COMPANY, channel="online", by=AnonymousUser())
    with at(2026, 3, 2, 10):
        group = actions.submit_bundle(
            bundle=bundle,
            applicant=COMPANY,
            channel="online",
            by=hall["applicant"],
            uploads=all_uploads(bundle),
        )
    assert group.applicant.user == hall["applicant"]
    assert set(Case.objects.filter(group=group).values_list("channel", flat=True)) == {"online"}
