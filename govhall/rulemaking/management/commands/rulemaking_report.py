"""`manage.py rulemaking_report YYYY`: the year's figures of the registry and of major decisions, as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.rulemaking.queries import yearly_figures


class Command(BaseCommand):
    help = "规范性文件与重大行政决策年度数据（输出 JSON）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 1900 <= year <= 2099:
            raise CommandError("年度应在 1900 至 2099 之间")
        self.stdout.write(json.dumps(yearly_figures(year), ensure_ascii=False, indent=2))
