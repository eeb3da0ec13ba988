"""The only way organisation records are created: each action validates (Chinese messages), writes and audits
in one transaction. The demo seed goes through these too, so demo data obeys the same rules as real data."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import models, transaction

from govhall.core.audit import record_event
from govhall.core.identifiers import mask_phone, mask_resident_id, validate_resident_id
from govhall.core.models import AuditEventType

from .access import forget_roles
from .choices import STAFF_ROLES, Role, WindowKind
from .models import Department, Hall, OfficeSession, Region, Site, StaffProfile, Window
from .roles import ADMIN_SITE_ROLES, ensure_role_groups

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_USERNAME_RE = re.compile(r"^[\w.@+-]{2,150}$")
_M = TypeVar("_M", bound=models.Model)


def validate_phone(value: str) -> str:
    phone = (value or "").strip().replace(" ", "")
    if phone and not (_MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone)):
        raise ValidationError(
            "电话号码格式不正确：手机号码为11位数字，固定电话形如0775-5321234。", code="phone_format"
        )
    return phone


def _phone_field(value: str) -> str:
    """validate_phone, with the error attached to the model's ``phone`` field for forms and the admin."""
    try:
        return validate_phone(value)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc


def _saved(obj: _M, exclude: Sequence[str] = (), actor: User | None = None) -> _M:
    obj.full_clean(exclude=list(exclude))
    obj.save()
    record_event(AuditEventType.ORG_UNIT_CREATED, actor=actor, obj=obj, after={"name": str(obj)})
    return obj


# --- structure -----------------------------------------------------------------------------------------


@transaction.atomic
def create_region(
    *, code: str, name: str, level: str, parent: Region | None = None, actor: User | None = None
) -> Region:
    return _saved(Region(code=code, name=name, level=level, parent=parent), actor=actor)


@transaction.atomic
def create_site(
    *,
    name: str,
    kind: str,
    region: Region,
    parent: Site | None = None,
    address: str = "",
    phone: str = "",
    active: bool = True,
    actor: User | None = None,
) -> Site:
    site = Site(
        name=name, kind=kind, region=region, parent=parent, address=address, phone=phone, active=active
    )
    site.phone = _phone_field(phone)
    return _saved(site, actor=actor)


@transaction.atomic
def create_hall(
    *,
    site: Site,
    name: str,
    floors: int = 1,
    sessions: Iterable[tuple[dt.time, dt.time]] = (),
    actor: User | None = None,
) -> Hall:
    hall = _saved(Hall(site=site, name=name, floors=floors), actor=actor)
    _set_sessions(hall, sessions)
    return hall


def _set_sessions(hall: Hall, sessions: Iterable[tuple[dt.time, dt.time]]) -> list[str]:
    """Replace the hall's office hours; returns them as "HH:MM–HH:MM" for the audit log."""
    rows = [OfficeSession(hall=hall, start=start, end=end) for start, end in sessions]
    ordered = sorted(rows, key=lambda s: s.start)
    for row in ordered:
        row.full_clean(exclude=["hall"])
    for earlier, later in itertools.pairwise(ordered):
        if later.start < earlier.end:
            raise ValidationError({"sessions": "办公时段不能重叠。"})
    hall.sessions.all().delete()
    OfficeSession.objects.bulk_create(ordered)
    return [str(row) for row in ordered]


@transaction.atomic
def create_department(
    *,
    name: str,
    group: str,
    uscc: str | None = None,
    short_name: str = "",
    parent: Department | None = None,
    region: Region | None = None,
    in_hall: bool = True,
    phone: str = "",
    sort_order: int = 0,
    active: bool = True,
    actor: User | None = None,
) -> Department:
    department = Department(
        name=name,
        short_name=short_name,
        uscc=(uscc or "").strip().upper() or None,
        group=group,
        parent=parent,
        region=region,
        in_hall=in_hall,
        phone=phone,
        sort_order=sort_order,
        active=active,
    )
    department.phone = _phone_field(phone)
    return _saved(department, actor=actor)


