from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.catalog.excel import import_catalog


class Command(BaseCommand):
    help = "从Excel模板文件导入事项目录。先校验全部行，有任何错误则不导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Excel文件（.xlsx），格式见 docs/catalog-template.md")
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不保存")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        report = import_catalog(path, dry_run=options["dry_run"], filename=path.name)
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
