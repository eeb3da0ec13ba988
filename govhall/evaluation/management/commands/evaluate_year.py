"""manage.py evaluate_year YYYY: JSON with every department's score, rank within its group, grade and group."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.evaluation.queries import parse_year
from govhall.evaluation.yearly import evaluate_year


class Command(BaseCommand):
    help = "年度部门考评结果（JSON）：日常考核15%+年终考评55%+综合评议30%，组内排名与等次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="YYYY")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year = parse_year(options["year"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        departments = [d.as_dict() for d in evaluate_year(year)]
        self.stdout.write(
            json.dumps({"year": year, "departments": departments}, ensure_ascii=False, indent=1)
        )
