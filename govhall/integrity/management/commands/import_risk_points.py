from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.integrity.risk_excel import import_risk_points


class Command(BaseCommand):
    help = "导入廉政风险点（Excel）：全部通过才写入，错误按行列列出；输出 JSON。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        result = import_risk_points(options["file"])
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        if result.errors:
            raise CommandError(f"导入失败：{len(result.errors)}处错误，未写入任何数据。")
