from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "载入演示县（区划、站点、部门、窗口、事项、一件事和工作人员）。可重复运行，不会产生重复数据。仅用于演示。"

    def handle(self, *args: Any, **options: Any) -> None:
        from govhall.demo.loader import seed_demo

        started = time.monotonic()
        created = seed_demo()
        elapsed = time.monotonic() - started
        labels = {
            "region": "行政区划",
            "site": "服务站点",
            "hall": "服务大厅",
            "department": "部门",
            "window": "窗口",
            "item": "事项",
            "bundle": "一件事",
            "staff": "工作人员",
        }
        parts = [f"{labels[k]} {v}" for k, v in created.items()]
        if any(created.values()):
            self.stdout.write(
                self.style.SUCCESS(f"演示数据已载入（{elapsed:.1f} 秒），新建：" + "，".join(parts))
            )
        else:
            self.stdout.write(f"演示数据已存在，未作改动（{elapsed:.1f} 秒）。")
