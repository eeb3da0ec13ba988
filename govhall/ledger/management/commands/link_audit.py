"""manage.py link_audit — the audit chain's linker: chain the unlinked entries the case actions wrote (docs/audit.md).

Loops by default (every `--interval` seconds, at once again when a round was full); `--once` links what is waiting
and exits. Several may run: a linker that finds the chain head taken by another skips its round."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.core.worker import add_loop_arguments, loops, run_loop
from govhall.ledger.actions import link


class Command(BaseCommand):
    help = "审计链链接进程：把办件动作写入的待链接审计记录按提交顺序链入哈希链（默认持续运行；--once 执行一轮后退出）"

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, interval=0.2, loops_by_default=True)
        parser.add_argument("--batch", type=int, default=1000, help="每个事务链接的记录数（默认 1000）")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, options["batch"])
        run_loop(
            lambda: link(batch=batch, limit=batch * 20),
            once=not loops(options),
            interval=options["interval"],
            report=lambda n: self.stdout.write(json.dumps({"audit_linked": n}, ensure_ascii=False)),
            again_at_once=lambda n: n >= batch * 20,
        )
