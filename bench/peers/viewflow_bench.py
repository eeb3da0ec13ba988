"""Peer: the lifecycle on django-viewflow 2 (its own Django settings and database), driven by code as its views
would drive it.

    .venv/bin/python bench/peers/viewflow_bench.py --database-url postgres://postgres@127.0.0.1:5432/viewflow_bench

(the `bench` extra: `pip install -e ".[bench]"`). Settings: bench/peers/viewflow_settings.py (contenttypes, auth,
viewflow, viewflow.workflow and the flow's app `vfbench`); the database is migrated first.

The flow (bench/peers/vfbench/flows.py): StartHandle `submit` → View `accept` (assigned to the clerk on creation)
→ View `review` → Split into the three joint-review Views → Join → View `decide` → View `deliver` (assigned to the
clerk). One lifecycle is 13 transactions, as in govhall: submit; accept; claim (`assign`) and approve (`start` +
`execute`) of review, of each branch and of the decision; deliver. Each step reads its user and its task, takes
the flow's row lock on the process (`select_for_update_lock`), checks the user may assign or execute the task
(`can_assign` / `can_execute`, viewflow's own permission checks; the approvers hold the flow's permissions through a
group) and runs the transition.

What it does not do, and govhall does: clocks and working-day time limits, documents, notifications, materials, an
audit chain (viewflow keeps its task history: who, when, status). stdout: one JSON object.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

PEERS = Path(__file__).resolve().parent
sys.path.insert(0, str(PEERS))
import common  # noqa: E402

USERS = ("clerk", "approver_lead", "approver_co1", "approver_co2", "head")
WHO = {
    "review": "approver_lead",
    "joint_lead": "approver_lead",
    "joint_co1": "approver_co1",
    "joint_co2": "approver_co2",
    "decide": "head",
}


def _setup(url: str) -> None:
    os.environ["VIEWFLOW_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "viewflow_settings"
    import django

    django.setup()


def _prepare() -> None:
    """Migrate; the users, and a group holding every permission of the flow's process model."""
    from django.contrib.auth.models import Group, Permission, User
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    group, _ = Group.objects.get_or_create(name="staff")
    group.permissions.set(Permission.objects.filter(content_type__app_label="workflow"))
    for name in USERS:
        user, _ = User.objects.get_or_create(username=name)
        user.groups.add(group)


class Driver:
    def __init__(self) -> None:
        from vfbench.flows import LifecycleFlow

        self.flow = LifecycleFlow
        self.counting = False
        self.statements: list[str] = []

    def _counted(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one step; while counting, keep its statements (the user and task look-ups before a step are not
        counted, as bench/cases_bench.py does not count them for govhall)."""
        if not self.counting:
            return fn(*args, **kwargs)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            result = fn(*args, **kwargs)
        self.statements += [q["sql"].strip().upper() for q in captured.captured_queries]
        return result

    def _user(self, name: str) -> Any:
        from django.contrib.auth.models import User

        return User.objects.get(username=name)  # as the authentication middleware would, per request

    def _open(self, process_pk: int, node: Any) -> list[int]:
        from viewflow.workflow.models import Task
        from viewflow.workflow.status import STATUS

        return list(
            Task.objects.filter(
                process_id=process_pk, flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED]
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def _step(self, task_pk: int, user: Any, claim: bool) -> None:
        from django.db import transaction
        from viewflow.workflow.models import Task

        with transaction.atomic():
            task = Task.objects.select_related("process").get(pk=task_pk)
            with self.flow.lock(task.process_id):
                task.refresh_from_db()
                activation = task.flow_task.activation_class(task)
                if claim:
                    if not task.flow_task.can_assign(user, task):
                        raise PermissionError(f"{user} may not claim {task.flow_task}")
                    activation.assign(user)
                else:
                    if not task.flow_task.can_execute(user, task):
                        raise PermissionError(f"{user} may not execute {task.flow_task}")
                    process = task.process
                    process.data.setdefault("opinions", {})[task.flow_task.name] = "同意"
                    process.save(update_fields=["data"])
                    activation.start(None)
                    activation.execute()

    def lifecycle(self, i: int) -> None:
        from django.db import transaction

        flow = self.flow

        def submit() -> Any:
            with transaction.atomic():
                return flow.submit.run(applicant=f"容县基准建设工程有限公司{i % 50:02d}")

        self._user("clerk")
        pk = self._counted(submit).pk
        (accept,) = self._open(pk, flow.accept)
        self._counted(self._step, accept, self._user("clerk"), claim=False)
        for node in (flow.review, "split", flow.decide):
            nodes = [flow.joint_lead, flow.joint_co1, flow.joint_co2] if node == "split" else [node]
            for n in nodes:
                (task,) = self._open(pk, n)
                self._counted(self._step, task, self._user(WHO[n.name]), claim=True)
                self._counted(self._step, task, self._user(WHO[n.name]), claim=False)
        (deliver,) = self._open(pk, flow.deliver)
        self._counted(self._step, deliver, self._user("clerk"), claim=False)


class _Factory:
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self) -> Any:
        _setup(self.url)
        return Driver().lifecycle


def _count_statements(driver: Driver) -> tuple[int, int]:
    """Statements of one lifecycle (BEGIN/COMMIT included, as psycopg sends them) and its transactions."""
    driver.counting, driver.statements = True, []
    driver.lifecycle(1)
    driver.counting = False
    sql = driver.statements
    return len(sql), sum(1 for s in sql if s == "COMMIT")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--lifecycles", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one-process-only", dest="two", action="store_false")
    args = parser.parse_args(argv)
    _setup(args.database_url)
    _prepare()
    import importlib.metadata

    from django.db import connection

    driver = Driver()
    driver.lifecycle(0)
    statements, transactions = _count_statements(driver)
    one = common.rounds(driver.lifecycle, args.lifecycles, args.rounds, offset=100)
    connection.close()
    two = (
        common.two_processes(_Factory(args.database_url), args.lifecycles, args.rounds) if args.two else None
    )
    common.emit(
        {
            "system": "django-viewflow",
            "version": importlib.metadata.version("django-viewflow"),
            "transactions_per_lifecycle": transactions,
            "statements_per_lifecycle": statements,
            "one_process": one,
            "two_processes": two,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
