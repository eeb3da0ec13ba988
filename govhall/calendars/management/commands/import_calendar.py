"""manage.py import_calendar FILE — enter a year's holiday arrangement from a text file.

The format is documented in govhall/calendars/importing.py (and printed by --help)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.calendars import importing
from govhall.calendars.choices import DayKind
from govhall.calendars.models import CalendarDay


class Command(BaseCommand):
    help = (
        "导入并确认一个年度的节假日安排（依国务院办公厅通知）。文件格式（UTF-8，每行一项，# 开头为注释）：\n"
        "  通知,国务院办公厅关于2027年部分节假日安排的通知\n"
        "  2027-01-01,元旦                 单日放假\n"
        "  2027-02-05,2027-02-12,春节      连续放假（含首尾）\n"
        "  2027-02-14,调休上班,春节        调休上班日（须为周六或周日）\n"
        "任何一行有错都不写入，并报告行号。"
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="安排文件路径；“-”表示标准输入")
        parser.add_argument("--notice", help="通知标题（覆盖文件中的“通知,”行）")
        parser.add_argument("--year", type=int, help="年度（校验文件中的日期都在该年内）")
        parser.add_argument("--user", help="记录为操作人的用户名")
        parser.add_argument("--dry-run", action="store_true", help="只检查文件，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            text = self.stdin_text() if path == "-" else importing.decode_upload(Path(path).read_bytes())
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
        except importing.ArrangementError as exc:
            raise CommandError(str(exc)) from None
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户 {options['user']} 不存在")
        try:
            if options["dry_run"]:
                parsed = importing.parse_arrangement(text, year=options["year"])
                self.stdout.write(
                    f"检查通过：{parsed.year}年 放假 {len(parsed.holidays)} 天，调休上班 {len(parsed.makeup_days)} 天（未写入）"
                )
                return
            cy = importing.import_arrangement(
                text, notice_title=options["notice"], year=options["year"], actor=actor
            )
        except importing.ArrangementError as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.errors)) from None
        rows = CalendarDay.objects.filter(date__year=cy.year)
        holidays = rows.filter(kind=DayKind.HOLIDAY).count()
        makeups = rows.filter(kind=DayKind.MAKEUP).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"已确认 {cy.year} 年节假日安排（放假 {holidays} 天，调休上班 {makeups} 天）：{cy.notice_title}"
            )
        )

    def stdin_text(self) -> str:
        import sys

        return sys.stdin.read()
