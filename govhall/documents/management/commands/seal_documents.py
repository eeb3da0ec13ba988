"""The sealing worker: `manage.py seal_documents` seals what is pending and exits; `--loop` keeps polling.

Several copies may run at once on several machines (rows are claimed with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from govhall.documents.actions import seal_pending


class Command(BaseCommand):
    help = "为待签章的文书生成 PDF 并加盖电子审批专用章。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=100, help="每轮最多签章的文书数 [100]")
        parser.add_argument("--loop", action="store_true", help="持续运行，定期检查新的待签章文书")
        parser.add_argument("--interval", type=float, default=5.0, help="--loop 时无文书可签的等待秒数 [5]")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            close_old_connections()
            count = seal_pending(limit=options["limit"])
            if count or options["verbosity"] > 1:
                self.stdout.write(f"已签章 {count} 份文书。")
            if not options["loop"]:
                return
            if count < options["limit"]:
                time.sleep(options["interval"])
