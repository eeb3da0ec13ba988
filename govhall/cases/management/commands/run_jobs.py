import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.cases.jobs import run_due_jobs
from govhall.core.worker import add_loop_arguments, loops, run_loop
from govhall.ledger.checkpoints import checkpoint_due


def _round() -> dict[str, int]:
    # The signed audit checkpoint closes the round, after everything the round appended to the trail.
    return {**run_due_jobs(), "audit_checkpoint": checkpoint_due()}


class Command(BaseCommand):
    help = "后台任务：逾期视为受理（行政许可法第三十二条）、文书签章、通知发送、审计链链接、统计、审计链签名检查点。--once 执行一轮后退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, interval=2.0, loops_by_default=True)

    def handle(self, *args: Any, **options: Any) -> None:
        run_loop(
            _round,
            once=not loops(options),
            interval=options["interval"],
            report=lambda result: self.stdout.write(json.dumps(result, ensure_ascii=False)),
        )