@transaction.atomic
def create_window(
    *,
    hall: Hall,
    number: str,
    name: str,
    kind: str,
    floor: int = 1,
    department: Department | None = None,
    active: bool = True,
    actor: User | None = None,
    acts_for: Iterable[Department] = (),
) -> Window:
    _check_floor(hall, floor)
    window = _saved(
        Window(
            hall=hall, number=number, name=name, kind=kind, floor=floor, department=department, active=active
        ),
        actor=actor,
    )
    _set_acts_for(window, acts_for, actor)
    return window


def _set_acts_for(window: Window, departments: Iterable[Department], actor: User | None) -> None:
    """The departments a comprehensive window takes applications and makes intake decisions for (audited)."""
    wanted = sorted({d.pk: d for d in departments}.values(), key=lambda d: d.pk)
    if wanted and window.kind != WindowKind.COMPREHENSIVE:
        raise ValidationError({"acts_for": "只有综合受理窗口可以代为受理其他部门的申请。"})
    before = sorted(window.acts_for.all(), key=lambda d: d.pk)
    if before == wanted:
        return
    window.acts_for.set(wanted)
    record_event(
        AuditEventType.ORG_UNIT_UPDATED,
        actor=actor,
        obj=window,
        before={"acts_for": [d.name for d in before]},
        after={"acts_for": [d.name for d in wanted]},
    )


def _check_floor(hall: Hall, floor: int) -> None:
    if floor < 1 or floor > hall.floors:
        raise ValidationError({"floor": f"{hall.name}共{hall.floors}层，楼层应在1–{hall.floors}之间。"})


# --- changes ------------------------------------------------------------------------------------------

REGION_FIELDS = ("code", "name", "level", "parent")
SITE_FIELDS = ("name", "kind", "region", "parent", "address", "phone", "active")
HALL_FIELDS = ("site", "name", "floors")
DEPARTMENT_FIELDS = (
    "name",
    "short_name",
    "uscc",
    "group",
    "parent",
    "region",
    "in_hall",
    "phone",
    "sort_order",
    "active",
)
WINDOW_FIELDS = ("hall", "floor", "number", "name", "kind", "department", "active")


def _plain(value: Any) -> Any:
    """A JSON-able form of a field value for the audit log."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.time | dt.date):
        return value.isoformat()
    return value


def _locked(obj: _M) -> _M:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _apply_changes(obj: _M, changes: dict[str, Any], allowed: Sequence[str], actor: User | None) -> _M:
    """Validate and save `changes` (field -> new value) on the locked row; one ORG_UNIT_UPDATED event naming
    the fields that really changed (nothing when none did)."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError(f"不能修改的字段：{'、'.join(unknown)}")
    locked = _locked(obj)
    if "phone" in changes:
        changes = {**changes, "phone": _phone_field(changes["phone"] or "")}
    if "uscc" in changes:
        changes = {**changes, "uscc": (changes["uscc"] or "").strip().upper() or None}
    changed = {name: value for name, value in changes.items() if getattr(locked, name) != value}
    if not changed:
        return locked
    before = {name: _plain(getattr(locked, name)) for name in changed}
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    record_event(
        AuditEventType.ORG_UNIT_UPDATED,
        actor=actor,
        obj=locked,
        before=before,
        after={name: _plain(value) for name, value in changed.items()},
    )
    return locked


def _refuse_own_parent(unit: models.Model, changes: dict[str, Any], label: str) -> None:
    parent = changes.get("parent")
    if parent is not None and parent.pk == unit.pk:
        raise ValidationError({"parent": f"{label}不能是其本身。"})


@transaction.atomic
def update_region(region: Region, *, actor: User | None = None, **changes: Any) -> Region:
    _refuse_own_parent(region, changes, "上级区划")
    return _apply_changes(region, changes, REGION_FIELDS, actor)


@transaction.atomic
def update_site(site: Site, *, actor: User | None = None, **changes: Any) -> Site:
    _refuse_own_parent(site, changes, "上级站点")
    return _apply_changes(site, changes, SITE_FIELDS, actor)


