"""manage.py simulate --cases N --days D [--seed S] [--start YYYY-MM-DD] — a simulated history for the hall.

Drives N applications through the real case actions over D working days (see govhall/demo/simulation.py) and
prints a JSON summary on stdout; progress goes to stderr. Loads the demo county first when no item is published.
Demo and development only: it writes cases, audit entries, documents and notifications."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.cases.models import Case
from govhall.demo.simulation import SimulationError, simulate


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--start 应为 YYYY-MM-DD 格式的日期：{value}") from None


class Command(BaseCommand):
    help = "模拟办件历史：N 件申请经真实办件动作办理 D 个工作日，输出 JSON 汇总（仅用于演示和开发）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="申请件数")
        parser.add_argument("--days", type=int, required=True, help="模拟的工作日数")
        parser.add_argument(
            "--seed", type=int, default=0, help="随机种子：同一种子、同一起始日得到同样的结果"
        )
        parser.add_argument(
            "--start",
            type=_day,
            default=None,
            help="第一个模拟日（默认：使模拟期结束于今天之前的最后一个工作日）",
        )
        parser.add_argument("--bundles", type=int, default=0, help="另外模拟的一件事申请件数（窗口一次受理）")
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库中已有办件时什么也不做（make run 首次启动时使用）"
        )
        parser.add_argument(
            "--profile", action="store_true", help="在标准错误输出各办件动作的调用次数、查询数和耗时"
        )
        parser.add_argument(
            "--cases-only",
            action="store_true",
            help="只模拟办件（含好差评和 12345 热线），不模拟政务公开、行政执法、绩效考评等其他模块",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 0 or options["days"] < 1:
            raise CommandError("--cases 不能为负数，--days 至少为 1")
        if options["if_empty"] and Case.objects.exists():
            if options["verbosity"] > 0:
                self.stderr.write("[simulate] 数据库中已有办件，不再模拟")
            return

        def log(message: str) -> None:
            if options["verbosity"] > 0:
                self.stderr.write(f"[simulate] {message}")
                self.stderr.flush()

        profile: dict[str, Any] | None = {} if options["profile"] else None
        try:
            summary = simulate(
                cases=options["cases"],
                days=options["days"],
                seed=options["seed"],
                start=options["start"],
                log=log,
                profile=profile,
                bundles=options["bundles"],
                modules=not options["cases_only"],
            )
        except SimulationError as exc:
            raise CommandError(f"模拟中止：{exc}") from exc
        if profile is not None:
            self.stderr.write(json.dumps(profile, ensure_ascii=False, indent=1))
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
