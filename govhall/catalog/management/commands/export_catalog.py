from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govhall.catalog.excel import export_catalog
from govhall.catalog.models import Bundle, ServiceItem


class Command(BaseCommand):
    help = "导出事项目录为Excel模板文件（事项、材料、收费、一件事），可原样导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="输出文件，如 catalog.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        export_catalog(options["file"])
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出{ServiceItem.objects.count()}个事项、{Bundle.objects.count()}个一件事到 {options['file']}"
            )
        )
