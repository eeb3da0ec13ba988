from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from govhall.org.choices import Role


class Command(BaseCommand):
    help = "列出演示账号、角色和密码（仅用于演示环境）。"

    def handle(self, *args: Any, **options: Any) -> None:
        from govhall.demo.people import DEMO_ACCOUNTS, DEMO_PASSWORD, JOINT_DEMO_ITEM

        users = {
            u.username: u
            for u in get_user_model()
            .objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
            .prefetch_related("groups")
        }
        rows = [("账号", "姓名", "角色", "密码", "状态")]
        for username, name, roles, _dept, _window, title in DEMO_ACCOUNTS:
            user = users.get(username)
            if user is None:
                state = "未载入（先运行 seed_demo）"
            elif not user.check_password(DEMO_PASSWORD):
                state = "密码已修改"
            else:
                state = "可登录"
            role_text = "、".join(Role(r).label for r in roles) + (
                "（超级用户）" if username == "admin" else ""
            )
            rows.append((username, f"{name}·{title}", role_text, DEMO_PASSWORD, state))
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("演示账号（仅用于演示环境，请勿用于生产）：")
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            f"并联审批演示：事项“{JOINT_DEMO_ITEM}”由住建局牵头（zj_approver 审查，zj_head 决定或启动联审协调），"
            "自然资源局、消防救援大队、人防办协办（zr_/xf_/rf_approver 各自提出意见）。"
        )


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
