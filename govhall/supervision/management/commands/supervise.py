"""The watcher: `manage.py supervise` loops; `--once` does one sweep and prints what it raised."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.core.worker import add_loop_arguments, loops, run_loop
from govhall.supervision.actions import SweepResult, sweep_once


class Command(BaseCommand):
    help = "电子监察：按时限阈值产生黄灯/红灯告警并逐级督办（--once 只扫描一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, interval=15.0, loops_by_default=True)
        parser.add_argument("--batch", type=int, default=200, help="每个事务认领的计时数")

    def handle(self, *args: Any, **options: Any) -> None:
        once = not loops(options)

        def report(result: SweepResult) -> None:
            if once:
                self.stdout.write(f"产生告警 {result.alerts} 条")
            self.stdout.write(json.dumps(result.as_dict()))
            self.stdout.flush()

        run_loop(
            lambda: sweep_once(batch=options["batch"]),
            once=once,
            interval=options["interval"],
            report=report,
        )
        if not once:
            self.stdout.write("监察进程已停止")
