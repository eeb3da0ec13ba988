"""API tokens (issue #9 item 6): a bearer token authenticates without the password hasher; revoked, expired and
unknown tokens get a Chinese 401; tokens are issued and revoked through actions (admin, command) with audit events."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from govhall.core import tokens
from govhall.core.models import ApiToken, AuditEvent, AuditEventType
from tests.cases.conftest import local

from .cases_support import (
    CANCEL,
    Api,
    World,
    application,
    basic,
    has_chinese,
    snapshot,
    world_fixture,  # noqa: F401  (fixture `world`)
)

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """The test hall's hasher, counting every password it checks or makes."""

    calls: ClassVar[int] = 0

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.calls += 1
        return super().verify(password, encoded)

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture(name="counting")
def counting_fixture(world: World, settings: Any) -> type[CountingHasher]:
    settings.PASSWORD_HASHERS = ["tests.api.test_tokens.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def bearer(secret: str) -> str:
    return f"Bearer {secret}"


def issue(world: World, username: str = "clerk", **kwargs: Any) -> tokens.IssuedToken:
    return tokens.issue_token(world.hall[username], "对接测试", **kwargs)


def test_a_token_request_never_runs_the_password_hasher(world: World, counting: type[CountingHasher]) -> None:
    secret = issue(world).secret
    # HTTP Basic does run it, on every request: the counter sees it.
    assert Api().get("/tasks", HTTP_AUTHORIZATION=basic("clerk")).status_code == 200
    assert counting.calls >= 1
    counting.calls = 0
    script = Api(enforce_csrf_checks=True)  # no session, so no CSRF token needed either
    assert script.get("/tasks", HTTP_AUTHORIZATION=bearer(secret)).status_code == 200
    created = script.post("/cases", application(world.item(CANCEL)), HTTP_AUTHORIZATION=bearer(secret))
    assert created.status_code == 201, created.content.decode()
    case = world.case(created.json()["number"])
    assert case.received_by == world.hall["clerk"]
    assert counting.calls == 0


def test_the_token_acts_as_its_user(world: World) -> None:
    number = world.submit()
    zj = issue(world, "zj_approver").secret
    # Scoped reads apply to the token's user like to a session: another department does not see the case.
    assert Api().get(f"/cases/{number}", HTTP_AUTHORIZATION=bearer(zj)).status_code == 404
    assert Api().get(f"/cases/{number}", HTTP_AUTHORIZATION=bearer(issue(world).secret)).status_code == 200


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("revoke", tokens.REVOKED),
        ("expire", tokens.EXPIRED),
        ("unknown", tokens.UNKNOWN),
        ("deactivate", tokens.INACTIVE),
    ],
)
def test_unusable_tokens_get_a_chinese_401(world: World, spoil: str, message: str) -> None:
    issued = issue(world, days=30)
    assert Api().get("/tasks", HTTP_AUTHORIZATION=bearer(issued.secret)).status_code == 200
    secret = issued.secret
    if spoil == "revoke":
        tokens.revoke_token(issued.token, actor=world.hall["head"])
    elif spoil == "expire":
        world.clock.shift(timedelta(days=30, seconds=1))
    elif spoil == "unknown":
        secret = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    else:
        clerk = world.hall["clerk"]
        clerk.is_active = False
        clerk.save(update_fields=["is_active"])
    before = snapshot()
    response = Api().post("/cases", application(world.item(CANCEL)), HTTP_AUTHORIZATION=bearer(secret))
    assert response.status_code == 401, response.content.decode()
    assert response.json() == {"detail": message}
    assert has_chinese(message)
    assert response["WWW-Authenticate"].startswith("Bearer ")
    assert snapshot() == before
    assert Api().get("/tasks", HTTP_AUTHORIZATION=bearer(secret)).status_code == 401


