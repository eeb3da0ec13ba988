"""The reliability suite's machinery: a cluster on PostgreSQL, an intake load with kill -9s, and races on one task.

Used by `bench/reliability/run.py` (the full run, `make reliability`) and by `tests/reliability/` (the small smoke
version in `make test`). The caller has set Django up on the database the cluster uses: the hall, the accounts and
the cases to race on are prepared in-process through the actions; everything measured goes through real HTTP to
gunicorn servers on the loopback interface.

Accounts log in by a session created in the database (as `django.contrib.auth.login` would store it) with a CSRF
token of the client's own: the suite is about surviving crashes, not about password hashing, and a session is valid
on every server because the servers share the database.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import random
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from govhall.core.cluster import Cluster

ROOT = Path(__file__).resolve().parents[2]
# A connection error, a reset or an answer from a dying server: the client retries (with the same key).
RETRYABLE_STATUS = {502, 503, 504}


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def cluster_env(var_dir: Path) -> dict[str, str]:
    """Production settings on plain HTTP over loopback (no TLS proxy in front), the caller's database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GOVHALL_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="govhall.settings",
        GOVHALL_DEBUG="0",
        GOVHALL_HTTPS="0",
        # The sessions the harness stores are signed with this process's key: the servers must share it.
        GOVHALL_SECRET_KEY=settings.SECRET_KEY,
        GOVHALL_ALLOWED_HOSTS="127.0.0.1",
        GOVHALL_SMS_BACKEND="govhall.notifications.sms.NullSmsBackend",
        # dummy, not locmem: production refuses backends that keep or print mail (notifications/sms.py).
        GOVHALL_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        GOVHALL_VAR_DIR=str(var_dir),
        GOVHALL_MEDIA_ROOT=str(var_dir / "media"),
        GOVHALL_LOG_LEVEL="WARNING",
        # Pauses between worker rounds short enough that a kill lands while they work.
        GOVHALL_DB_CONN_MAX_AGE="60",
    )
    return env


def make_cluster(
    var_dir: Path, *, servers: int, workers: int, watchers: int, port: int, web_workers: int
) -> Cluster:
    return Cluster(
        servers=servers,
        workers=workers,
        watchers=watchers,
        port=port,
        web_workers=web_workers,
        watcher_interval=2,
        env=cluster_env(var_dir),
        log_dir=var_dir / "logs",
        manage=ROOT / "manage.py",
        probe_host="127.0.0.1",
    )


# --- HTTP -------------------------------------------------------------------------------------------------------


@dataclass
class Session:
    """One logged-in account: its session cookie and CSRF token, usable on every server."""

    user: User
    cookie: str
    csrf: str

    @classmethod
    def open(cls, user: User) -> Session:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = secrets.token_hex(16)
        return cls(user, f"{settings.SESSION_COOKIE_NAME}={store.session_key}; csrftoken={csrf}", csrf)

    def post(
        self, base: str, path: str, body: Any, *, timeout: float = 30, **headers: str
    ) -> tuple[int, Any]:
        """(status, JSON body); raises OSError (URLError, reset, timeout) when no answer came."""
        request = urllib.request.Request(
            base + "/api/v1" + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Host": "127.0.0.1",
                "Cookie": self.cookie,
                "X-CSRFToken": self.csrf,
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw or b"null")
            except ValueError:
                return exc.code, raw.decode(errors="replace")


# --- the hall ---------------------------------------------------------------------------------------------------


@dataclass
class Hall:
    clerk: User
    approvers: list[User]
    item_code: str
    body: dict[str, Any]
    item: Any = field(repr=False, default=None)


def prepare_hall(contenders: int) -> Hall:
    """The case-test hall (tests/cases/conftest.py) plus `contenders` approvers of the reviewing department."""
    from govhall.org.actions import create_staff
    from tests.cases.conftest import PERSON, build_hall, uploads_for

    built = build_hall()
    item = built.item("企业营业执照注销登记")  # review (approver, 市场监管局) → decide (head)
    scjg = built.catalog.departments["scjg"]
    approvers = [built.users["approver"], built.users["approver2"]]
    for n in range(len(approvers), contenders):
        approvers.append(create_staff(f"race{n}", f"审批{n}", f"R{n:03d}", ("approver",), [scjg]).user)
    body = {
        "item": item.impl_code,
        "channel": "window",
        "applicant": {
            "kind": PERSON.kind,
            "name": PERSON.name,
            "id_number": PERSON.id_number,
            "phone": PERSON.phone,
        },
        "form_data": {"reason": "歇业"},
        "materials": [
            {
                "material_id": u.material_id,
                "filename": u.filename,
                "content_base64": base64.b64encode(u.content).decode(),
            }
            for u in uploads_for(item)
        ],
    }
    return Hall(built.users["clerk"], approvers, item.impl_code, body, item)


# --- (a) intake under kill -9 ------------------------------------------------------------------------------------


def verify_audit(env: dict[str, str]) -> bool:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "verify_audit"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode == 0


