import json
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from govhall.cases.jobs import run_due_jobs


class Command(BaseCommand):
    help = "后台任务：逾期视为受理（行政许可法第三十二条）、文书签章。--once 执行一轮后退出。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0, help="两轮之间的秒数")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = False

        def _stop(*_: Any) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        while True:
            result = run_due_jobs()
            if options["once"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
                return
            if any(result.values()):
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            if stop:
                return
            time.sleep(options["interval"])
