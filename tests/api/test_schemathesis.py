"""schemathesis over the served OpenAPI (issue #9): every operation, valid and invalid requests, authenticated with an
API token of a window clerk. No answer may be a server error; every status must be one the OpenAPI documents, with
a body that conforms to it; every error body must say what went wrong in Chinese.

Bounded (EXAMPLES valid and INVALID_EXAMPLES invalid requests per operation, derandomised so that a run is
reproducible) to stay within about a minute and a half on SQLite and on PostgreSQL; the budget per operation went
down from 40 to 25 when six modules brought their operations. Set GOVHALL_SCHEMATHESIS_EXAMPLES
for a longer run, e.g. before a release."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from govhall.core import tokens
from govhall.wsgi import application

from .cases_support import CANCEL, World, has_chinese, world_fixture  # noqa: F401  (fixture `world`)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("GOVHALL_SCHEMATHESIS_EXAMPLES", "25"))
INVALID_EXAMPLES = max(1, EXAMPLES // 4)
# The operations are split into shards, one test each, so that the two test processes share the run.
SHARDS = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def chinese_error_body(response: Any) -> list[str]:
    """What is wrong with an error answer's body: its `detail` (or every `msg` in it) must contain Chinese."""
    if response.status_code < 400:
        return []
    try:
        body = json.loads(response.content)
    except ValueError:
        return [f"{response.status_code}: body is not JSON: {response.content[:200]!r}"]
    detail = body.get("detail") if isinstance(body, dict) else None
    texts = [str(e.get("msg", "")) for e in detail] if isinstance(detail, list) else [str(detail or "")]
    return [f"{response.status_code}: not Chinese: {text!r}" for text in texts if not has_chinese(text)]


@contextmanager
def in_test_transaction() -> Iterator[None]:
    # schemathesis calls the WSGI application directly; like Django's test client, keep the request signals from
    # closing the test's connection (which would end the transaction the test runs in).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_answers_as_documented_and_in_chinese(
    world: World, settings: Any, shard: int
) -> None:
    # The lookups' throttle would soon answer every wrong check code with 429 (documented, but then the handler
    # behind it is no longer exercised); the throttle has its own tests.
    settings.GOVHALL_THROTTLE_LOOKUP = settings.GOVHALL_THROTTLE_LOOKUP_IP = (10**9, 60)
    world.accepted()  # a case in progress, so that lists and tasks are not empty
    secret = tokens.issue_token(world.hall["clerk"], "schemathesis").secret
    headers = {"Authorization": f"Bearer {secret}"}
    failures: dict[str, str] = {}
    with in_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        for index, result in enumerate(schema.get_all_operations()):
            if index % SHARDS != shard:
                continue
            operation = result.ok()  # type: ignore[union-attr]  # an invalid operation fails the test here
            for mode, count in (
                (GenerationMode.POSITIVE, EXAMPLES),
                (GenerationMode.NEGATIVE, INVALID_EXAMPLES),
            ):

                @given(case=operation.as_strategy(generation_mode=mode))
                @hypothesis_settings(
                    max_examples=count,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                def run(case: schemathesis.Case[Any]) -> None:
                    # A savepoint per request: on PostgreSQL a request that fails in the database aborts the
                    # test's transaction, and every later request would fail with it instead of on its own.
                    savepoint = transaction.savepoint()
                    response = case.call(headers=headers)
                    if response.status_code >= 500:
                        transaction.savepoint_rollback(savepoint)
                    else:
                        transaction.savepoint_commit(savepoint)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                    problems = chinese_error_body(response)
                    assert not problems, f"{case.method} {case.formatted_path}: {problems}"

                try:
                    run()
                except Unsatisfiable:
                    # No invalid request exists for it (no parameters, or free-text ones only): nothing to send.
                    pass
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group of failures
                    failures[f"{operation.label} ({mode.value})"] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())


@pytest.mark.parametrize("path", ["/api/v1/items", "/api/v1/tasks"])
def test_an_offset_past_any_list_is_a_422_not_a_database_error(world: World, path: str) -> None:
    # Found by the run above on PostgreSQL: an OFFSET beyond bigint was a DataError (500), on SQLite an OverflowError.
    secret = tokens.issue_token(world.hall["clerk"], "offset").secret
    for offset in ("42003732515645702144", str(10**9 + 1)):
        response = world.anonymous.client.get(path, {"offset": offset}, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 422, response.content.decode()
        assert response.json()["detail"][0]["msg"] == "查询参数 offset：不能大于1000000000。"
    last = world.anonymous.client.get(path, {"offset": str(10**9)}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert last.status_code == 200
