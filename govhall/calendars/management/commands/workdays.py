"""manage.py workdays — the engine's counting rules from the command line.

    workdays add START N [--unit workday|day]   → YYYY-MM-DD
    workdays between A B                         → count of working days d with A < d ≤ B

A trailing " provisional" means a day of an unconfirmed year was examined (the result may change once the
State Council's arrangement for that year is entered)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.calendars import engine


def _date(text: str, what: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{what}“{text}”格式错误，应为 YYYY-MM-DD（如 2027-02-06）") from None


class Command(BaseCommand):
    help = (
        "按工作日历计算期限：add 起算日 N [--unit workday|day]；between 日期A 日期B（A < d ≤ B 的工作日数）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Arguments are optional to argparse so that a missing one gets a Chinese message from handle().
        sub = parser.add_subparsers(dest="op", title="子命令")
        add = sub.add_parser(
            "add", help="起算日之后第 N 个工作日（--unit day：N 个自然日，末日遇休息日顺延）"
        )
        add.add_argument("start", nargs="?", help="起算日期 YYYY-MM-DD（当日不计入）")
        add.add_argument("n", nargs="?", help="天数（非负整数）")
        add.add_argument(
            "--unit",
            choices=["workday", "day"],
            default="workday",
            help="workday 工作日（默认）或 day 自然日",
        )
        between = sub.add_parser("between", help="A 之后到 B（含）之间的工作日数")
        between.add_argument("a", nargs="?", help="日期 A（不计入）")
        between.add_argument("b", nargs="?", help="日期 B（计入）")

    def handle(self, *args: Any, **options: Any) -> None:
        op = options.get("op")
        if op not in ("add", "between"):
            raise CommandError(
                "请指定子命令：workdays add 起算日期 天数 [--unit workday|day] 或 workdays between 日期A 日期B"
            )
        required = ("start", "n") if op == "add" else ("a", "b")
        if any(options.get(name) is None for name in required):
            usage = "workdays add 起算日期 天数" if op == "add" else "workdays between 日期A 日期B"
            raise CommandError(f"参数不足，用法：{usage}")
        try:
            if op == "add":
                start = _date(options["start"], "起算日期")
                try:
                    n = int(options["n"])
                except ValueError:
                    raise CommandError(f"天数“{options['n']}”必须是非负整数") from None
                fn = engine.add_working_days if options["unit"] == "workday" else engine.add_natural_days
                day_result = fn(start, n)
                text = f"{day_result.value:%Y-%m-%d}"
                provisional = day_result.provisional
            else:
                count = engine.working_days_between(
                    _date(options["a"], "日期 A"), _date(options["b"], "日期 B")
                )
                text, provisional = str(count.value), count.provisional
        except (ValueError, TypeError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(text + (" provisional" if provisional else ""))