@transaction.atomic
def update_hall(
    hall: Hall,
    *,
    sessions: Iterable[tuple[dt.time, dt.time]] | None = None,
    actor: User | None = None,
    **changes: Any,
) -> Hall:
    """Change the hall and, when `sessions` is given, replace its office hours (audited with the change)."""
    floors = changes.get("floors")
    if floors is not None:
        highest = hall.windows.aggregate(top=models.Max("floor"))["top"] or 0
        if floors < highest:
            raise ValidationError({"floors": f"已有窗口位于{highest}层，楼层数不能少于{highest}。"})
    saved = _apply_changes(hall, changes, HALL_FIELDS, actor)
    if sessions is not None:
        before = [str(row) for row in saved.sessions.all()]
        after = _set_sessions(saved, sessions)
        if before != after:
            record_event(
                AuditEventType.ORG_UNIT_UPDATED,
                actor=actor,
                obj=saved,
                before={"sessions": before},
                after={"sessions": after},
            )
    return saved


@transaction.atomic
def update_department(department: Department, *, actor: User | None = None, **changes: Any) -> Department:
    _refuse_own_parent(department, changes, "上级部门")
    return _apply_changes(department, changes, DEPARTMENT_FIELDS, actor)


@transaction.atomic
def update_window(
    window: Window,
    *,
    actor: User | None = None,
    acts_for: Iterable[Department] | None = None,
    **changes: Any,
) -> Window:
    """Change the window and, when `acts_for` is given, the departments a comprehensive window acts for."""
    if "floor" in changes or "hall" in changes:
        _check_floor(changes.get("hall") or window.hall, changes.get("floor", window.floor))
    saved = _apply_changes(window, changes, WINDOW_FIELDS, actor)
    if acts_for is not None:
        _set_acts_for(saved, acts_for, actor)
    elif saved.kind != WindowKind.COMPREHENSIVE:
        # A window that stops being comprehensive stops acting for other departments.
        _set_acts_for(saved, (), actor)
    return saved


# --- staff ---------------------------------------------------------------------------------------------


def _clean_roles(roles: Iterable[Role | str]) -> list[Role]:
    cleaned: list[Role] = []
    for value in roles:
        try:
            role = Role(value)
        except ValueError as exc:
            raise ValidationError({"roles": f"未知的角色：{value}"}) from exc
        if role not in STAFF_ROLES:
            raise ValidationError({"roles": f"“{role.label}”不是工作人员角色。"})
        if role not in cleaned:
            cleaned.append(role)
    return cleaned


def _role_groups(roles: Iterable[Role]) -> list[Group]:
    roles = list(roles)
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in roles])}
    if len(groups) < len(roles):
        # Groups are made by post_migrate; a database restored without them still works.
        groups.update({k: v for k, v in ensure_role_groups(roles=roles).items()})
    return [groups[r.value] for r in roles]


def staff_summary(profile: StaffProfile, roles: Iterable[Role]) -> dict[str, Any]:
    # Personal data in the audit log is masked (个人信息保护法): the log is read far more widely than the record.
    return {
        "username": profile.user.get_username(),
        "name": profile.name,
        "employee_no": profile.employee_no,
        "roles": sorted(r.value for r in roles),
        "departments": sorted(profile.departments.values_list("name", flat=True)),
        "sites": sorted(profile.sites.values_list("name", flat=True)),
        "window": profile.window.number if profile.window else None,
        "phone": mask_phone(profile.phone),
        "id_number": mask_resident_id(profile.id_number),
    }


