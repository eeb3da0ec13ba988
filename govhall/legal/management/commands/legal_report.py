"""manage.py legal_report YYYY: the year's rule-of-law figures (法治政府建设年度报告) as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.legal.report import annual_report, remedy_counter


class Command(BaseCommand):
    help = "打印年度法治政府建设数据（行政诉讼、负责人出庭应诉、行政复议）JSON"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("年度应为2000至2100之间的四位数")
        figures = annual_report(year)
        figures["information_requests"] = remedy_counter(year)
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True))
