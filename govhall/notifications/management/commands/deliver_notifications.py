import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.core.worker import add_loop_arguments, loops, run_loop
from govhall.notifications.delivery import deliver_pending


class Command(BaseCommand):
    help = "发送待发的短信和电子邮件通知（失败的按退避间隔重试）。默认执行一轮；--loop 持续运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, interval=5.0, loops_by_default=False)
        parser.add_argument("--limit", type=int, default=100, help="每轮每个渠道最多发送的条数")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        once = not loops(options)
        run_loop(
            lambda: deliver_pending(limit=limit),
            once=once,
            interval=options["interval"],
            report=lambda result: self.stdout.write(json.dumps(result, ensure_ascii=False)),
            # A full round means more are waiting: go again at once.
            again_at_once=lambda result: result["sent"] + result["retry"] + result["given_up"] >= limit,
        )
