"""manage.py evaluate_year YYYY: JSON (year, closed, departments) with every department's score, rank within its group, grade and group."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.evaluation.queries import parse_year, year_results


class Command(BaseCommand):
    help = "年度部门考评结果（JSON）：日常考核15%+年终考评55%+综合评议30%，组内排名与等次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="YYYY")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year = parse_year(options["year"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        # A closed year prints its frozen rows (closed: true), an open one is computed now.
        self.stdout.write(json.dumps(year_results(year), ensure_ascii=False, indent=1))
