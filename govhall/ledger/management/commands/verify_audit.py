"""manage.py verify_audit — recompute the audit trail (the case ledger and the configuration log) and check it
against the signed checkpoints. The case ledger's entries not linked yet are checked by their MACs; `--link` links
them first (as the linker would), so the walk covers them too.

Exit status 0 when the trail is intact, 1 when it is not (the first divergence is printed), so a cron job or
a monitoring check can alarm on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.ledger.actions import link, unlinked_count
from govhall.ledger.checkpoints import verify_trail


class Command(BaseCommand):
    help = (
        "核验审计链（办件审计链和操作日志链）及其签名检查点：完整时退出码为 0，"
        "否则输出第一处不一致并以退出码 1 退出"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=5000, help="每次读取的记录数（默认 5000）")
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            metavar="DIR",
            help="另一份检查点副本所在目录（如第三方保存的副本），可多次指定",
        )
        parser.add_argument(
            "--link",
            action="store_true",
            help="先把待链接的审计记录链入审计链（如同链接进程），再核验",
        )
        parser.add_argument(
            "--public-key", default=None, help="核验检查点签名所用的公钥（默认取检查点密钥文件中的公钥）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["link"]:
            linked = link()
            if options["verbosity"] >= 2:
                self.stdout.write(f"已链接待链接记录 {linked} 条")
        report = verify_trail(
            extra_dirs=[Path(d) for d in options["checkpoints"]],
            public_key=options["public_key"],
            chunk=max(1, options["chunk"]),
        )
        if report.ok:
            self.stdout.write(f"审计链完整：共 {report.chains['ledger'].checked} 条记录")
            waiting = unlinked_count()
            if waiting:
                self.stdout.write(
                    f"另有待链接记录 {waiting} 条，内容校验码均有效（链接进程稍后将其链入审计链）"
                )
            if options["verbosity"] >= 2 or report.checkpoints:
                self.stdout.write(f"操作日志链完整：共 {report.chains['config'].checked} 条记录")
                self.stdout.write(f"签名检查点：{report.checkpoints} 个，均与审计链一致")
            return
        lines = [f"审计链已被破坏：{report.problem}"]
        lines.extend(f"  {line}" for line in report.detail.splitlines())
        self.stderr.write("\n".join(lines))
        # SystemExit rather than CommandError: the status is the result, not a usage error.
        raise SystemExit(1)
