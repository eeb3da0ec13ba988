from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client

from govhall.core import clock
from govhall.notifications.actions import (
    inbox_for,
    mark_all_read,
    mark_read,
    mark_sent,
    notify,
    outbox,
    unread_for,
)
from govhall.notifications.choices import Channel
from govhall.notifications.models import Notification
from govhall.org.models import StaffProfile

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)


@pytest.fixture
def clerk(db: Any) -> User:
    user = User.objects.create_user("clerk1", password=None)
    StaffProfile.objects.create(user=user, name="张三", employee_no="E0001")
    return user


@pytest.fixture
def other(db: Any) -> User:
    return User.objects.create_user("other", password=None)


def test_staff_user_gets_one_unread_in_app_message(clerk: User) -> None:
    with clock.frozen_at(T0):
        rows = notify(
            user=clerk,
            title="新办件待受理",
            body="RX1 已提交",
            kind="case_submitted",
            case_number="RX1",
            link="/workbench/cases/RX1/",
        )
    assert len(rows) == 1
    row = Notification.objects.get()
    assert (row.channel, row.user, row.name, row.created_at) == (Channel.IN_APP, clerk, "张三", T0)
    assert (row.kind, row.case_number, row.link, row.read_at) == (
        "case_submitted",
        "RX1",
        "/workbench/cases/RX1/",
        None,
    )
    assert list(unread_for(clerk)) == [row]


def test_applicant_without_account_gets_an_unsent_sms(db: Any) -> None:
    rows = notify(
        title="受理通知", body="您的申请已受理", phone="+86 138-0013-8000", name="王五", case_number="RX1"
    )
    assert [(r.channel, r.user_id, r.phone, r.sent_at) for r in rows] == [
        (Channel.SMS, None, "13800138000", None)
    ]
    assert str(rows[0]) == "短信 → 王五（138****8000）：受理通知"


def test_every_given_address_gets_its_channel(clerk: User) -> None:
    rows = notify(
        title="办结通知", body="已办结", user=clerk, phone="13800138000", email="zs@example.cn", at=T0
    )
    assert sorted(r.channel for r in rows) == sorted([Channel.IN_APP, Channel.SMS, Channel.EMAIL])
    assert Notification.objects.filter(created_at=T0).count() == 3
    # Only the in-app row belongs in the inbox; the others wait for delivery.
    assert inbox_for(clerk).count() == 1
    assert set(Notification.objects.filter(sent_at__isnull=True).values_list("channel", flat=True)) == {
        Channel.SMS,
        Channel.EMAIL,
    }


def test_nobody_reachable_writes_nothing(db: Any) -> None:
    assert notify(title="受理通知", body="", name="无联系方式的申请人") == []
    assert notify(title="受理通知", body="", user=AnonymousUser()) == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"title": "  ", "phone": "13800138000"}, "title"),
        ({"title": "x", "phone": "0775-5321234"}, "phone"),  # a landline cannot receive SMS
        ({"title": "x", "phone": "1380013800"}, "phone"),
        ({"title": "x", "email": "not-an-address"}, "email"),
        ({"title": "x", "phone": "13800138000", "link": "https://evil.example/"}, "link"),
        ({"title": "x", "phone": "13800138000", "link": "//evil.example/"}, "link"),
        ({"title": "长" * 201, "phone": "13800138000"}, "title"),
    ],
)
def test_bad_input_is_a_chinese_field_error(db: Any, kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        notify(body="", **kwargs)
    assert field in info.value.message_dict
    assert not Notification.objects.exists()


def test_notification_rolls_back_with_the_action(clerk: User) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(user=clerk, title="受理通知", body="")
        raise RuntimeError("the action failed")
    assert not Notification.objects.exists()


def test_owner_marks_read_once(clerk: User) -> None:
    (row,) = notify(user=clerk, title="补正通知", body="")
    with clock.frozen_at(T0):
        mark_read(row, clerk)
    with clock.frozen_at(T0 + dt.timedelta(hours=1)):
        mark_read(row, clerk)  # reading again keeps the first reading time
    row.refresh_from_db()
    assert row.read_at == T0
    assert not unread_for(clerk).exists()


def test_only_the_owner_may_mark_read(clerk: User, other: User) -> None:
    (row,) = notify(user=clerk, title="补正通知", body="")
    for intruder in (other, AnonymousUser(), None):
        with pytest.raises(PermissionDenied):
            mark_read(row, intruder)
    row.refresh_from_db()
    assert row.read_at is None


def test_sms_rows_cannot_be_marked_read(clerk: User) -> None:
    sms = next(
        r for r in notify(user=clerk, phone="13800138000", title="t", body="") if r.channel == Channel.SMS
    )
    with pytest.raises(ValidationError):
        mark_read(sms, clerk)


def test_unread_for_is_per_user_newest_first(clerk: User, other: User) -> None:
    first = notify(user=clerk, title="一", body="", at=T0)[0]
    second = notify(user=clerk, title="二", body="", at=T0 + dt.timedelta(minutes=5))[0]
    notify(user=other, title="别人的", body="", at=T0)
    read = notify(user=clerk, title="已读", body="", at=T0)[0]
    mark_read(read, clerk)
    assert list(unread_for(clerk)) == [second, first]
    assert mark_all_read(clerk) == 2
    assert not unread_for(clerk).exists()
    assert unread_for(other).count() == 1


def test_outbox_gives_unsent_rows_oldest_first_until_sent(db: Any) -> None:
    late = notify(title="二", body="", phone="13800138001", at=T0 + dt.timedelta(minutes=1))[0]
    early = notify(title="一", body="", phone="13800138000", at=T0)[0]
    notify(title="邮件", body="", email="a@example.cn", at=T0)
    with transaction.atomic():
        assert list(outbox(Channel.SMS)) == [early, late]
        mark_sent(early, at=T0 + dt.timedelta(minutes=2))
    with transaction.atomic():
        assert list(outbox(Channel.SMS)) == [late]
        assert [n.email for n in outbox(Channel.EMAIL)] == ["a@example.cn"]
    with pytest.raises(ValueError):
        outbox(Channel.IN_APP)


def test_admin_list_is_read_only_and_masks_phone_numbers(client: Client, clerk: User) -> None:
    admin = User.objects.create_superuser("boss", password="x-very-secret-1")
    row = notify(title="受理通知", body="已受理", phone="13800138000", name="王五")[0]
    client.force_login(admin)
    listing = client.get("/admin/notifications/notification/")
    page = listing.content.decode()
    assert listing.status_code == 200
    assert "138****8000" in page and "13800138000" not in page
    detail = client.get(f"/admin/notifications/notification/{row.pk}/change/").content.decode()
    assert "138****8000" in detail and "13800138000" not in detail
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    client.post(f"/admin/notifications/notification/{row.pk}/delete/", {"post": "yes"})
    assert Notification.objects.filter(pk=row.pk).exists()
