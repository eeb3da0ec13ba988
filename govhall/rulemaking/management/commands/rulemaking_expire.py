"""`manage.py rulemaking_expire [--date YYYY-MM-DD]`: close ended comment periods, raise expiry alerts and expire
documents past their validity; prints the counts as JSON."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.core.tz import SHANGHAI
from govhall.rulemaking.actions import run_expiry


class Command(BaseCommand):
    help = "规范性文件：结束已届满的征求意见期、发出有效期届满提醒、标记已失效文件（输出 JSON）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按该日（北京时间）运行，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options.get("date"):
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date 应为 YYYY-MM-DD 格式的日期") from exc
            at = datetime.combine(day, time(9, 0), tzinfo=SHANGHAI)
        self.stdout.write(json.dumps(run_expiry(at=at), ensure_ascii=False))
