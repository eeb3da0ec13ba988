"""manage.py checkpoint — verify the audit trail and write a signed checkpoint of its heads now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.ledger.checkpoints import CHAIN_LABELS, CheckpointError, make_checkpoint


class Command(BaseCommand):
    help = "核验审计链并写一个签名检查点（无新记录时不写，除非 --force）；核验未通过时退出码为 1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="即使自上一个检查点以来没有新记录也写一个")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = make_checkpoint(force=options["force"])
        except CheckpointError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from exc
        if checkpoint is None:
            self.stdout.write("自上一个检查点以来没有新记录，未写检查点")
            return
        heads = "，".join(
            f"{CHAIN_LABELS[name]}第 {head['seq']} 条" for name, head in checkpoint.chains.items()
        )
        self.stdout.write(f"已写第 {checkpoint.number} 个检查点：{heads}（{checkpoint.path}）")
