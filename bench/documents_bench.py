"""Documents benchmark: how fast notices are issued (inside a case action) and sealed (rendered + SM2-signed).

    .venv/bin/python bench/documents_bench.py            # throwaway SQLite database in a temp dir
    .venv/bin/python bench/documents_bench.py --quick
    .venv/bin/python bench/documents_bench.py --database-url postgres://postgres@127.0.0.1:5432/govhall_bench

Prints {"documents_sealed_per_second": …, "issue_per_second": …, …} as JSON on stdout.
- ``issue_per_second``: ``issue_document`` calls per second, each in its own transaction (number allocation and
  one INSERT; no rendering, no signing).
- ``documents_sealed_per_second``: documents per second through ``seal_pending`` in one worker process
  (PDF rendering with the embedded CJK font subset, SM3 hash, SM2 signature, one UPDATE each).
- ``verify_ms``: median time of ``verify_bytes`` on one sealed file (three SM2 verifications and two queries).
`run(quick=…)` returns the same figures for bench/run.py once Django is set up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool = False) -> dict[str, Any]:
    from django.db import transaction

    from govhall.documents.actions import ensure_seal, issue_document, seal_pending
    from govhall.documents.models import Document
    from govhall.documents.signing import verify_bytes
    from govhall.org.models import Department, Region

    n_issue = 100 if quick else 500
    n_seal = 20 if quick else 100
    region, _ = Region.objects.get_or_create(
        code="450921000000", defaults={"name": "容县", "level": "county"}
    )
    department, _ = Department.objects.get_or_create(
        name="县文书基准测试局", defaults={"short_name": "基准局", "group": "comprehensive", "region": region}
    )
    ensure_seal(department)  # the seal and the maker are made once, not per document
    content = {
        "recipient": "容县张三餐饮有限公司",
        "paragraphs": [
            "你单位提出的食品经营许可（新办）申请，经审查，申请材料齐全、符合法定形式，决定予以受理。" * 2,
            "本机关将自受理之日起五个工作日内作出是否准予许可的决定。",
        ],
        "rows": [["事项名称", "食品经营许可（新办）"], ["承诺办结时限", "5个工作日"]],
        "remedies": "如对本通知有异议，可以依法申请行政复议或者提起行政诉讼。",
    }

    started = time.perf_counter()
    for i in range(n_issue):
        with transaction.atomic():
            issue_document(
                kind="acceptance",
                department=department,
                case_number=f"BENCH{i:06d}",
                recipient="容县张三餐饮有限公司",
                content=content,
            )
    issue_s = time.perf_counter() - started

    # Seal only n_seal of them: rendering dominates and the figure settles quickly.
    started = time.perf_counter()
    sealed = seal_pending(limit=n_seal)
    seal_s = time.perf_counter() - started

    data = bytes(Document.objects.filter(status="sealed").values_list("pdf", flat=True).first() or b"")
    times = []
    for _ in range(5 if quick else 20):
        t0 = time.perf_counter()
        report = verify_bytes(data)
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "documents_sealed_per_second": round(sealed / seal_s, 1),
        "issue_per_second": round(n_issue / issue_s, 1),
        "verify_ms": round(statistics.median(times), 1),
        "verify_ok": report.ok,
        "issued": n_issue,
        "sealed": sealed,
        "pdf_kb": round(len(data) / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a database to benchmark (an existing, migratable one; default: a throwaway SQLite file)",
    )
    parser.add_argument("--quick", action="store_true", help="fewer documents, rougher figures")
    args = parser.parse_args(argv)

    var_dir = tempfile.mkdtemp(prefix="govhall-docbench-")
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
        os.environ["GOVHALL_VAR_DIR"] = var_dir
        os.environ["GOVHALL_MEDIA_ROOT"] = str(Path(var_dir) / "media")
        os.environ.setdefault("GOVHALL_DEBUG", "0")
        os.environ.setdefault("GOVHALL_SECRET_KEY", "bench-only-throwaway-key")
        os.environ.setdefault("GOVHALL_LOG_LEVEL", "WARNING")
        os.environ.setdefault("GOVHALL_SMS_BACKEND", "govhall.notifications.sms.NullSmsBackend")
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", interactive=False, verbosity=0)
        results = {"database": connection.vendor, **run(quick=args.quick)}
        connection.close()
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