def test_only_the_digest_is_stored_and_issuing_is_audited(world: World) -> None:
    issued = tokens.issue_token(world.hall["clerk"], "  档案系统  ", actor=world.hall["head"], days=10)
    row = ApiToken.objects.get()
    assert issued.secret.startswith(tokens.TOKEN_PREFIX) and len(issued.secret) >= 40
    assert row.token_hash == tokens.digest(issued.secret) != issued.secret
    assert issued.secret not in {getattr(row, f.attname) for f in ApiToken._meta.concrete_fields}
    assert row.name == "档案系统" and issued.secret.startswith(row.prefix)
    assert row.expires_at is not None and row.last_used_at is None
    event = AuditEvent.objects.get(event_type=AuditEventType.API_TOKEN_ISSUED)
    assert event.actor == world.hall["head"] and event.object_id == str(row.pk)
    assert issued.secret not in str(event.after)
    Api().get("/tasks", HTTP_AUTHORIZATION=bearer(issued.secret))
    row.refresh_from_db()
    assert row.last_used_at is not None
    tokens.revoke_token(row, actor=world.hall["head"])
    tokens.revoke_token(row, actor=world.hall["head"])  # twice: one event
    assert AuditEvent.objects.filter(event_type=AuditEventType.API_TOKEN_REVOKED).count() == 1


def test_bad_issue_requests_are_refused_in_chinese(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as blank:
        tokens.issue_token(world.hall["clerk"], "  ")
    assert "name" in blank.value.message_dict
    with pytest.raises(ValidationError) as zero:
        tokens.issue_token(world.hall["clerk"], "x", days=0)
    assert has_chinese(zero.value.message_dict["expires_at"][0])
    with pytest.raises(ValidationError) as past:
        tokens.issue_token(world.hall["clerk"], "x", expires_at=local(2026, 3, 1, 9, 0))
    assert past.value.message_dict["expires_at"] == ["有效期应晚于当前时间。"]
    assert ApiToken.objects.count() == 0


def test_the_api_token_command_issues_lists_and_revokes(world: World) -> None:
    out, err = StringIO(), StringIO()
    call_command("api_token", "approver", "--name", "统计脚本", "--days", "7", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert "只显示这一次" in err.getvalue()
    assert Api().get("/tasks", HTTP_AUTHORIZATION=bearer(secret)).status_code == 200
    token = ApiToken.objects.get(user__username="approver")
    listing = StringIO()
    call_command("api_token", "approver", "--list", stdout=listing)
    assert "统计脚本" in listing.getvalue() and secret not in listing.getvalue()
    call_command("api_token", "approver", "--revoke", str(token.pk), stdout=StringIO())
    assert Api().get("/tasks", HTTP_AUTHORIZATION=bearer(secret)).json() == {"detail": tokens.REVOKED}
    with pytest.raises(CommandError, match="不存在"):
        call_command("api_token", "nobody-here", stdout=StringIO())
    with pytest.raises(CommandError, match="有效天数"):
        call_command("api_token", "approver", "--days", "0", stdout=StringIO(), stderr=StringIO())


def test_the_admin_issues_a_token_once_and_revokes_it(world: World) -> None:
    root = User.objects.create_superuser("root", password="x-very-secret-1")
    browser = Client()
    browser.force_login(root)
    response = browser.post(
        "/admin/core/apitoken/add/",
        {
            "user": world.hall["clerk"].pk,
            "name": "窗口叫号系统",
            "expires_at_0": "2027-03-01",
            "expires_at_1": "09:00",
        },
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.split("：")[-1] for m in shown if "只显示这一次" in m)
    assert tokens.digest(secret) == token.token_hash
    assert AuditEvent.objects.get(event_type=AuditEventType.API_TOKEN_ISSUED).actor == root
    assert Api().get("/tasks", HTTP_AUTHORIZATION=bearer(secret)).status_code == 200
    browser.post(
        "/admin/core/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Api().get("/tasks", HTTP_AUTHORIZATION=bearer(secret)).status_code == 401
    # Never edited nor deleted: the change page is read-only and there is no delete.
    page = browser.get(f"/admin/core/apitoken/{token.pk}/change/")
    assert page.status_code == 200 and b'name="name"' not in page.content
    assert browser.post(f"/admin/core/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_openapi_documents_the_bearer_scheme(world: World) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    bearer_names = [name for name, s in schemes.items() if s == {"type": "http", "scheme": "bearer"}]
    assert bearer_names, schemes
    tasks = schema["paths"]["/api/v1/tasks"]["get"]
    assert {bearer_names[0]: []} in tasks["security"]
    assert "Bearer" in schema["info"]["description"]
