"""Brute force of public check codes and passwords: throttling in the database shared by every process, lockout
with a Chinese message and an audit entry, and longer check codes for new cases."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from govhall.cases import form_tokens
from govhall.core.models import AuditEvent, AuditEventType
from tests.api.cases_support import Api, World, basic


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.GOVHALL_THROTTLE_LOOKUP = (3, 3600)
    settings.GOVHALL_THROTTLE_LOOKUP_IP = (5, 900)
    settings.GOVHALL_THROTTLE_LOGIN = (3, 900)
    settings.GOVHALL_THROTTLE_LOGIN_IP = (50, 900)
    return settings


def _wrong(code: str) -> str:
    return "0" * len(code) if code != "0" * len(code) else "1" * len(code)


def _ip(n: int) -> dict[str, str]:
    return {"REMOTE_ADDR": f"198.51.100.{n}"}


def test_new_check_codes_are_longer_and_old_six_digit_codes_still_work(world: World) -> None:
    number = world.submit()
    case = world.case(number)
    assert len(case.check_code) == 8 and case.check_code.isdigit()
    assert Api().get("/progress", {"number": number, "check_code": case.check_code}).status_code == 200
    page = Client().post("/progress/", {"number": number, "check_code": case.check_code})
    assert page.status_code == 200 and 'id="progress-result"' in page.content.decode()
    type(case).objects.filter(pk=case.pk).update(check_code="123456")
    assert Api().get("/progress", {"number": number, "check_code": "123456"}).status_code == 200
    page = Client().post("/progress/", {"number": number, "check_code": "123456"})
    assert 'id="progress-result"' in page.content.decode()


def test_progress_page_locks_a_case_number_after_repeated_wrong_codes(world: World, limits: Any) -> None:
    number = world.submit()
    code = world.case(number).check_code
    for n in range(3):
        page = Client(**_ip(n)).post("/progress/", {"number": number, "check_code": _wrong(code)})
        assert page.status_code in (200, 429)
    # From yet another address and with the right code: the number stays locked for the window.
    locked = Client(**_ip(9)).post("/progress/", {"number": number, "check_code": code})
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "查询次数过多" in text and 'id="progress-result"' not in text
    event = AuditEvent.objects.get(event_type=AuditEventType.LOOKUP_LOCKED)
    assert number in event.object_repr and code not in (event.note + str(event.after))
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOOKUP_LOCKED).count() == 1
    # Another case is not affected.
    other = world.submit()
    ok = Client(**_ip(9)).post("/progress/", {"number": other, "check_code": world.case(other).check_code})
    assert ok.status_code == 200 and 'id="progress-result"' in ok.content.decode()
    # After the window the owner can look it up again.
    world.clock.shift(timedelta(hours=1, minutes=1))
    again = Client(**_ip(9)).post("/progress/", {"number": number, "check_code": code})
    assert again.status_code == 200 and 'id="progress-result"' in again.content.decode()


def test_one_address_guessing_across_numbers_is_locked(world: World, limits: Any) -> None:
    numbers = [world.submit() for _ in range(2)]
    client = Client(**_ip(7))
    for n in range(5):
        client.post("/progress/", {"number": numbers[n % 2][:-1] + str(n), "check_code": "12345678"})
    good = numbers[0]
    locked = client.post("/progress/", {"number": good, "check_code": world.case(good).check_code})
    assert locked.status_code == 429 and "查询次数过多" in locked.content.decode()
    assert (
        Client(**_ip(8))
        .post("/progress/", {"number": good, "check_code": world.case(good).check_code})
        .status_code
        == 200
    )


def test_api_progress_is_throttled_with_a_documented_429(world: World, limits: Any) -> None:
    number = world.submit()
    code = world.case(number).check_code
    for _ in range(3):
        assert Api().get("/progress", {"number": number, "check_code": _wrong(code)}).status_code in (
            404,
            429,
        )
    locked = Api().get("/progress", {"number": number, "check_code": code})
    assert locked.status_code == 429
    assert "查询次数过多" in locked.json()["detail"] and int(locked["Retry-After"]) > 0
    schema = Api().get("/openapi.json").json()
    assert "429" in schema["paths"]["/api/v1/progress"]["get"]["responses"]


def test_complaint_form_cannot_be_used_to_guess_check_codes(world: World, limits: Any) -> None:
    number = world.submit()
    code = world.case(number).check_code
    client = Client()
    client.force_login(world.hall["applicant"])
    form = {
        "complainant_name": "张三",
        "content": "超期未办",
        "case_number": number,
        "submission_token": form_tokens.new_token(),
    }
    for _ in range(3):
        client.post("/complaints/new/", {**form, "check_code": _wrong(code)})
    locked = client.post("/complaints/new/", {**form, "check_code": code})
    assert locked.status_code == 429 and "查询次数过多" in locked.content.decode()


def test_login_lockout_with_a_chinese_message_and_an_audit_entry(world: World, limits: Any) -> None:
    from tests.api.cases_support import PASSWORD

    for _ in range(3):
        bad = Client(**_ip(3)).post("/accounts/login/", {"username": "clerk", "password": "wrong-password"})
        assert bad.status_code == 200
    locked = Client(**_ip(4)).post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert locked.status_code == 200 and "_auth_user_id" not in locked.client.session
    assert "登录失败次数过多" in locked.content.decode()
    event = AuditEvent.objects.get(event_type=AuditEventType.LOGIN_LOCKED)
    clerk = world.hall["clerk"]
    assert (event.object_type, event.object_id, event.object_repr) == ("auth.user", str(clerk.pk), "clerk")
    assert event.after["attempts"] == 3
    # HTTP Basic is locked too, with the same message.
    api = Client().get("/api/v1/tasks", HTTP_AUTHORIZATION=basic("clerk"))
    assert api.status_code == 429 and "登录失败次数过多" in api.json()["detail"]
    world.clock.shift(timedelta(minutes=16))
    assert Client().get("/api/v1/tasks", HTTP_AUTHORIZATION=basic("clerk")).status_code == 200
    ok = Client().post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert ok.status_code == 302


def test_http_basic_guessing_locks_the_account(world: World, limits: Any) -> None:
    for _ in range(3):
        wrong = Client().get("/api/v1/tasks", HTTP_AUTHORIZATION=basic("clerk", "nope-nope"))
        assert wrong.status_code in (401, 429)
    locked = Client().get("/api/v1/tasks", HTTP_AUTHORIZATION=basic("clerk"))
    assert locked.status_code == 429 and "登录失败次数过多" in locked.json()["detail"]
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_LOCKED).count() == 1


@pytest.mark.postgres_only
def test_the_database_store_counts_exactly_across_connections(transactional_db: None, settings: Any) -> None:
    """Twelve concurrent failures on one key: every one is counted and the lock (and its audit entry) happens once."""
    from govhall.core import throttle

    rule = throttle.Rule("lookup", limit=5, seconds=600)
    locks: list[bool] = []
    barrier = threading.Barrier(12)

    def attempt() -> None:
        try:
            barrier.wait()
            locks.append(throttle.record_failure(rule, "20260302000001").just_locked)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert locks.count(True) == 1
    assert throttle.retry_after(rule, "20260302000001") > 0
    from govhall.core.models import ThrottleCounter

    assert ThrottleCounter.objects.get().count == 12


def test_counters_idle_for_a_day_are_purged(world: World, limits: Any) -> None:
    from govhall.core import throttle
    from govhall.core.models import ThrottleCounter

    throttle.record_failure(throttle.rule(throttle.LOOKUP), "20260302000001")
    world.clock.shift(timedelta(days=1, seconds=1))
    throttle.record_failure(throttle.rule(throttle.LOOKUP), "20260302000002")
    assert throttle.purge_stale() == 1
    assert list(ThrottleCounter.objects.values_list("key", flat=True)) == ["lookup:20260302000002"]


# --- 一件事 numbers and complaints are throttled like cases ------------------------------------------------------


def _bundle(world: World) -> tuple[str, str]:
    from tests.api.test_bundles_api import body
    from tests.cases.test_bundles import make_bundle

    bundle = make_bundle(world.hall)
    created = world["clerk"].post(f"/bundles/{bundle.code}/applications", body(bundle))
    assert created.status_code == 201, created.content.decode()
    return str(created.json()["number"]), str(created.json()["check_code"])


def test_api_bundle_progress_locks_a_bundle_number(world: World, limits: Any) -> None:
    number, code = _bundle(world)
    assert number.startswith("L")
    for n in range(3):
        wrong = Api(**_ip(n)).get("/bundle-progress", {"number": number, "check_code": _wrong(code)})
        assert wrong.status_code in (404, 429)
    locked = Api(**_ip(9)).get("/bundle-progress", {"number": number, "check_code": code})
    assert locked.status_code == 429
    assert "查询次数过多" in locked.json()["detail"] and int(locked["Retry-After"]) > 0


def test_progress_page_locks_a_bundle_number(world: World, limits: Any) -> None:
    number, code = _bundle(world)
    assert Client().post("/progress/", {"number": number, "check_code": code}).status_code == 200
    for n in range(3):
        page = Client(**_ip(n)).post("/progress/", {"number": number, "check_code": _wrong(code)})
        assert page.status_code in (200, 429)
    locked = Client(**_ip(9)).post("/progress/", {"number": number, "check_code": code})
    assert locked.status_code == 429 and "查询次数过多" in locked.content.decode()


def _complaint(world: World) -> Any:
    from django.contrib.auth import get_user_model

    from govhall.complaints.actions import receive_complaint
    from govhall.org.actions import create_staff

    # A complaint needs a handling department: the one whose efficiency supervisor receives complaints.
    if not get_user_model().objects.filter(username="supervisor").exists():
        create_staff(
            "supervisor", "钱监察", "T900", ("supervisor",), [world.hall.catalog.departments["scjg"]]
        )
    return receive_complaint(
        channel="phone",
        by=world.hall["clerk"],
        complainant_name="张三",
        phone="13800138000",
        content="窗口人员态度生硬",
    )


def test_complaint_check_codes_are_as_long_as_the_cases(world: World, settings: Any) -> None:
    complaint = _complaint(world)
    assert len(complaint.check_code) == 8 and complaint.check_code.isdigit()
    settings.GOVHALL_CHECK_CODE_DIGITS = 12
    longest = _complaint(world)
    assert len(longest.check_code) == 12 and longest.check_code.isdigit()
    longest.refresh_from_db()
    assert len(longest.check_code) == 12  # the column holds it (PostgreSQL would refuse a longer value)
    for c in (complaint, longest):
        page = Client().post("/complaints/progress/", {"number": c.number, "check_code": c.check_code})
        assert page.status_code == 200 and "未找到该投诉" not in page.content.decode()
        assert "查询码为" not in page.content.decode()
    # Complaints of before keep their 6 digits.
    type(complaint).objects.filter(pk=complaint.pk).update(check_code="123456")
    page = Client().post("/complaints/progress/", {"number": complaint.number, "check_code": "123456"})
    assert "未找到该投诉" not in page.content.decode() and "查询码为" not in page.content.decode()


def test_complaint_progress_locks_a_complaint_number(world: World, limits: Any) -> None:
    complaint = _complaint(world)
    code = complaint.check_code
    for n in range(3):
        page = Client(**_ip(n)).post(
            "/complaints/progress/", {"number": complaint.number, "check_code": _wrong(code)}
        )
        assert page.status_code in (200, 429)
    locked = Client(**_ip(9)).post("/complaints/progress/", {"number": complaint.number, "check_code": code})
    assert locked.status_code == 429 and "查询次数过多" in locked.content.decode()
