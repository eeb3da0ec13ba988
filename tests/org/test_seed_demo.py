"""The demo county: loaded once for this module (inside a transaction rolled back at the end), then checked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from govhall.catalog import actions as catalog_actions
from govhall.catalog.choices import HandlingKind, ItemStatus
from govhall.catalog.models import Bundle, ServiceItem
from govhall.core.identifiers import validate_resident_id, validate_uscc
from govhall.core.models import AuditEvent, AuditEventType
from govhall.demo import county
from govhall.demo.items import item_plans
from govhall.demo.loader import seed_demo
from govhall.demo.people import DEMO_PASSWORD, JOINT_DEMO_ACCOUNTS, JOINT_DEMO_ITEM, staff_plans
from govhall.org.access import user_roles
from govhall.org.choices import Role, SiteKind
from govhall.org.models import Department, Hall, Region, Site, StaffProfile, Window

MODELS = [Region, Site, Hall, Window, Department, ServiceItem, Bundle, StaffProfile, User, AuditEvent]


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            first = seed_demo()
            after_first = _counts()
            second = seed_demo()
            yield {"first": first, "second": second, "after_first": after_first, "after_second": _counts()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def test_second_run_creates_and_changes_nothing(seeded: dict[str, Any]) -> None:
    assert all(seeded["first"].values()) or not hasattr(catalog_actions, "create_bundle")
    assert set(seeded["second"].values()) == {0}
    assert seeded["after_second"] == seeded["after_first"]


def test_scale_matches_the_county(seeded: dict[str, Any]) -> None:
    assert 40 <= Department.objects.count() <= 46
    assert 360 <= ServiceItem.objects.count() <= 400
    assert Site.objects.filter(kind=SiteKind.CENTER).count() == 1
    assert Site.objects.filter(kind=SiteKind.TOWNSHIP).count() == 27
    assert 300 <= Site.objects.filter(kind=SiteKind.VILLAGE).count() <= 400
    assert 60 <= Window.objects.filter(hall__site__kind=SiteKind.CENTER).count() <= 90
    assert 130 <= StaffProfile.objects.count() <= 160
    rong = Region.objects.get(code="450921000000")
    assert rong.name == "容县" and rong.children.count() == 27


def test_region_and_site_trees_are_valid(seeded: dict[str, Any]) -> None:
    for region in Region.objects.select_related("parent"):
        region.full_clean()
        if region.level == "village":
            assert region.parent is not None and region.code.startswith(region.parent.code[:9])
    for site in Site.objects.select_related("parent"):
        site.full_clean()
    for hall in Hall.objects.all():
        assert [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in hall.sessions.all()] == [
            ("09:00", "12:00"),
            ("13:30", "17:30"),
        ]


def test_departments_have_valid_credit_codes_and_groups(seeded: dict[str, Any]) -> None:
    for dept in Department.objects.all():
        assert dept.uscc and validate_uscc(dept.uscc) == dept.uscc
        assert dept.uscc[2:8] == "450921"
        assert dept.group
    assert Department.objects.get(name="国家税务总局容县税务局").group == "vertical"


def test_every_item_is_valid_and_published(seeded: dict[str, Any]) -> None:
    items = list(
        ServiceItem.objects.select_related("department", "window").prefetch_related("materials", "fees")
    )
    for item in items:
        item.full_clean(exclude=["search_text"])
        assert item.status == ItemStatus.PUBLISHED
        assert item.impl_code.startswith(item.department.uscc + "4")
        assert item.basic_code[2:4] == item.item_type
        assert 2 <= len(item.materials.all()) <= 6, item.name
        assert "《" in item.legal_basis and item.acceptance_conditions
        assert item.in_hall == (item.window is not None)
    names = [i.name for i in items]
    assert len(names) == len(set(names))
    # Between a third and two fifths instant, as in real county lists; a few items need two visits.
    instant = sum(i.handling_kind == HandlingKind.INSTANT for i in items) / len(items)
    assert 0.3 <= instant <= 0.42
    visits = Counter(i.visits for i in items)
    assert visits[0] > 50 and visits[1] > 100 and 0 < visits[2] < 20
    assert 0.85 <= sum(i.in_hall for i in items) / len(items) < 1


def test_business_licence_and_signature_items(seeded: dict[str, Any]) -> None:
    scj = Department.objects.get(name="县市场监督管理局")
    for name in ["企业设立登记", "营业执照变更登记", "企业营业执照注销登记", "个体工商户设立登记"]:
        item = ServiceItem.objects.get(name=name)
        assert item.department == scj and item.item_type == "01"
        assert item.window is not None and item.window.number == "A02"
    setup = ServiceItem.objects.get(name="企业设立登记")
    assert setup.promised_limit == 1 and setup.legal_limit >= setup.promised_limit
    food = ServiceItem.objects.get(name="食品经营许可证核发")
    assert (food.legal_limit, food.promised_limit) == (20, 5)
    assert "食品安全法" in food.legal_basis and "site_inspection" in food.special_procedures
    property_transfer = ServiceItem.objects.get(name="不动产转移登记")
    assert property_transfer.legal_limit == 30
    assert "80元" in property_transfer.fees.get().standard
    id_card = ServiceItem.objects.get(name="居民身份证申领")
    assert id_card.handling_kind == HandlingKind.INSTANT and id_card.process_template == "instant"
    permit = ServiceItem.objects.get(name="建筑工程施工许可证核发")
    assert permit.process_template == "joint_review"
    # Licences carry their sub-items under one main number.
    food_family = ServiceItem.objects.filter(basic_code__startswith=food.basic_code[:9]).order_by(
        "basic_code"
    )
    assert [i.name for i in food_family] == [
        "食品经营许可证核发",
        "食品经营许可证变更",
        "食品经营许可证延续",
        "食品经营许可证注销",
        "食品经营许可证补办",
    ]


def test_bundles(seeded: dict[str, Any]) -> None:
    if not hasattr(catalog_actions, "create_bundle"):
        pytest.skip("catalog has no create_bundle yet")
    assert Bundle.objects.count() == 5
    restaurant = Bundle.objects.get(name="开办餐馆一件事")
    assert restaurant.status == ItemStatus.PUBLISHED
    assert "食品经营许可证核发" in set(restaurant.items.values_list("name", flat=True))


def test_staff_roles_and_identities(seeded: dict[str, Any]) -> None:
    roles = Counter(
        g for p in StaffProfile.objects.prefetch_related("user__groups") for g in p.user.groups.all()
    )
    by_name = {g.name: n for g, n in roles.items()}
    assert 80 <= by_name["window_clerk"] <= 100
    for role in ["approver", "department_head", "center_admin", "supervisor", "performance_officer",
                 "legal_officer", "leader", "agent"]:  # fmt: skip
        assert by_name.get(role, 0) >= 2, role
    for profile in StaffProfile.objects.all():
        assert validate_resident_id(profile.id_number) == profile.id_number
        profile.full_clean()
    for clerk in StaffProfile.objects.filter(user__groups__name="window_clerk"):
        assert clerk.window is not None
    for agent in StaffProfile.objects.filter(user__groups__name="agent"):
        assert agent.sites.filter(kind=SiteKind.VILLAGE).count() >= 8


def test_fixed_demo_accounts(seeded: dict[str, Any]) -> None:
    expected = {"admin": Role.CENTER_ADMIN, "clerk": Role.WINDOW_CLERK, "approver": Role.APPROVER,
                "head": Role.DEPARTMENT_HEAD, "supervisor": Role.SUPERVISOR, "leader": Role.LEADER,
                "gk_officer": Role.DISCLOSURE_OFFICER, "inspector": Role.INSPECTOR, "legal": Role.LEGAL_OFFICER,
                "performance": Role.PERFORMANCE_OFFICER}  # fmt: skip
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert role in user_roles(user)
    assert User.objects.get(username="admin").is_superuser
    # The inspector belongs to 市场监管局, whose inspectors the inspections simulation draws.
    assert [d.short_name for d in StaffProfile.objects.get(user__username="inspector").departments.all()] == [
        "市场监管局"
    ]
    assert not User.objects.get(username="clerk").is_staff
    # Generated staff cannot log in until an administrator gives them a password.
    assert not User.objects.get(username="rx0001").has_usable_password()


def test_joint_demo_item_has_a_named_approver_and_head_in_each_department(seeded: dict[str, Any]) -> None:
    item = ServiceItem.objects.get(name=JOINT_DEMO_ITEM, process_template="joint_review")
    departments = [item.department, *item.joint_departments.all()]
    assert len(departments) == 4
    fixed = {a[0] for a in JOINT_DEMO_ACCOUNTS}
    for department in departments:
        staff = StaffProfile.objects.filter(departments=department, user__username__in=fixed)
        roles = {role for profile in staff for role in user_roles(profile.user)}
        assert {Role.APPROVER, Role.DEPARTMENT_HEAD} <= roles, department.name
        assert all(profile.user.check_password(DEMO_PASSWORD) for profile in staff)


def test_everything_went_through_the_actions(seeded: dict[str, Any]) -> None:
    audit = Counter(AuditEvent.objects.values_list("event_type", flat=True))
    assert audit[AuditEventType.ITEM_CREATED] == ServiceItem.objects.count()
    assert audit[AuditEventType.STAFF_CREATED] == StaffProfile.objects.count()
    assert all(i.versions.count() == 1 for i in ServiceItem.objects.prefetch_related("versions"))


def test_commands(seeded: dict[str, Any]) -> None:
    out = StringIO()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo", stdout=out)
        assert "未作改动" in out.getvalue()
        out = StringIO()
        call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for username in ["admin", "clerk", "approver", "head", "supervisor", "leader", "gk_officer", "inspector",
                     "legal", "performance", DEMO_PASSWORD, "可登录"]:  # fmt: skip
        assert username in text
    for username in [a[0] for a in JOINT_DEMO_ACCOUNTS]:
        assert username in text
    assert f"并联审批演示：事项“{JOINT_DEMO_ITEM}”" in text


def test_plans_are_deterministic() -> None:
    assert item_plans() == item_plans()
    assert staff_plans() == staff_plans()
    assert county.villages() == county.villages()
    assert len({v.name for v in county.villages()}) == county.VILLAGE_TOTAL


def test_the_demo_comprehensive_windows_act_for_their_departments(seeded: dict[str, Any]) -> None:
    from govhall.org.access import intake_department_ids

    for number, keys in county.COMPREHENSIVE_ACTS_FOR.items():
        window = Window.objects.get(number=number, hall__site__kind=SiteKind.CENTER)
        assert window.kind == "comprehensive"
        names = {county.DEPT_BY_KEY[key].name for key in keys}
        assert set(window.acts_for.values_list("name", flat=True)) == names, number
    # A clerk at the 工程建设项目 window may take 住建局's intake decisions; the fixed clerk (市场监管局) may not.
    desk = StaffProfile.objects.filter(window__number="B23").first()
    assert desk is not None
    zjj = Department.objects.get(name=county.DEPT_BY_KEY["zjj"].name)
    assert zjj.pk in intake_department_ids(desk.user)
    assert zjj.pk not in intake_department_ids(User.objects.get(username="clerk"))
    assert not Window.objects.exclude(kind="comprehensive").filter(acts_for__isnull=False).exists()
