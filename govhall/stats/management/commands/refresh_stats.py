from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.stats.refresh import rebuild_facts, refresh_facts


class Command(BaseCommand):
    help = "把办件审计链中的新记录累计进统计日数据（--loop 持续运行；--rebuild 从头重算）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="持续运行，每隔 --interval 秒处理一次")
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--rebuild", action="store_true", help="清空并从整条审计链重算")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            self.stdout.write(f"rebuilt {rebuild_facts()} fact rows")
            return
        while True:
            n = refresh_facts(batch=options["batch"])
            self.stdout.write(f"processed {n} audit entries")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
