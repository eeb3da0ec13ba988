from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.integrity.risk_excel import export_risk_points


class Command(BaseCommand):
    help = "导出廉政风险点（Excel），可直接修改后再导入；输出 JSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = export_risk_points(options["file"])
        self.stdout.write(json.dumps({"file": options["file"], "rows": rows}, ensure_ascii=False))