def intake_under_kills(
    cluster: Cluster,
    hall: Hall,
    *,
    applications: int,
    kills: Sequence[str],
    clients: int = 4,
    seed: int = 1,
    deadline_s: float = 600,
) -> dict[str, Any]:
    """Submit `applications` through the API with an Idempotency-Key each, from `clients` threads that retry on
    connection errors; `kills` names the member killed (SIGKILL, whole process group) at evenly spaced points of
    the load, each restarted at once. Returns the figures; `lost`, `duplicates` and `audit_intact` are the verdict."""
    from govhall.cases.models import Case, IdempotencyKey

    rng = random.Random(seed)
    run = secrets.token_hex(4)
    keys: queue.Queue[str] = queue.Queue()
    for i in range(applications):
        keys.put(f"rel-{run}-{i}")
    acknowledged: dict[str, str] = {}
    errors: list[str] = []
    retries = [0]
    lock = threading.Lock()
    session = Session.open(hall.clerk)
    urls = cluster.urls()
    stop_at = time.monotonic() + deadline_s
    cases_before = Case.objects.count()

    def client(n: int) -> None:
        server = n
        while time.monotonic() < stop_at:
            try:
                key = keys.get_nowait()
            except queue.Empty:
                return
            while time.monotonic() < stop_at:
                base = urls[server % len(urls)]
                try:
                    status, body = session.post(base, "/cases", hall.body, **{"Idempotency-Key": key})
                except OSError:
                    status, body = 0, None
                if status in (200, 201):
                    with lock:
                        acknowledged[key] = body["number"]
                    break
                if status and status not in RETRYABLE_STATUS:
                    with lock:
                        errors.append(f"{key}: {status} {str(body)[:200]}")
                    break
                with lock:
                    retries[0] += 1
                server += 1  # the next server, as a load balancer would
                time.sleep(0.1)

    done_kills: list[dict[str, Any]] = []

    def killer() -> None:
        marks = [applications * (i + 1) // (len(kills) + 1) for i in range(len(kills))]
        for mark, name in zip(marks, kills, strict=True):
            while len(acknowledged) < mark and time.monotonic() < stop_at and not all_done.is_set():
                time.sleep(0.02)
            if all_done.is_set() or time.monotonic() >= stop_at:
                return
            time.sleep(rng.uniform(0, 0.3))  # land inside a request rather than between two
            at = len(acknowledged)
            cluster.kill(name)
            started = time.monotonic()
            cluster.restart(name)
            done_kills.append({"member": name, "at": at, "restart_s": round(time.monotonic() - started, 2)})

    all_done = threading.Event()
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    all_done.set()
    kill_thread.join()
    elapsed = time.monotonic() - started

    keyed = IdempotencyKey.objects.filter(key__startswith=f"rel-{run}-", user=hall.clerk)
    stored = dict(keyed.values_list("key", "case__number"))
    created = Case.objects.count() - cases_before
    lost = [k for k, number in acknowledged.items() if stored.get(k) != number]
    return {
        "applications": applications,
        "acknowledged": len(acknowledged),
        "unacknowledged": applications - len(acknowledged),
        "client_errors": errors[:10],
        "retries": retries[0],
        "kills": done_kills,
        "cases_created": created,
        "lost": len(lost),
        "duplicates": created - len(stored),
        "keys_stored": len(stored),
        "audit_intact": verify_audit(cluster.env),
        "seconds": round(elapsed, 1),
        "applications_per_s": round(len(acknowledged) / elapsed, 1) if elapsed else None,
    }


# --- (b) races on one task ---------------------------------------------------------------------------------------


def accepted_tasks(hall: Hall, count: int) -> list[int]:
    """`count` accepted cases, each with its open review task, through the actions."""
    from govhall.cases import actions
    from govhall.cases.models import Task
    from tests.cases.conftest import PERSON, uploads_for

    ids = []
    for _ in range(count):
        case = actions.submit_application(
            item=hall.item,
            applicant=PERSON,
            channel="window",
            form_data={"reason": "歇业"},
            uploads=uploads_for(hall.item),
            by=hall.clerk,
        )
        actions.accept_case(case, by=hall.clerk)
        ids.append(Task.objects.get(case=case, status="open").pk)
    return ids


def _approve(
    base: str, session: Session, task_id: int, barrier: threading.Barrier, statuses: list[int]
) -> None:
    barrier.wait()
    try:
        status, _ = session.post(base, f"/tasks/{task_id}/actions", {"action": "approve", "opinion": "同意"})
    except OSError:
        status = 0
    statuses.append(status)  # list.append is atomic under the GIL


def task_races(
    urls: Sequence[str],
    hall: Hall,
    task_ids: Sequence[int],
    *,
    on_result: Callable[[int, list[int]], None] | None = None,
) -> dict[str, Any]:
    """For each task, every approver approves it at the same instant, each through another server: exactly one
    200, all others 409 conflict, and the database holds one approval and one next step."""
    from govhall.cases.models import Task

    sessions = [Session.open(user) for user in hall.approvers]
    exactly_one = 0
    bad: list[dict[str, Any]] = []
    started = time.monotonic()
    for task_id in task_ids:
        barrier = threading.Barrier(len(sessions), timeout=30)
        statuses: list[int] = []
        threads = [
            threading.Thread(target=_approve, args=(urls[n % len(urls)], s, task_id, barrier, statuses))
            for n, s in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        task = Task.objects.get(pk=task_id)
        next_steps = Task.objects.filter(case_id=task.case_id, step_key="decide").count()
        statuses.sort()
        one = (
            statuses == [200] + [409] * (len(sessions) - 1) and task.outcome == "approve" and next_steps == 1
        )
        exactly_one += one
        if not one:
            bad.append({"task": task_id, "statuses": statuses, "next_steps": next_steps})
        if on_result is not None:
            on_result(task_id, statuses)
    elapsed = time.monotonic() - started
    return {
        "races": len(task_ids),
        "contenders": len(sessions),
        "exactly_one_winner": exactly_one,
        "failures": bad[:10],
        "seconds": round(elapsed, 1),
    }
