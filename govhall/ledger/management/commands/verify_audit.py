"""manage.py verify_audit — recompute the case audit chain.

Exit status 0 when the chain is intact, 1 when it is not (the first broken entry is printed), so a cron job or
a monitoring check can alarm on it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.ledger.actions import verify


class Command(BaseCommand):
    help = "核验办件审计链：完整时退出码为 0，否则输出第一条有问题的记录并以退出码 1 退出"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=5000, help="每次读取的记录数（默认 5000）")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify(chunk=max(1, options["chunk"]))
        if report.ok:
            self.stdout.write(f"审计链完整：共 {report.checked} 条记录")
            return
        lines = [f"审计链已被破坏：{report.reason_zh}"]
        if report.first_bad_seq is not None:
            lines.append(f"  问题记录：第 {report.first_bad_seq} 条")
        lines.extend(f"  {line}" for line in report.entry_summary.splitlines())
        lines.append(f"  此前已核验完好的记录：{report.checked} 条")
        self.stderr.write("\n".join(lines))
        # SystemExit rather than CommandError: the status is the result, not a usage error.
        raise SystemExit(1)
