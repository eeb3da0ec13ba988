"""The signed-in request: govhall's session store and user lookup (both compiled once per connection) keep Django's
rules — an expired session, an unknown key, a deactivated or deleted account are all signed out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.core.auth import LockoutModelBackend
from govhall.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> tuple[Client, User]:
    user = User.objects.create_user(username, password="Probe-pass-2026")
    client = Client()
    client.force_login(user)
    return client, user


def _status(client: Client) -> int:
    return client.get("/api/v1/tasks").status_code


def test_a_live_session_signs_the_request_in_with_one_read_each() -> None:
    client, _user = _signed_in("session-live")
    assert _status(client) == 200
    with CaptureQueriesContext(connection) as queries:
        assert _status(client) == 200
    sessions = [q for q in queries.captured_queries if '"django_session"' in q["sql"]]
    users = [q for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]
    # The user's one read brings its roles along (org.access.signed_in_user): the API's permission check asks
    # for nothing more.
    assert len(sessions) == 1 and len(users) == 1
    assert '"auth_group"' in users[0]["sql"]
    assert not [q for q in queries.captured_queries if '"auth_user_groups"' in q["sql"] and q not in users]


def test_an_expired_session_is_refused_like_django_refuses_it() -> None:
    client, _user = _signed_in("session-expired")
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert _status(client) == 401
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None


def test_an_unknown_or_odd_session_key_is_a_new_session() -> None:
    for key in ("x" * 32, "no-such-session-key-000000000000", "短" * 40):
        store = SessionStore(key)
        assert store.load() == {} and store.session_key is None


def test_a_deactivated_or_deleted_account_is_signed_out() -> None:
    client, user = _signed_in("session-inactive")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _status(client) == 401
    backend = LockoutModelBackend()
    assert backend.get_user(user.pk) is None
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert backend.get_user(user.pk) == user and backend.get_user(str(user.pk)) == user
    assert backend.get_user(-1) is None and backend.get_user(2**70) is None and backend.get_user("x") is None
    user.delete()
    assert _status(client) == 401
