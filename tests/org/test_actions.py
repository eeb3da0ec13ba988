from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError

from govhall.core.models import AuditEvent, AuditEventType
from govhall.org import actions
from govhall.org.access import user_roles
from govhall.org.choices import Role
from govhall.org.models import Department, Site, StaffProfile

from .conftest import County, resident_id, uscc

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


class TestCreateStaff:
    def test_creates_user_profile_groups_and_audit(self, county: County) -> None:
        id_number = resident_id()
        profile = actions.create_staff(
            "zhangsan",
            "张三",
            "RX0001",
            [Role.WINDOW_CLERK, "approver"],
            [county.scj],
            [county.center],
            window=county.scj_window,
            phone="13812345678",
            id_number=id_number.lower(),
            password="s3cret-pass",
        )
        user = profile.user
        assert user.check_password("s3cret-pass")
        assert not user.is_staff  # front-line roles do not use the admin site
        assert set(user.groups.values_list("name", flat=True)) == {"window_clerk", "approver"}
        assert user_roles(user) == {Role.WINDOW_CLERK, Role.APPROVER}
        assert profile.id_number == id_number  # normalised to upper case
        assert list(profile.departments.all()) == [county.scj]
        event = AuditEvent.objects.get(event_type=AuditEventType.STAFF_CREATED)
        assert event.object_id == str(profile.pk)
        assert event.after["roles"] == ["approver", "window_clerk"]
        # Personal data is masked in the audit log.
        assert event.after["phone"] == "138****5678"
        assert id_number not in str(event.after)

    def test_admin_capable_roles_get_is_staff(self, county: County) -> None:
        profile = actions.create_staff("admin1", "王五", "RX0002", [Role.CENTER_ADMIN], [county.scj], [])
        assert profile.user.is_staff
        assert not profile.user.has_usable_password()

    def test_superuser_flag(self, county: County) -> None:
        profile = actions.create_staff("root", "管理员", "RX0003", [], [], [], superuser=True)
        assert profile.user.is_superuser and profile.user.is_staff
        assert Role.CENTER_ADMIN in user_roles(profile.user)

    @pytest.mark.parametrize(
        ("field", "kwargs", "message"),
        [
            ("id_number", {"id_number": "450921198506121230"}, "校验位不正确"),
            ("id_number", {"id_number": "45092119850612123"}, "18位"),
            ("id_number", {"id_number": "450921198513121239"}, "出生日期无效"),
            ("phone", {"phone": "12345"}, "电话号码格式不正确"),
            ("roles", {"roles": ["wizard"]}, "未知的角色"),
            ("roles", {"roles": [Role.APPLICANT]}, "不是工作人员角色"),
            ("roles", {"roles": []}, "至少选择一个角色"),
            ("sites", {"roles": [Role.AGENT]}, "至少指定一个服务站点"),
            ("window", {"roles": [Role.WINDOW_CLERK]}, "应指定所在窗口"),
            ("username", {"username": "x"}, "用户名应为"),
            ("name", {"name": " "}, "请填写姓名"),
        ],
    )
    def test_validation_errors_are_chinese_and_keyed(
        self, county: County, field: str, kwargs: dict[str, Any], message: str
    ) -> None:
        args: dict[str, Any] = {
            "username": "lisi",
            "name": "李四",
            "employee_no": "RX0010",
            "roles": [Role.APPROVER],
            "departments": [county.scj],
            "sites": [],
        }
        args.update(kwargs)
        if field == "id_number" and kwargs["id_number"].endswith("1230"):
            good = resident_id()
            args["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
        with pytest.raises(ValidationError) as exc:
            actions.create_staff(**args)
        assert message in " ".join(_errors(exc)[field])
        assert not User.objects.filter(username=args["username"]).exists()
        assert not AuditEvent.objects.filter(event_type=AuditEventType.STAFF_CREATED).exists()

    def test_duplicates_are_refused(self, county: County, staff_factory: Any) -> None:
        staff_factory([Role.APPROVER], username="dup", employee_no="E1")
        with pytest.raises(ValidationError) as exc:
            staff_factory([Role.APPROVER], username="dup", employee_no="E1")
        errors = _errors(exc)
        assert "已被使用" in errors["username"][0] and "已被使用" in errors["employee_no"][0]

    def test_window_must_belong_to_the_departments(self, county: County) -> None:
        with pytest.raises(ValidationError) as exc:
            actions.create_staff(
                "wangwu", "王五", "RX0020", [Role.WINDOW_CLERK], [county.scj], [], window=county.rsj_window
            )
        assert "C16号窗口不属于所选部门" in _errors(exc)["window"][0]

    def test_failure_after_user_insert_rolls_back(self, county: County, monkeypatch: Any) -> None:
        def boom(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(actions, "record_event", boom)
        with pytest.raises(RuntimeError):
            actions.create_staff("zhaoliu", "赵六", "RX0030", [Role.APPROVER], [county.scj], [])
        assert not User.objects.filter(username="zhaoliu").exists()
        assert not StaffProfile.objects.filter(employee_no="RX0030").exists()


class TestSetStaffRoles:
    def test_replaces_role_groups_keeps_other_groups_and_audits(self, staff_factory: Any) -> None:
        profile = staff_factory([Role.APPROVER])
        other = Group.objects.create(name="读书会")
        profile.user.groups.add(other)
        user_roles(profile.user)  # warm the cache: the action must drop it

        actions.set_staff_roles(profile, [Role.DEPARTMENT_HEAD, Role.SUPERVISOR])

        names = set(profile.user.groups.values_list("name", flat=True))
        assert names == {"department_head", "supervisor", "读书会"}
        assert profile.user.is_staff  # supervisor works in the admin site
        assert user_roles(profile.user) == {Role.DEPARTMENT_HEAD, Role.SUPERVISOR}
        event = AuditEvent.objects.get(event_type=AuditEventType.STAFF_ROLES_CHANGED)
        assert event.before == {"roles": ["approver"]}
        assert event.after == {"roles": ["department_head", "supervisor"]}

    def test_unchanged_roles_record_nothing(self, staff_factory: Any) -> None:
        profile = staff_factory([Role.APPROVER])
        actions.set_staff_roles(profile.user, ["approver"])
        assert not AuditEvent.objects.filter(event_type=AuditEventType.STAFF_ROLES_CHANGED).exists()

    def test_dropping_admin_roles_clears_is_staff(self, staff_factory: Any) -> None:
        profile = staff_factory([Role.LEADER])
        assert profile.user.is_staff
        actions.set_staff_roles(profile, [Role.APPROVER])
        profile.user.refresh_from_db()
        assert not profile.user.is_staff

    def test_unknown_role_refused(self, staff_factory: Any) -> None:
        profile = staff_factory([Role.APPROVER])
        with pytest.raises(ValidationError):
            actions.set_staff_roles(profile, ["nobody"])
        assert set(profile.user.groups.values_list("name", flat=True)) == {"approver"}


class TestStructure:
    def test_site_levels_are_enforced(self, county: County) -> None:
        with pytest.raises(ValidationError) as exc:
            actions.create_site(
                name="错误村代办点", kind="village", region=county.township, parent=county.center
            )
        assert "村代办点的上级站点应为乡镇便民服务中心" in _errors(exc)["parent"][0]
        with pytest.raises(ValidationError) as exc:
            actions.create_site(name="孤立便民服务中心", kind="township", region=county.township)
        assert "上级站点应为政务服务中心" in _errors(exc)["parent"][0]
        assert not Site.objects.filter(name__in=["错误村代办点", "孤立便民服务中心"]).exists()

    def test_region_code_must_have_12_digits(self) -> None:
        with pytest.raises(ValidationError) as exc:
            actions.create_region(code="450921", name="容县", level="county")
        assert "12位数字" in _errors(exc)["code"][0]

    def test_department_uscc_is_validated_in_chinese(self) -> None:
        bad = uscc(9)[:17] + ("0" if uscc(9)[17] != "0" else "1")
        with pytest.raises(ValidationError) as exc:
            actions.create_department(name="县审计局", group="economic", uscc=bad)
        assert "校验位不正确" in _errors(exc)["uscc"][0]
        dept = actions.create_department(name="县审计局", group="economic", uscc=uscc(9).lower())
        assert dept.uscc == uscc(9)
        assert Department.objects.get(name="县审计局").uscc == uscc(9)

    def test_hall_sessions_must_not_overlap(self, county: County) -> None:
        with pytest.raises(ValidationError) as exc:
            actions.create_hall(
                site=county.center,
                name="不动产登记大厅",
                sessions=[(dt.time(9), dt.time(12)), (dt.time(11), dt.time(14))],
            )
        assert "不能重叠" in _errors(exc)["sessions"][0]
        with pytest.raises(ValidationError) as exc:
            actions.create_hall(site=county.center, name="社保医保大厅", sessions=[(dt.time(12), dt.time(9))])
        assert "结束时间必须晚于开始时间" in _errors(exc)["end"][0]

    def test_window_floor_within_hall(self, county: County) -> None:
        with pytest.raises(ValidationError) as exc:
            actions.create_window(hall=county.hall, number="Z01", name="测试", kind="specialised", floor=4)
        assert "楼层应在1–3之间" in _errors(exc)["floor"][0]

    def test_window_numbers_unique_per_hall(self, county: County) -> None:
        with pytest.raises(ValidationError):
            actions.create_window(hall=county.hall, number="A06", name="重复", kind="specialised")


@pytest.mark.django_db
def test_structure_changes_are_audited_and_bad_input_writes_nothing():
    admin = User.objects.create_user("org-admin")
    department = actions.create_department(name="县审计局", group="enforcement", uscc=uscc(9001), actor=admin)
    event = AuditEvent.objects.get(event_type=AuditEventType.ORG_UNIT_CREATED, object_id=str(department.pk))
    assert event.actor == admin
    assert event.object_type == "org.department"

    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        actions.create_department(
            name="县统计局", group="enforcement", uscc="91450921MA5KXXXXX0", actor=admin
        )
    assert "统一社会信用代码" in str(excinfo.value)
    assert AuditEvent.objects.count() == before
    assert not Department.objects.filter(name="县统计局").exists()


@pytest.mark.django_db
def test_bad_department_phone_is_a_field_error_and_nothing_is_written():
    with pytest.raises(ValidationError) as excinfo:
        actions.create_department(name="县档案馆", group="comprehensive", phone="12345")
    assert "电话号码格式不正确" in " ".join(excinfo.value.message_dict["phone"])
    assert not Department.objects.filter(name="县档案馆").exists()
