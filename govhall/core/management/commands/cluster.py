"""`manage.py cluster`: N application servers, M `run_jobs` and K `supervise` workers on one database, one command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govhall.core.cluster import Cluster, ClusterError, health_host
from govhall.core.worker import StopFlag, stop_on_signals


class Command(BaseCommand):
    help = (
        "启动多个应用服务器（gunicorn，端口连续）和多个后台进程（run_jobs、supervise），等待全部健康后持续运行，"
        "成员意外退出即重启；收到 SIGTERM 或 Ctrl-C 时全部停止。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--servers", type=int, default=2, help="应用服务器个数 [2]")
        parser.add_argument(
            "--web-workers", type=int, default=2, help="每个应用服务器的 gunicorn 工作进程数 [2]"
        )
        parser.add_argument("--workers", type=int, default=2, help="run_jobs 后台进程个数 [2]")
        parser.add_argument("--watchers", type=int, default=1, help="supervise 监察进程个数 [1]")
        parser.add_argument("--linkers", type=int, default=1, help="link_audit 审计链链接进程个数 [1]")
        parser.add_argument(
            "--port", type=int, default=8000, help="第一个应用服务器的端口，其余依次加一 [8000]"
        )
        parser.add_argument("--bind", default="127.0.0.1", help="监听地址 [127.0.0.1]")
        parser.add_argument("--log-dir", type=Path, default=None, help="各成员的日志目录 [输出到本终端]")
        parser.add_argument("--start-timeout", type=float, default=60.0, help="等待健康检查的秒数 [60]")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("servers", "workers", "watchers", "linkers", "web_workers"):
            if options[name] < (1 if name in ("servers", "web_workers") else 0):
                raise CommandError(f"--{name.replace('_', '-')} 的取值无效：{options[name]}")
        if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and options["servers"] > 1:
            self.stderr.write("注意：SQLite 只适合单机；多个应用服务器请使用 PostgreSQL（DATABASE_URL）")
        cluster = Cluster(
            servers=options["servers"],
            workers=options["workers"],
            watchers=options["watchers"],
            linkers=options["linkers"],
            port=options["port"],
            bind=options["bind"],
            web_workers=options["web_workers"],
            log_dir=options["log_dir"],
            probe_host=health_host(settings.ALLOWED_HOSTS),
        )
        flag = StopFlag()
        with stop_on_signals(flag):
            try:
                cluster.start(timeout=options["start_timeout"])
            except ClusterError as exc:
                raise CommandError(str(exc)) from exc
            members = {m.name: m.pid for m in cluster.members}
            self.stdout.write(json.dumps({"ready": cluster.urls(), "members": members}, ensure_ascii=False))
            self.stdout.flush()
            try:
                while not flag.wait(1.0):
                    cluster.restart_dead()
            finally:
                cluster.stop()
        self.stdout.write(json.dumps({"stopped": sorted(members)}, ensure_ascii=False))
