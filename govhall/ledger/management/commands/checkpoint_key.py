"""manage.py checkpoint_key — create the SM2 key that signs the audit checkpoints, if there is none, and print the
public key to publish."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from govhall.ledger.checkpoints import CheckpointError, create_key, key_path


class Command(BaseCommand):
    help = "生成审计链检查点签名密钥（SM2，保存在 GOVHALL_CHECKPOINT_KEY 文件中，不在数据库中；已有则不覆盖），并输出公钥"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key, created = create_key()
        except CheckpointError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from exc
        state = "已生成" if created else "已存在（未覆盖）"
        self.stdout.write(f"检查点密钥{state}：{key_path()}")
        self.stdout.write(f"公钥（SM2，请公布）：{key.public_key}")
        self.stdout.write(f"密钥标识：{key.key_id}")
