"""Who may see what: roles from the user's groups, and querysets scoped to a user's departments and sites.

Center-wide roles (administration, supervision, leadership, performance and legal offices) see the whole
center; everyone else sees the departments and sites on their own staff record."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from govhall.core.compiled import CompiledRead

from .choices import STAFF_ROLES, Role, WindowKind
from .models import Department, Site, StaffProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

CENTER_WIDE_ROLES = frozenset(
    {Role.CENTER_ADMIN, Role.SUPERVISOR, Role.LEADER, Role.PERFORMANCE_OFFICER, Role.LEGAL_OFFICER}
)
# Every request maps its user's group names to roles: a dict, not a walk over the enum (7 µs a request).
_ROLE_BY_VALUE = {role.value: role for role in Role}
_CACHE_ATTR = "_govhall_roles"
_DEPARTMENTS_ATTR = "_govhall_department_ids"
_WINDOW_SITE_ATTR = "_govhall_window_site_id"
# The staff record's columns, read with the roles (`staff__<name>` through the reverse one-to-one).
_STAFF_FIELDS = tuple(f for f in StaffProfile._meta.concrete_fields)


# What every permission check of a request needs, by the user's key: role groups, departments (own and the
# window's), the window's site and the staff record's columns.
_CONTEXT_COLUMNS = (
    "groups__name",
    "staff__departments",
    "staff__window__department",
    "staff__window__hall__site",
    *(f"staff__{f.name}" for f in _STAFF_FIELDS),
)


def _context_read(*leading: str) -> CompiledRead[Any]:
    return CompiledRead(
        lambda pk: get_user_model()._default_manager.filter(pk=pk).values_list(*leading, *_CONTEXT_COLUMNS),
        int,
    )


# Every action and every request reads this: compiled once per connection (core.compiled), it costs a tenth.
_CONTEXT = _context_read()
# The signed-in user of a request with that same context, in one statement: `signed_in_user` below, which
# core.auth's backend uses (installed by org's AppConfig.ready: core cannot import org).
_USER_COLUMNS = tuple(f.attname for f in get_user_model()._meta.concrete_fields)
_USER_WITH_CONTEXT = _context_read(*_USER_COLUMNS)


def _load_context(user: User) -> None:
    """Read what every permission check of a request needs in ONE query and cache it on the user object: the role
    groups, the staff record (primed as `user.staff`, so the audit log's actor name and the pages need no query of
    their own), the departments the user acts for and the site of their window. A request (or an action with a
    freshly loaded user) starts empty; `forget_roles` drops it after the groups or the staff record changed."""
    _apply_context(user, _CONTEXT.rows(user.pk))


def signed_in_user(pk: int) -> User | None:
    """The user with this key and, read in the same statement, the context `_load_context` would read at the
    request's first permission check: a signed-in request (the session's user) costs one statement, not two.
    The context is as fresh as the user row, read once per request as before."""
    rows = _USER_WITH_CONTEXT.rows(pk)
    if not rows:
        return None
    width = len(_USER_COLUMNS)
    user = get_user_model().from_db(DEFAULT_DB_ALIAS, list(_USER_COLUMNS), list(rows[0][:width]))
    _apply_context(user, [row[width:] for row in rows])
    return user


def _apply_context(user: User, rows: list[tuple[Any, ...]]) -> None:
    names = {row[0] for row in rows if row[0] is not None}
    roles = {_ROLE_BY_VALUE[name] for name in names if name in _ROLE_BY_VALUE}
    if user.is_superuser:
        roles.add(Role.CENTER_ADMIN)
    setattr(user, _CACHE_ATTR, frozenset(roles))
    profile: StaffProfile | None = None
    departments: set[int] = set()
    site_id: int | None = None
    if rows and rows[0][4] is not None:  # the staff record's id
        profile = StaffProfile.from_db(
            user._state.db or "default", [f.attname for f in _STAFF_FIELDS], list(rows[0][4:])
        )
        departments = {dept for row in rows for dept in row[1:3] if dept is not None}
        site_id = rows[0][3]
    if not _staff_accessor().is_cached(user):  # an object the caller already holds stays the one it holds
        _staff_accessor().set_cached_value(user, profile)
    setattr(user, _WINDOW_SITE_ATTR, site_id)
    if profile is not None and roles and not roles & CENTER_WIDE_ROLES:
        # The same set departments_for() gives; center-wide users and users without a role take that path.
        setattr(user, _DEPARTMENTS_ATTR, departments)


def _staff_accessor() -> Any:
    return StaffProfile._meta.get_field("user").remote_field  # the reverse one-to-one `user.staff`


def staff_window(user: User) -> tuple[int | None, int | None]:
    """(window id, its site id) of the user's staff record, (None, None) without one: from the cached context."""
    user_roles(user)
    profile = _staff_accessor().get_cached_value(user, default=None)
    if profile is None:
        return None, None
    return profile.window_id, getattr(user, _WINDOW_SITE_ATTR, None)


