"""`manage.py screenshots`: the home page of every staff role, photographed in headless Chromium against a live server
on this (demo) database, written to docs/screenshots/home-<role>.png, and docs/roles.md listing each role's home
and navigation with the pictures. Demo only: it signs in as the demo accounts (and, for a role the demo county has
no fixed login for, the first active member of that role; a 热线话务员 is created when there is none)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.test import Client
from django.utils import timezone

from govhall.org.choices import STAFF_ROLES, Role
from govhall.workbench.homes import BUILDERS
from govhall.workbench.nav import entries_for

CHROMIUM = Path("/usr/bin/chromium")
FIXED = {
    Role.WINDOW_CLERK: "clerk",
    Role.APPROVER: "approver",
    Role.DEPARTMENT_HEAD: "head",
    Role.SUPERVISOR: "supervisor",
    Role.LEADER: "leader",
    Role.CENTER_ADMIN: "admin",
    Role.PERFORMANCE_OFFICER: "performance",
    Role.LEGAL_OFFICER: "legal",
    Role.DISCLOSURE_OFFICER: "gk_officer",
    Role.INSPECTOR: "inspector",
}
SLUG = {
    Role.WINDOW_CLERK: "clerk",
    Role.APPROVER: "approver",
    Role.DEPARTMENT_HEAD: "head",
    Role.SUPERVISOR: "supervisor",
    Role.LEADER: "leader",
    Role.CENTER_ADMIN: "admin",
    Role.PERFORMANCE_OFFICER: "performance",
    Role.LEGAL_OFFICER: "legal",
    Role.HOTLINE_OPERATOR: "hotline",
    Role.AGENT: "agent",
    Role.DISCLOSURE_OFFICER: "disclosure",
    Role.INSPECTOR: "inspector",
}


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def _user_for(role: Role) -> Any:
    users = get_user_model().objects.filter(is_active=True)
    fixed = FIXED.get(role)
    if fixed:
        user = users.filter(username=fixed).first()
        if user is not None:
            return user
    user = users.filter(groups__name=role.value).order_by("pk").first()
    if user is None and role == Role.HOTLINE_OPERATOR:
        from govhall.org.actions import create_staff

        user = create_staff("hotline", "热线演示", "DEMO-HL1", (role,), []).user
    return user


class Command(BaseCommand):
    help = "为每个工作人员角色的工作台截图（docs/screenshots/home-<角色>.png）并生成 docs/roles.md（仅用于演示库）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs"), help="docs 目录")
        parser.add_argument("--port", type=int, default=0, help="临时服务器端口（默认自动选择）")
        parser.add_argument("--width", type=int, default=1366)

    def handle(self, *args: Any, **options: Any) -> None:
        if not get_user_model().objects.filter(username="clerk").exists():
            raise CommandError("没有演示数据：请先运行 manage.py seed_demo（和 simulate）。")
        if not CHROMIUM.exists():
            raise CommandError("没有 /usr/bin/chromium：apt-get install chromium fonts-wqy-zenhei")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:  # a dev dependency
            raise CommandError("需要 playwright（pip install playwright）") from exc
        out = Path(options["out"])
        pictures = out / "screenshots"
        pictures.mkdir(parents=True, exist_ok=True)
        server = ThreadedWSGIServer(("127.0.0.1", options["port"]), _QuietHandler)
        server.set_app(get_wsgi_application())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        # Everything that reads the database happens before the browser starts: Playwright's sync API runs an event
        # loop in this thread, where Django refuses database calls.
        rows: list[tuple[Role, Any, list[str], str]] = []
        cookies: list[str] = []
        for role in [r for r in STAFF_ROLES if r in BUILDERS]:
            user = _user_for(role)
            if user is None:
                self.stderr.write(f"跳过 {role.label}：演示库中没有该角色的人员")
                continue
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
            rows.append((role, user, [str(e.label) for e in entries_for(user)], f"home-{SLUG[role]}.png"))
        for row in rows:  # the names and panels roles.md prints, read while the database may still be used
            staff = getattr(row[1], "staff", None)
            row[1].display = getattr(staff, "name", "") or row[1].get_username()
            row[1].home = home_text(row[1], row[0])
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                for (shot, _user, _labels, name), cookie in zip(rows, cookies, strict=True):
                    context = browser.new_context(
                        locale="zh-CN", viewport={"width": options["width"], "height": 900}
                    )
                    context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
                    )
                    page = context.new_page()
                    page.goto(f"{base}/workbench/", wait_until="networkidle")
                    page.screenshot(path=str(pictures / name), full_page=True)
                    context.close()
                    self.stdout.write(f"{shot.label}: screenshots/{name}")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
        (out / "roles.md").write_text(_roles_md(rows), encoding="utf-8")
        self.stdout.write(f"已写入 {out / 'roles.md'}")


def home_text(user: Any, role: Role) -> str:
    """The role's own panel on the home, as a line of text: its title and what it counts."""
    panel = BUILDERS[role](user, timezone.now(), role)
    return f"{panel.title}: {'、'.join(stat.label for stat in panel.stats)}."


def _roles_md(rows: list[tuple[Role, Any, list[str], str]], pictures: Path | None = None) -> str:
    lines = [
        "# Roles: each role's home and navigation",
        "",
        "Generated by `manage.py screenshots` on the demo county (`seed_demo`, `simulate`); do not edit by hand.",
        "The navigation is the registry in `govhall/workbench/nav.py`; the panels are `govhall/workbench/homes.py`",
        "(see `staff.md`). A person with several roles sees the navigation and the panels of each.",
        "",
    ]
    for role, user, labels, picture in rows:
        who = getattr(user, "display", "") or user.get_username()
        lines += [
            f"## {role.label} (`{role.value}`)",
            "",
            f"Demo login: `{user.get_username()}` ({who}). Navigation: {' · '.join(labels)}.",
            "",
        ]
        if getattr(user, "home", ""):
            lines += [f"Home: {user.home}", ""]
        # A role whose screenshot has not been taken yet (roles.md written without the browser) gets none.
        if pictures is None or (pictures / picture).exists():
            lines += [f"![{role.label}的工作台](screenshots/{picture})", ""]
    return "\n".join(lines)
