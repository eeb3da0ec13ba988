"""The staff navigation: one registry of the pages a role may open, read by base.html (through the context processor
`nav_context`) and by the role homes. Each entry names its URL, its label and the roles that may open it; a user sees
the entries of every role they hold, so the navigation never offers a page that would answer 403.

Entries for pages of apps that are built in parallel (好差评, 12345 热线, 叫号) are kept here too: an entry whose URL
name does not reverse yet (NoReverseMatch) is left out, so it appears on the day its page is mounted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.org.access import user_roles
from govhall.org.choices import STAFF_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpRequest
    from django.utils.functional import Promise

CLERKS = (Role.WINDOW_CLERK, Role.AGENT)
HANDLERS = (Role.WINDOW_CLERK, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.AGENT)
BOARD = (Role.SUPERVISOR, Role.LEADER, Role.CENTER_ADMIN)
REPORTS = (Role.SUPERVISOR, Role.LEADER, Role.PERFORMANCE_OFFICER, Role.CENTER_ADMIN)


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Promise | str
    roles: tuple[Role, ...]  # empty: every staff role
    # URL names (of the same namespace) that mark this entry as the current page.
    also: tuple[str, ...] = ()

    def allowed(self, roles: set[Role]) -> bool:
        wanted = set(self.roles) if self.roles else set(STAFF_ROLES)
        return bool(roles & wanted)


NAV: tuple[NavEntry, ...] = (
    NavEntry("workbench:home", _("工作台"), ()),
    NavEntry("workbench:intake_search", _("窗口收件"), CLERKS, also=("workbench:intake",)),
    NavEntry("queueing:call", _("叫号"), (Role.WINDOW_CLERK,)),
    NavEntry("workbench:tasks", _("待办任务"), HANDLERS),
    NavEntry("workbench:cases", pgettext_lazy("staff", "办件查询"), ()),
    NavEntry("supervision:board", _("电子监察"), BOARD),
    NavEntry("screens:screen", _("监察大屏"), BOARD),
    NavEntry("complaints:list", _("效能投诉"), (Role.SUPERVISOR,)),
    NavEntry(
        "integrity:home",
        _("廉政风险防控"),
        (*BOARD, Role.DEPARTMENT_HEAD),
        also=(
            "integrity:risk_map",
            "integrity:rotation",
            "integrity:warning",
            "integrity:conduct",
            "integrity:posts",
            "integrity:post",
            "integrity:risk_points",
            "integrity:key_departments",
        ),
    ),
    NavEntry("stats:monthly", _("月度报表"), REPORTS),
    NavEntry(
        "ratings:staff_home",
        _("好差评"),
        (Role.SUPERVISOR, Role.LEADER, Role.PERFORMANCE_OFFICER, Role.CENTER_ADMIN, Role.DEPARTMENT_HEAD),
    ),
    NavEntry("hotline:home", _("12345 热线"), (Role.HOTLINE_OPERATOR, Role.SUPERVISOR, Role.LEADER)),
    NavEntry(
        "disclosure:staff_home",
        _("政务公开"),
        (Role.DISCLOSURE_OFFICER, Role.DEPARTMENT_HEAD),
        also=("disclosure:staff_record", "disclosure:staff_record_new", "disclosure:staff_request"),
    ),
    NavEntry(
        "evaluation:month",
        _("绩效考评"),
        (Role.PERFORMANCE_OFFICER, Role.LEADER, Role.SUPERVISOR, Role.CENTER_ADMIN, Role.WINDOW_CLERK),
        also=("evaluation:year", "evaluation:me", "evaluation:sheet"),
    ),
    NavEntry(
        "inspections:home",
        _("监督检查"),
        (Role.INSPECTOR, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.LEADER),
    ),
    NavEntry("legal:home", _("行政应诉与复议"), (Role.LEGAL_OFFICER, Role.DEPARTMENT_HEAD, Role.LEADER)),
    NavEntry(
        "rulemaking:registry",
        _("规范性文件与重大决策"),
        (Role.LEGAL_OFFICER, Role.LEADER, Role.SUPERVISOR),
        also=("rulemaking:manage_document", "rulemaking:manage_decision", "rulemaking:figures"),
    ),
    NavEntry("evaluation:year", _("目标月报"), (Role.DEPARTMENT_HEAD,)),
    NavEntry("stats:public", _("统计公开"), (Role.PERFORMANCE_OFFICER, Role.LEGAL_OFFICER, Role.LEADER)),
    NavEntry("admin:index", _("系统配置"), (Role.CENTER_ADMIN,)),
)


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: Promise | str
    url: str
    current: bool


def _reverse(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def entries_for(user: User | AnonymousUser | None) -> list[NavEntry]:
    """The registry's entries the user may open and whose page exists."""
    roles = user_roles(user)
    if not roles & set(STAFF_ROLES):
        return []
    out = [e for e in NAV if e.allowed(roles) and _reverse(e.url_name) is not None]
    if user is not None and not getattr(user, "is_staff", False):
        # The admin site also wants Django's is_staff flag: without it the link would only show its login page.
        out = [e for e in out if e.url_name != "admin:index"]
    return out


def links_for(user: User | AnonymousUser | None, current: str = "") -> list[NavLink]:
    links = []
    for entry in entries_for(user):
        url = _reverse(entry.url_name)
        assert url is not None
        is_current = current in (entry.url_name, *entry.also)
        links.append(NavLink(entry.url_name, entry.label, url, is_current))
    return links


def may_open(user: User | AnonymousUser | None, url_name: str) -> bool:
    return any(e.url_name == url_name for e in entries_for(user))


def nav_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `staff_nav`, the links of the signed-in staff member (empty for citizens)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_nav": []}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else ""
    return {"staff_nav": links_for(user, current)}