def user_roles(user: User | AnonymousUser | None) -> set[Role]:
    """The user's roles, read once per user object (with the staff record and departments, see _load_context).
    A superuser counts as a center administrator."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return set()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        _load_context(user)  # type: ignore[arg-type]
        cached = getattr(user, _CACHE_ATTR)
    return set(cached)


def forget_roles(user: User | AnonymousUser | None) -> None:
    """Drop the cached roles, departments and staff record after the user's groups or staff record changed."""
    for attr in (_CACHE_ATTR, _DEPARTMENTS_ATTR, _WINDOW_SITE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
    if user is not None and getattr(user, "pk", None) is not None and _staff_accessor().is_cached(user):
        _staff_accessor().delete_cached_value(user)


def has_role(user: User | AnonymousUser | None, *roles: Role | str) -> bool:
    mine = user_roles(user)
    return any(Role(role) in mine for role in roles)


def is_center_wide(user: User | AnonymousUser | None) -> bool:
    return bool(user_roles(user) & CENTER_WIDE_ROLES)


def _profile(user: User | AnonymousUser | None) -> StaffProfile | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.staff
    except StaffProfile.DoesNotExist:
        return None


def departments_for(user: User | AnonymousUser | None) -> QuerySet[Department]:
    if is_center_wide(user):
        return Department.objects.all()
    profile = _profile(user)
    if profile is None or not user_roles(user):
        return Department.objects.none()
    ids = set(profile.departments.values_list("pk", flat=True))
    if profile.window_id and profile.window and profile.window.department_id:
        ids.add(profile.window.department_id)
    return Department.objects.filter(pk__in=ids)


def sites_for(user: User | AnonymousUser | None) -> QuerySet[Site]:
    """Own sites and every site below them: a township center's staff also serve its village points."""
    if is_center_wide(user):
        return Site.objects.all()
    profile = _profile(user)
    if profile is None or not user_roles(user):
        return Site.objects.none()
    own = set(profile.sites.values_list("pk", flat=True))
    if profile.window_id and profile.window is not None:
        own.add(profile.window.hall.site_id)
    return Site.objects.filter(Q(pk__in=own) | Q(parent__in=own) | Q(parent__parent__in=own))


def staff_visible_to(user: User | AnonymousUser | None) -> QuerySet[StaffProfile]:
    """Everyone for center-wide roles; otherwise colleagues who share a department or a site, and oneself."""
    if is_center_wide(user):
        return StaffProfile.objects.all()
    profile = _profile(user)
    if profile is None:
        return StaffProfile.objects.none()
    if not user_roles(user):
        return StaffProfile.objects.filter(pk=profile.pk)
    departments = departments_for(user)
    sites = profile.sites.all()
    return StaffProfile.objects.filter(
        Q(pk=profile.pk)
        | Q(departments__in=departments)
        | Q(sites__in=sites)
        | Q(window__department__in=departments)
    ).distinct()


# ---------------------------------------------------------------- the one permission gate


def department_ids(user: User | AnonymousUser | None) -> set[int]:
    """The departments the user acts for (as departments_for), read with the roles (_load_context) and cached on
    the user."""
    roles = user_roles(user)
    cached: set[int] | None = getattr(user, _DEPARTMENTS_ATTR, None)
    if cached is None:
        if user is None or not user.is_authenticated or is_center_wide(user) or not roles:
            cached = set(departments_for(user).values_list("pk", flat=True))
        else:  # roles but no staff record
            cached = set()
        if user is not None:
            setattr(user, _DEPARTMENTS_ATTR, cached)
    return cached


def role_names(roles: Iterable[Role | str]) -> str:
    return "、".join(str(Role(r).label) for r in roles)


def require_role(
    user: User | AnonymousUser | None,
    *roles: Role | str,
    department: Department | int | None = None,
    what: str = "此操作",
    message: str | None = None,
) -> None:
    """Pass, or raise PermissionDenied with a Chinese message: the user must hold one of `roles` (any staff role
    when none is named) and, with `department`, belong to it. `message` replaces the default wording."""
    wanted = {Role(r) for r in roles} if roles else set(STAFF_ROLES)
    if not user_roles(user) & wanted:
        names = role_names(roles) if roles else "工作人员"
        raise PermissionDenied(message or f"{what}需要“{names}”角色")
    if department is not None:
        department_id = department if isinstance(department, int) else department.pk
        if department_id not in department_ids(user):
            raise PermissionDenied(message or f"{what}：您不属于该办理部门")


def intake_department_ids(user: User | None) -> set[int]:
    """The departments whose intake decisions the user may make: their own (department_ids) and, at an active
    comprehensive window (综合受理窗口), the departments that window is configured to act for (Window.acts_for)."""
    if user is None or user.pk is None:
        return set()
    own = set(department_ids(user))
    acting = StaffProfile.objects.filter(
        user_id=user.pk,
        active=True,
        window__active=True,
        window__kind=WindowKind.COMPREHENSIVE,
        window__acts_for__isnull=False,
    ).values_list("window__acts_for", flat=True)
    return own | set(acting)


def require_intake_role(user: User | None, department: Department | int, *, what: str) -> None:
    """Intake decisions (《行政许可法》第三十二条) are the receiving department's: a window clerk or approver of the
    case's department, or of a comprehensive window acting for it. Holding a task on the case is not enough."""
    require_role(user, Role.WINDOW_CLERK, Role.APPROVER, message=f"{what}需要窗口工作人员或审批人员角色")
    department_id = department if isinstance(department, int) else department.pk
    # The own departments come with the roles; the comprehensive window's list is read only when they do not cover it.
    if department_id not in department_ids(user) and department_id not in intake_department_ids(user):
        raise PermissionDenied(f"{what}由本件的受理部门或代为受理的综合窗口作出，您不属于该部门")


def acting_user(request: HttpRequest) -> User | AnonymousUser:
    """The user of a page request or of an API call (django-ninja puts the authenticated user in request.auth)."""
    auth: User | None = getattr(request, "auth", None)  # django-ninja's authenticated user
    return auth if auth is not None and getattr(auth, "pk", None) else request.user


def require_request_role(
    request: HttpRequest,
    *roles: Role | str,
    department: Department | int | None = None,
    what: str = "此操作",
    message: str | None = None,
) -> None:
    """require_role for the user of a request: for django-ninja operations (the API maps PermissionDenied to 403
    with the message) and for views that check inside their body."""
    require_role(acting_user(request), *roles, department=department, what=what, message=message)


View = Callable[..., HttpResponseBase]


def role_required(
    *roles: Role | str,
    forbidden: Callable[[HttpRequest, str], HttpResponseBase],
    login_only: bool = False,
    login_url: str | None = None,
    fallback: str = "您无权进行此操作。",
) -> Callable[[View], View]:
    """View decorator: logged in (else the login page) and holding one of `roles` (any staff role when none is
    named; no role check with `login_only`); a PermissionDenied from the gate, a later check in the view or an
    action is rendered by `forbidden` (the app's Chinese 403 page; `fallback` when the refusal has no message)."""
    page_message = f"此页面需要“{role_names(roles) if roles else '工作人员'}”角色。"

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                if not login_only:
                    require_role(request.user, *roles, message=page_message)
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return forbidden(request, str(exc) or fallback)

        return login_required(wrapper, login_url=login_url)

    return decorate
