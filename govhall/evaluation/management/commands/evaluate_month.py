"""manage.py evaluate_month YYYY-MM: JSON with every window's and staff member's score, rank and title."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.evaluation.queries import month_results, parse_month


class Command(BaseCommand):
    help = "月度窗口和工作人员考评结果（JSON）：已结账的月份输出冻结结果，否则按当前记录计算。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(json.dumps(month_results(month), ensure_ascii=False, indent=1))
