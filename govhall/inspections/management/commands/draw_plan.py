"""`manage.py draw_plan PLAN_ID [--seed S]`: the 双随机 draw of a plan; `--verify` re-runs a recorded draw instead.
Prints JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.inspections import actions
from govhall.inspections.models import InspectionPlan


class Command(BaseCommand):
    help = "双随机抽取检查计划的检查对象和检查人员（--verify 复核已抽取的结果），输出 JSON"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int)
        parser.add_argument("--seed", default="", help="随机种子（留空自动生成）")
        parser.add_argument("--verify", action="store_true", help="以记录的种子和候选名单重新抽取并比对")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = InspectionPlan.objects.filter(pk=options["plan_id"]).first()
        if plan is None:
            raise CommandError(f"检查计划 {options['plan_id']} 不存在")
        if options["verify"]:
            out: dict[str, Any] = {"plan": plan.pk, "seed": plan.seed, "verified": actions.verify_draw(plan)}
        else:
            try:
                plan = actions.draw_plan(plan, by=None, seed=options["seed"])
            except ValidationError as exc:
                raise CommandError(
                    "；".join(f"{k}：{'、'.join(v)}" for k, v in exc.message_dict.items())
                ) from exc
            assert plan.draw is not None and plan.candidates is not None
            out = {
                "plan": plan.pk,
                "seed": plan.seed,
                "candidates": len(plan.candidates["entities"]),
                "inspectors": len(plan.candidates["inspectors"]),
                "drawn": plan.draw["pairs"],
                "unassigned": plan.draw["unassigned"],
                "verified": actions.verify_draw(plan),
            }
        self.stdout.write(json.dumps(out, ensure_ascii=False))
