"""Verify a sealed notice offline from the platform's database: `manage.py verify_document FILE`.

Exit status: 0 every check passed, 1 a check failed, 2 the file could not be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.documents.signing import verify_bytes


class Command(BaseCommand):
    help = "验证电子文书（PDF）的电子签章：文件完整性、印章、证书、签名值与文书登记信息。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="待验证的 PDF 文件")
        parser.add_argument(
            "--no-registry", action="store_true", help="不核对本平台的文书登记（只验证签章本身）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"无法读取文件 {path}：{exc.strerror or exc}")
            raise SystemExit(2) from None
        report = verify_bytes(data, check_registry=not options["no_registry"])
        if report.number:
            self.stdout.write(f"文书编号：{report.number}")
        for check in report.checks:
            mark = self.style.SUCCESS("✓") if check.ok else self.style.ERROR("✗")
            self.stdout.write(f"{mark} {check.label_zh}：{check.message_zh}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("验证通过。"))
            return
        failure = report.first_failure
        self.stdout.write(self.style.ERROR(f"验证未通过：{failure.label_zh if failure else ''}。"))
        raise SystemExit(1)