@transaction.atomic
def create_staff(
    username: str,
    name: str,
    employee_no: str,
    roles: Iterable[Role | str],
    departments: Iterable[Department] = (),
    sites: Iterable[Site] = (),
    window: Window | None = None,
    phone: str = "",
    id_number: str = "",
    password: str | None = None,
    actor: User | None = None,
    *,
    title: str = "",
    email: str = "",
    superuser: bool = False,
) -> StaffProfile:
    """Create a login and its staff record. Raises ValidationError keyed by field, with Chinese messages.

    Without a password the account cannot log in until an administrator sets one."""
    user_model = get_user_model()
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not _USERNAME_RE.match(username):
        errors.setdefault("username", []).append("用户名应为2–150位字母、数字或 @ . + - _。")
    elif user_model.objects.filter(username=username).exists():
        errors.setdefault("username", []).append(f"用户名“{username}”已被使用。")
    data = _checked_staff(
        errors,
        name=name,
        employee_no=employee_no,
        roles=roles,
        departments=departments,
        sites=sites,
        window=window,
        phone=phone,
        id_number=id_number,
        allow_no_role=superuser,
    )
    cleaned_roles = data.pop("roles")

    user = user_model(username=username, email=email, first_name=data["name"][:150])
    user.is_superuser = superuser
    user.is_staff = superuser or bool(set(cleaned_roles) & ADMIN_SITE_ROLES)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set(_role_groups(cleaned_roles))
    return _new_profile(user, data, cleaned_roles, title=title, active=True, actor=actor)


def _checked_staff(
    errors: dict[str, list[str]],
    *,
    name: str,
    employee_no: str,
    roles: Iterable[Role | str],
    departments: Iterable[Department],
    sites: Iterable[Site],
    window: Window | None,
    phone: str,
    id_number: str,
    allow_no_role: bool = False,
    profile: StaffProfile | None = None,
) -> dict[str, Any]:
    """The staff rules shared by creation and change; raises every problem at once, keyed by field."""
    employee_no = (employee_no or "").strip()
    name = (name or "").strip()
    departments = list(departments)
    sites = list(sites)
    if not name:
        errors.setdefault("name", []).append("请填写姓名。")
    taken = StaffProfile.objects.filter(employee_no=employee_no)
    if profile is not None:
        taken = taken.exclude(pk=profile.pk)
    if not employee_no:
        errors.setdefault("employee_no", []).append("请填写工号。")
    elif taken.exists():
        errors.setdefault("employee_no", []).append(f"工号“{employee_no}”已被使用。")
    try:
        cleaned_roles = _clean_roles(roles)
        if not cleaned_roles and not allow_no_role:
            errors.setdefault("roles", []).append("请至少选择一个角色。")
    except ValidationError as exc:
        cleaned_roles = []
        errors.setdefault("roles", []).extend(exc.messages)
    try:
        phone = validate_phone(phone)
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.messages)
    if id_number:
        try:
            id_number = validate_resident_id(id_number)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
    if window is not None and window.department_id and departments and window.department not in departments:
        errors.setdefault("window", []).append(f"{window.number}号窗口不属于所选部门。")
    if Role.AGENT in cleaned_roles and not sites:
        errors.setdefault("sites", []).append("村级代办员应至少指定一个服务站点。")
    if Role.WINDOW_CLERK in cleaned_roles and window is None and not sites:
        errors.setdefault("window", []).append("窗口工作人员应指定所在窗口或服务站点。")
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "employee_no": employee_no,
        "roles": cleaned_roles,
        "departments": departments,
        "sites": sites,
        "window": window,
        "phone": phone,
        "id_number": id_number,
    }


def _new_profile(
    user: User,
    data: dict[str, Any],
    roles: list[Role],
    *,
    title: str,
    active: bool,
    actor: User | None,
) -> StaffProfile:
    profile = StaffProfile(
        user=user,
        name=data["name"],
        employee_no=data["employee_no"],
        phone=data["phone"],
        id_number=data["id_number"],
        title=title,
        window=data["window"],
        active=active,
    )
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.departments.set(data["departments"])
    profile.sites.set(data["sites"])
    record_event(AuditEventType.STAFF_CREATED, actor=actor, obj=profile, after=staff_summary(profile, roles))
    return profile


