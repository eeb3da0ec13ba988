from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.core.worker import add_loop_arguments, loops, run_loop
from govhall.stats.refresh import rebuild_facts, refresh_facts


class Command(BaseCommand):
    help = "把办件审计链中的新记录累计进统计日数据（--loop 持续运行；--rebuild 从头重算）"

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, interval=5.0, loops_by_default=False)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--rebuild", action="store_true", help="清空并从整条审计链重算")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            self.stdout.write(f"rebuilt {rebuild_facts()} fact rows")
            return
        run_loop(
            lambda: refresh_facts(batch=options["batch"]),
            once=not loops(options),
            interval=options["interval"],
            report=lambda n: self.stdout.write(f"processed {n} audit entries"),
        )
