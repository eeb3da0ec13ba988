"""Fixtures and helpers for the case API tests: the case-test hall, logged-in clients, JSON requests, frozen time."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.test import Client

from govhall.cases.models import Case, Task
from govhall.catalog.models import ServiceItem
from tests.cases.conftest import PERSON, Hall, build_hall, local, monday, uploads_for
from tests.shared import SharedData, shared_data, shared_or_built

CANCEL = "企业营业执照注销登记"  # standard: review (approver) → decide (head), 市场监管局
PERMIT = "建筑工程施工许可证核发"  # joint review: 住建局 leads, 市场监管局 and 民政局 co-review
PASSWORD = "Api-test-pass-2026"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def materials_for(item: ServiceItem, *, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"material_id": u.material_id, "filename": u.filename, "content_base64": b64(u.content)}
        for u in uploads_for(item, skip=skip)
    ]


def person() -> dict[str, Any]:
    return {"kind": PERSON.kind, "name": PERSON.name, "id_number": PERSON.id_number, "phone": PERSON.phone}


def application(item: ServiceItem, *, channel: str = "window", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "item": item.impl_code,
        "channel": channel,
        "applicant": person(),
        "form_data": {"reason": "歇业"},
        "materials": materials_for(item),
    }
    body.update(extra)
    return body


def basic(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Api:
    """A JSON client for one user (session login), or anonymous."""

    def __init__(self, user: Any = None, **client_kwargs: Any) -> None:
        self.client = Client(**client_kwargs)
        self.user = user
        if user is not None:
            self.client.force_login(user)

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: Any) -> Any:
        return self.client.get("/api/v1" + path, params or {}, **headers)

    def post(self, path: str, body: Any = None, **headers: Any) -> Any:
        return self.client.post(
            "/api/v1" + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **headers,
        )


@dataclass
class World:
    hall: Any
    clock: Any
    apis: dict[str, Api] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Api:
        if name not in self.apis:
            self.apis[name] = Api(self.hall[name])
        return self.apis[name]

    @property
    def anonymous(self) -> Api:
        return Api()

    def item(self, name: str) -> ServiceItem:
        return self.hall.item(name)

    def at(self, *args: int) -> None:
        """Move the frozen clock to a Shanghai wall-clock instant."""
        self.clock.move_to(local(*args))

    def submit(self, name: str = CANCEL, *, by: str = "clerk", **extra: Any) -> str:
        response = self[by].post("/cases", application(self.item(name), **extra))
        assert response.status_code == 201, response.content.decode()
        return str(response.json()["number"])

    def accepted(self, name: str = CANCEL, **extra: Any) -> str:
        number = self.submit(name, **extra)
        response = self["clerk"].post(f"/cases/{number}/intake", {"decision": "accept"})
        assert response.status_code == 200, response.content.decode()
        return number

    def open_task(self, number: str, **filters: Any) -> Task:
        return Task.objects.get(case__number=number, status__in=["open", "claimed"], **filters)

    def case(self, number: str) -> Case:
        return Case.objects.get(number=number)


def build_world_hall() -> Hall:
    hall = build_hall()
    for user in hall.users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return hall


@pytest.fixture(scope="module")
def _shared_world_hall(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SharedData[Hall]]:
    with shared_data("_shared_world_hall", monday(build_world_hall), django_db_blocker) as shared:
        yield shared


@pytest.fixture(name="world")
def world_fixture(_shared_world_hall: SharedData[Hall], db: Any, settings: Any) -> Iterator[World]:
    """The hall is built once per module and shared (tests/shared.py); each test sees it as built."""
    # Fast hashing: HTTP Basic checks the password on every request.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Monday 2026-03-02 09:00 Shanghai: no holiday for two weeks either side.
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False) as traveller:
        hall = shared_or_built(_shared_world_hall, monday(build_world_hall), Hall.refreshed)
        yield World(hall=hall, clock=traveller)


# --- NetBox-style reusable permission checks -----------------------------------------------------------------


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def snapshot() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    from govhall.cases.models import (
        CaseMaterial,
        CorrectionNotice,
        Extension,
        IdempotencyKey,
        OutOfProcedureAttempt,
        Pause,
    )
    from govhall.documents.models import Document
    from govhall.ledger.models import LedgerEntry

    return (
        list(Case.objects.order_by("pk").values_list("pk", "status")),
        list(Task.objects.order_by("pk").values_list("pk", "status", "assignee_id")),
        list(Pause.objects.order_by("pk").values_list("pk", "ended_at")),
        Extension.objects.count(),
        CorrectionNotice.objects.count(),
        CaseMaterial.objects.count(),
        Document.objects.count(),
        IdempotencyKey.objects.count(),
        OutOfProcedureAttempt.objects.count(),
        LedgerEntry.objects.count(),
    )


class EndpointAuthChecks:
    """Mix into a test class per endpoint (NetBox's APIViewTestCases idea): anonymous and wrong credentials get 401,
    a user without the needed role is refused, and staff of another department too. A case they may not see at all
    answers 404 (its existence is not revealed); a visible one they may not act on answers 403. A refused request
    changes nothing."""

    method = "post"
    wrong_role: str | None = None
    wrong_role_status = 403
    other_department: str | None = None
    other_department_status = 404

    def prepare(self, world: World) -> dict[str, Any]:
        return {}

    def path(self, ctx: dict[str, Any]) -> str:
        raise NotImplementedError

    def body(self, world: World, ctx: dict[str, Any]) -> Any:
        return {}

    def call(self, api: Api, world: World, ctx: dict[str, Any], **headers: Any) -> Any:
        if self.method == "get":
            return api.get(self.path(ctx), **headers)
        return api.post(self.path(ctx), self.body(world, ctx), **headers)

    def check_refused(self, response: Any, status: int) -> None:
        assert response.status_code == status, response.content.decode()
        assert has_chinese(response.json()["detail"])

    def test_anonymous_gets_401(self, world: World) -> None:
        ctx = self.prepare(world)
        before = snapshot()
        response = self.call(world.anonymous, world, ctx)
        assert response.status_code == 401, response.content.decode()
        detail = response.json()["detail"]
        assert set(response.json()) == {"detail"}
        assert "未登录或用户名、密码不正确：请先登录，或使用 HTTP Basic 认证" in detail
        assert detail.startswith("请使用接口令牌（Authorization: Bearer …）")
        assert response["WWW-Authenticate"].startswith("Basic ")
        assert snapshot() == before

    def test_wrong_password_gets_401(self, world: World) -> None:
        ctx = self.prepare(world)
        before = snapshot()
        response = self.call(
            world.anonymous, world, ctx, HTTP_AUTHORIZATION=basic("clerk", "not-the-password")
        )
        assert response.status_code == 401
        assert snapshot() == before

    def test_wrong_role_is_refused(self, world: World) -> None:
        if self.wrong_role is None:
            pytest.skip("not restricted by role")
        ctx = self.prepare(world)
        before = snapshot()
        self.check_refused(self.call(world[self.wrong_role], world, ctx), self.wrong_role_status)
        assert snapshot() == before

    def test_other_department_is_refused(self, world: World) -> None:
        if self.other_department is None:
            pytest.skip("not restricted by department")
        ctx = self.prepare(world)
        before = snapshot()
        self.check_refused(self.call(world[self.other_department], world, ctx), self.other_department_status)
        assert snapshot() == before