@transaction.atomic
def create_staff_profile(
    user: User | None,
    *,
    name: str,
    employee_no: str,
    roles: Iterable[Role | str],
    departments: Iterable[Department] = (),
    sites: Iterable[Site] = (),
    window: Window | None = None,
    phone: str = "",
    id_number: str = "",
    title: str = "",
    active: bool = True,
    actor: User | None = None,
) -> StaffProfile:
    """The staff record of an existing login (the admin's "add staff" picks the account)."""
    errors: dict[str, list[str]] = {}
    if user is None:
        errors["user"] = ["请选择账号。"]
    elif StaffProfile.objects.filter(user=user).exists():
        errors["user"] = [f"账号“{user.get_username()}”已有工作人员信息。"]
    data = _checked_staff(
        errors,
        name=name,
        employee_no=employee_no,
        roles=roles,
        departments=departments,
        sites=sites,
        window=window,
        phone=phone,
        id_number=id_number,
    )
    cleaned_roles = data.pop("roles")
    assert user is not None  # a missing account is in `errors`, which _checked_staff raised
    profile = _new_profile(user, data, cleaned_roles, title=title, active=active, actor=actor)
    set_staff_roles(profile, cleaned_roles, actor=actor)
    return profile


STAFF_FIELDS = (
    "name",
    "employee_no",
    "phone",
    "id_number",
    "title",
    "departments",
    "sites",
    "window",
    "active",
)


@transaction.atomic
def update_staff(
    staff: StaffProfile,
    *,
    roles: Iterable[Role | str] | None = None,
    actor: User | None = None,
    **changes: Any,
) -> StaffProfile:
    """Change a staff record (STAFF_UPDATED, personal data masked) and, when `roles` is given, its roles
    (STAFF_ROLES_CHANGED). The rules are create_staff's, checked on the record as it will be."""
    unknown = sorted(set(changes) - set(STAFF_FIELDS))
    if unknown:
        raise ValidationError(f"不能修改的字段：{'、'.join(unknown)}")
    profile = (
        StaffProfile.objects.select_for_update(of=("self",)).select_related("user", "window").get(pk=staff.pk)
    )
    current_roles = sorted(user_roles_of(profile))
    merged: dict[str, Any] = {
        "name": profile.name,
        "employee_no": profile.employee_no,
        "departments": list(profile.departments.all()),
        "sites": list(profile.sites.all()),
        "window": profile.window,
        "phone": profile.phone,
        "id_number": profile.id_number,
    }
    merged.update({k: v for k, v in changes.items() if k in merged})
    data = _checked_staff({}, roles=current_roles if roles is None else roles, profile=profile, **merged)
    cleaned_roles = data.pop("roles")
    before = {**staff_summary(profile, current_roles), "title": profile.title, "active": profile.active}
    for name in ("name", "employee_no", "phone", "id_number", "window"):
        setattr(profile, name, data[name])
    for name in ("title", "active"):
        if name in changes:
            setattr(profile, name, changes[name])
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.departments.set(data["departments"])
    profile.sites.set(data["sites"])
    after = {**staff_summary(profile, current_roles), "title": profile.title, "active": profile.active}
    if before != after:
        record_event(AuditEventType.STAFF_UPDATED, actor=actor, obj=profile, before=before, after=after)
    if roles is not None:
        set_staff_roles(profile, cleaned_roles, actor=actor)
    return profile


def user_roles_of(profile: StaffProfile) -> list[Role]:
    names = set(profile.user.groups.values_list("name", flat=True))
    return [role for role in STAFF_ROLES if role.value in names]


@transaction.atomic
def set_staff_roles(
    staff: StaffProfile | User, roles: Iterable[Role | str], *, actor: User | None = None
) -> StaffProfile:
    """Replace the staff member's role groups (other groups stay). Records nothing when nothing changes."""
    profile = staff if isinstance(staff, StaffProfile) else StaffProfile.objects.get(user=staff)
    user = profile.user
    new_roles = _clean_roles(roles)
    role_names = {r.value for r in Role}
    current = list(user.groups.filter(name__in=role_names))
    before = sorted(g.name for g in current)
    after = sorted(r.value for r in new_roles)
    if before == after:
        return profile
    user.groups.remove(*current)
    user.groups.add(*_role_groups(new_roles))
    is_staff = user.is_superuser or bool(set(new_roles) & ADMIN_SITE_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    forget_roles(user)
    record_event(
        AuditEventType.STAFF_ROLES_CHANGED,
        actor=actor,
        obj=profile,
        before={"roles": before},
        after={"roles": after},
    )
    return profile
