"""The sealing worker: `manage.py seal_documents` seals what is pending and exits; `--loop` keeps polling.

Several copies may run at once on several machines (rows are claimed with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.core.worker import add_loop_arguments, loops, run_loop
from govhall.documents.actions import seal_pending


class Command(BaseCommand):
    help = "为待签章的文书生成 PDF 并加盖电子审批专用章。"

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_arguments(parser, interval=5.0, loops_by_default=False)
        parser.add_argument("--limit", type=int, default=100, help="每轮最多签章的文书数 [100]")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        verbose = options["verbosity"] > 1

        def report(count: int) -> None:
            if count or verbose:
                self.stdout.write(f"已签章 {count} 份文书。")

        run_loop(
            lambda: seal_pending(limit=limit),
            once=not loops(options),
            interval=options["interval"],
            report=report,
            again_at_once=lambda count: count >= limit,
        )
