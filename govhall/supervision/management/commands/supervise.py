"""The watcher: `manage.py supervise` loops; `--once` does one sweep and prints what it raised."""

from __future__ import annotations

import json
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from govhall.supervision.actions import sweep_once


class Command(BaseCommand):
    help = "电子监察：按时限阈值产生黄灯/红灯告警并逐级督办（--once 只扫描一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="只扫描一次")
        parser.add_argument("--interval", type=float, default=15.0, help="两次扫描之间的秒数")
        parser.add_argument("--batch", type=int, default=200, help="每个事务认领的计时数")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            result = sweep_once(batch=options["batch"])
            self.stdout.write(f"产生告警 {result.alerts} 条")
            self.stdout.write(json.dumps(result.as_dict()))
            return
        stop = threading.Event()

        def _stop(signum: int, frame: Any) -> None:
            # Finish the batch in hand (its transaction commits or rolls back whole), then leave.
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not stop.is_set():
            close_old_connections()
            result = sweep_once(batch=options["batch"])
            if result.alerts:
                self.stdout.write(json.dumps(result.as_dict()))
                self.stdout.flush()
            stop.wait(options["interval"])
        self.stdout.write("监察进程已停止")
