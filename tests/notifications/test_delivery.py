"""Delivery of the SMS and e-mail outbox: the shipped SMS backends, e-mail through Django's mail, retries with back-off
and giving up, and the management command."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from govhall.core import clock
from govhall.notifications.actions import notify, outbox
from govhall.notifications.choices import Channel
from govhall.notifications.delivery import backoff, deliver_pending, sms_text
from govhall.notifications.models import Notification
from govhall.notifications.sms import (
    ConsoleSmsBackend,
    FileSmsBackend,
    SmsBackend,
    SmsError,
    get_sms_backend,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
FAILING = "tests.notifications.test_delivery.FailingSmsBackend"


class FailingSmsBackend:
    """A gateway that is down: every send raises."""

    calls = 0

    def send(self, phone: str, text: str) -> str:
        FailingSmsBackend.calls += 1
        raise SmsError("网关不可用 503")


class RecoveringSmsBackend:
    """Down for the first two attempts, then accepts."""

    calls = 0

    def send(self, phone: str, text: str) -> str:
        RecoveringSmsBackend.calls += 1
        if RecoveringSmsBackend.calls <= 2:
            raise ConnectionError("connection reset")
        return f"gw-{RecoveringSmsBackend.calls}"


def _file_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_console_backend_prints_a_masked_number_and_returns_an_id() -> None:
    out = io.StringIO()
    backend = ConsoleSmsBackend(stream=out)
    assert isinstance(backend, SmsBackend)
    message_id = backend.send("13800138000", "【政务服务中心】受理通知")
    assert message_id.startswith("console-")
    assert out.getvalue() == "[短信] 138****8000 【政务服务中心】受理通知\n"
    with pytest.raises(SmsError):
        backend.send("", "x")


def test_default_backend_is_the_console(capsys: pytest.CaptureFixture[str]) -> None:
    notify(title="受理通知", body="您的申请已受理", phone="13800138000", at=T0)
    with clock.frozen_at(T0):
        assert deliver_pending() == {"sent": 1, "sms_sent": 1, "email_sent": 0, "retry": 0, "given_up": 0}
    assert "138****8000 【政务服务中心】受理通知：您的申请已受理" in capsys.readouterr().out
    row = Notification.objects.get()
    assert row.sent_at == T0 and row.provider_id.startswith("console-") and row.attempts == 1


def test_file_backend_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "gateway" / "sms.log"
    notify(title="补正通知", body="请补正材料", phone="13800138000", at=T0)
    notify(title="受理通知", body="", phone="13900139000", at=T0 + dt.timedelta(seconds=1))
    with override_settings(
        GOVHALL_SMS_BACKEND="govhall.notifications.sms.FileSmsBackend", GOVHALL_SMS_FILE_PATH=str(path)
    ):
        assert isinstance(get_sms_backend(), FileSmsBackend)
        with clock.frozen_at(T0):
            assert deliver_pending()["sms_sent"] == 2
            assert deliver_pending()["sent"] == 0  # nothing is sent twice
    lines = _file_lines(path)
    assert [(line["phone"], line["text"]) for line in lines] == [
        ("13800138000", "【政务服务中心】补正通知：请补正材料"),
        ("13900139000", "【政务服务中心】受理通知"),
    ]
    assert lines[0]["at"] == T0.isoformat()
    ids = set(Notification.objects.values_list("provider_id", flat=True))
    assert ids == {line["id"] for line in lines}


def test_file_backend_defaults_to_var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.GOVHALL_SMS_FILE_PATH = None  # declared in settings; None means "not configured"
    FileSmsBackend().send("13800138000", "x")
    assert _file_lines(tmp_path / "sms.log")[0]["text"] == "x"


def test_file_backend_that_cannot_write_raises_sms_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(SmsError):
        FileSmsBackend(path=blocker / "sms.log").send("13800138000", "x")


def test_sms_text_is_signed_and_cut_to_300_characters() -> None:
    (row,) = notify(title="督办单", body="长" * 400, phone="13800138000")
    text = sms_text(row)
    assert len(text) == 300 and text.startswith("【政务服务中心】督办单：长") and text.endswith("长…")
    (short,) = notify(title="受理通知", body="  ", phone="13800138000")
    assert sms_text(short) == "【政务服务中心】受理通知"


def test_email_goes_through_django_mail(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "noreply@zwfw.example.cn"
    settings.GOVHALL_PUBLIC_URL = "https://zwfw.example.cn"
    notify(
        title="办结通知",
        body="您的办件已办结。",
        email="zs@example.cn",
        link="/cases/RX1/",
        at=T0,
    )
    with clock.frozen_at(T0 + dt.timedelta(minutes=1)):
        assert deliver_pending()["email_sent"] == 1
    (message,) = mail.outbox
    assert message.subject == "办结通知" and message.to == ["zs@example.cn"]
    assert message.from_email == "noreply@zwfw.example.cn"
    assert message.body == "您的办件已办结。\n\n详情：https://zwfw.example.cn/cases/RX1/"
    assert Notification.objects.get().sent_at == T0 + dt.timedelta(minutes=1)
    assert deliver_pending()["sent"] == 0 and len(mail.outbox) == 1


def test_in_app_rows_are_never_delivered(db: Any) -> None:
    from django.contrib.auth.models import User

    user = User.objects.create_user("u1", password=None)
    notify(title="站内", body="", user=user)
    assert deliver_pending()["sent"] == 0


@override_settings(
    GOVHALL_SMS_BACKEND=FAILING, GOVHALL_NOTIFY_MAX_ATTEMPTS=3, GOVHALL_NOTIFY_RETRY_SECONDS=60
)
def test_failing_backend_is_retried_with_back_off_then_given_up() -> None:
    FailingSmsBackend.calls = 0
    (row,) = notify(title="受理通知", body="", phone="13800138000", at=T0)
    with clock.frozen_at(T0):
        assert deliver_pending()["retry"] == 1
    row.refresh_from_db()
    assert (row.attempts, row.sent_at, row.failed_at) == (1, None, None)
    assert row.last_error == "SmsError: 网关不可用 503"
    assert row.next_attempt_at == T0 + dt.timedelta(seconds=60)
    # Not before its back-off has passed.
    with clock.frozen_at(T0 + dt.timedelta(seconds=59)):
        assert deliver_pending()["retry"] == 0
    with clock.frozen_at(T0 + dt.timedelta(seconds=60)):
        assert deliver_pending()["retry"] == 1
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == T0 + dt.timedelta(seconds=60 + 120)
    with clock.frozen_at(T0 + dt.timedelta(seconds=180)):
        assert deliver_pending() == {"sent": 0, "sms_sent": 0, "email_sent": 0, "retry": 0, "given_up": 1}
    row.refresh_from_db()
    assert row.attempts == 3 and row.failed_at == T0 + dt.timedelta(seconds=180) and row.sent_at is None
    # Given up: no further attempt, however late, and out of the outbox.
    with clock.frozen_at(T0 + dt.timedelta(days=30)):
        assert deliver_pending()["given_up"] == 0
        with transaction.atomic():
            assert not list(outbox(Channel.SMS))
    assert FailingSmsBackend.calls == 3


@override_settings(GOVHALL_SMS_BACKEND="tests.notifications.test_delivery.RecoveringSmsBackend")
def test_a_backend_that_recovers_delivers_on_a_retry() -> None:
    RecoveringSmsBackend.calls = 0
    (row,) = notify(title="受理通知", body="", phone="13800138000", at=T0)
    instant = T0
    for _ in range(3):
        with clock.frozen_at(instant):
            deliver_pending()
        row.refresh_from_db()
        instant = row.next_attempt_at or instant
    assert row.sent_at is not None and row.provider_id == "gw-3" and row.attempts == 3
    assert row.last_error == "ConnectionError: connection reset" and row.failed_at is None


def test_one_failing_row_does_not_stop_the_others(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.PickyEmailBackend"
    notify(title="一", body="", email="bad@example.cn", at=T0)
    notify(title="二", body="", email="good@example.cn", at=T0 + dt.timedelta(seconds=1))
    with clock.frozen_at(T0):
        result = deliver_pending()
    assert (result["email_sent"], result["retry"]) == (1, 1)
    assert [m.to for m in mail.outbox] == [["good@example.cn"]]
    bad = Notification.objects.get(email="bad@example.cn")
    assert bad.attempts == 1 and "550" in bad.last_error


def test_back_off_doubles_and_is_capped(settings: Any) -> None:
    settings.GOVHALL_NOTIFY_RETRY_SECONDS = 60
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(40) == dt.timedelta(hours=6)


def test_unknown_backend_path_is_a_configuration_error(settings: Any) -> None:
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.sms.NoSuchBackend"
    with pytest.raises(ImproperlyConfigured):
        get_sms_backend()


def test_command_runs_one_round_and_prints_json(tmp_path: Path, settings: Any) -> None:
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.sms.FileSmsBackend"
    settings.GOVHALL_SMS_FILE_PATH = str(tmp_path / "sms.log")
    notify(title="受理通知", body="", phone="13800138000", email="a@example.cn", at=T0)
    out = io.StringIO()
    call_command("deliver_notifications", stdout=out)
    assert json.loads(out.getvalue()) == {
        "sent": 2,
        "sms_sent": 1,
        "email_sent": 1,
        "retry": 0,
        "given_up": 0,
    }
    assert len(_file_lines(tmp_path / "sms.log")) == 1 and len(mail.outbox) == 1


class PickyEmailBackend:
    """An SMTP server that rejects one address (550) and accepts the rest into Django's test outbox."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        import smtplib

        for message in messages:
            if "bad@example.cn" in message.to:
                raise smtplib.SMTPRecipientsRefused({"bad@example.cn": (550, b"mailbox unavailable")})
            mail.outbox.append(message)
        return len(messages)
