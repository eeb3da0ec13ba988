"""`manage.py regrade`: grade every active supervised entity from its record; prints JSON (changes and counts)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from govhall.inspections.actions import regrade_all


class Command(BaseCommand):
    help = "按信用评定规则重新评定全部监管对象的信用等级，输出 JSON"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(regrade_all(), ensure_ascii=False))
