from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.integrity.queries import disclosure_gaps


class Command(BaseCommand):
    help = "检查A级职权的每次行使是否已在至少两个公开渠道公开；输出 JSON，有缺漏时退出码为1。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--level", default="A", help="风险等级代码（默认A）")

    def handle(self, *args: Any, **options: Any) -> None:
        gaps = disclosure_gaps(level_code=options["level"])
        self.stdout.write(
            json.dumps(
                {"level": options["level"], "gaps": len(gaps), "cases": [g.as_dict() for g in gaps]},
                ensure_ascii=False,
            )
        )
        if gaps:
            raise SystemExit(1)
