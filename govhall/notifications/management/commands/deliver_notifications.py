import json
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from govhall.notifications.delivery import deliver_pending


class Command(BaseCommand):
    help = "发送待发的短信和电子邮件通知（失败的按退避间隔重试）。默认执行一轮；--loop 持续运行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="持续运行，直到收到 SIGTERM 或 Ctrl-C")
        parser.add_argument("--interval", type=float, default=5.0, help="两轮之间的秒数（--loop）")
        parser.add_argument("--limit", type=int, default=100, help="每轮每个渠道最多发送的条数")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self.stdout.write(json.dumps(deliver_pending(limit=options["limit"]), ensure_ascii=False))
            return
        stop = False

        def _stop(*_: Any) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop:
                result = deliver_pending(limit=options["limit"])
                if any(result.values()):
                    self.stdout.write(json.dumps(result, ensure_ascii=False))
                # A full round means more are waiting: go again at once.
                if result["sent"] + result["retry"] + result["given_up"] >= options["limit"]:
                    continue
                deadline = time.monotonic() + options["interval"]
                while not stop and time.monotonic() < deadline:
                    time.sleep(min(0.2, options["interval"]))
        except KeyboardInterrupt:
            pass
