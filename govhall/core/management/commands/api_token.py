"""manage.py api_token — issue, list and revoke API tokens (Authorization: Bearer) from the command line.

api_token USERNAME [--name 用途] [--days N | --no-expiry]   → prints the new token once
api_token USERNAME --list                                  → the user's tokens (never the tokens themselves)
api_token USERNAME --revoke ID                             → revokes one of the user's tokens"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.core.admin import error_text
from govhall.core.models import ApiToken
from govhall.core.tokens import DEFAULT_DAYS, issue_token, revoke_token


class Command(BaseCommand):
    help = "为用户签发接口令牌（Authorization: Bearer），或列出、吊销其令牌；新令牌只显示这一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名")
        parser.add_argument("--name", default="命令行签发", help="令牌用途（默认“命令行签发”）")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"有效天数（默认 {DEFAULT_DAYS}）")
        parser.add_argument("--no-expiry", action="store_true", help="长期有效，直到吊销")
        parser.add_argument("--list", action="store_true", help="列出该用户的令牌")
        parser.add_argument("--revoke", type=int, metavar="ID", help="吊销该用户编号为 ID 的令牌")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户“{options['username']}”不存在")
        if options["list"]:
            self._list(user)
        elif options["revoke"] is not None:
            token = ApiToken.objects.filter(user=user, pk=options["revoke"]).first()
            if token is None:
                raise CommandError(f"用户“{user.username}”没有编号为 {options['revoke']} 的令牌")
            revoke_token(token)
            self.stdout.write(f"已吊销令牌 {token.pk}「{token.name}」（{token.prefix}…）")
        else:
            try:
                issued = issue_token(
                    user, options["name"], days=None if options["no_expiry"] else options["days"]
                )
            except ValidationError as exc:
                raise CommandError(error_text(exc)) from None
            # The token alone on stdout, so that `TOKEN=$(manage.py api_token clerk)` works; the rest on stderr.
            self.stderr.write(
                f"已为 {user.username} 签发令牌 {issued.token.pk}「{issued.token.name}」，"
                f"有效期至 {issued.token.expires_at or '吊销为止'}；令牌只显示这一次，请妥善保存："
            )
            self.stdout.write(issued.secret)

    def _list(self, user: User) -> None:
        for token in ApiToken.objects.filter(user=user).order_by("pk"):
            state = "已吊销" if token.revoked_at else f"有效期至 {token.expires_at or '吊销为止'}"
            used = token.last_used_at or "从未使用"
            self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t最近使用 {used}")
