"""Admin screens: the year list, the paste/upload confirmation screen and day edits through the actions."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govhall.calendars import engine
from govhall.calendars.models import CalendarDay, CalendarYear
from govhall.core.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db

TEXT = "通知,国务院办公厅关于2027年部分节假日安排的通知\n2027-01-01,元旦\n2027-02-05,2027-02-12,春节\n2027-02-14,调休上班,春节\n"
CONFIRM_URL = "admin:calendars_calendaryear_confirm"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("cal-admin", password="x"))
    return client


def test_year_changelist_shows_counts(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:calendars_calendaryear_changelist"))
    assert response.status_code == 200
    rows = {cy.year: cy for cy in response.context["cl"].result_list}
    assert (rows[2024].n_holidays, rows[2024].n_makeups) == (28, 8)
    assert reverse(CONFIRM_URL) in response.content.decode()


def test_day_changelist_filters_by_year(admin_client: Client) -> None:
    response = admin_client.get(
        reverse("admin:calendars_calendarday_changelist"), {"year": "2026", "kind": "makeup"}
    )
    assert response.status_code == 200
    dates = [d.date for d in response.context["cl"].result_list]
    assert date(2026, 2, 14) in dates and all(d.year == 2026 for d in dates)


def test_confirm_screen_preview_then_confirm(admin_client: Client) -> None:
    url = reverse(CONFIRM_URL)
    assert admin_client.get(url).status_code == 200
    preview = admin_client.post(url, {"text": TEXT, "preview": "1"})
    assert preview.status_code == 200
    assert preview.context["preview"].year == 2027
    assert "确认并生效" in preview.content.decode()
    assert not CalendarYear.objects.filter(pk=2027).exists()

    done = admin_client.post(url, {"text": TEXT, "confirm": "1"})
    assert done.status_code == 302
    assert CalendarYear.objects.get(pk=2027).confirmed
    assert engine.add_working_days(date(2027, 2, 4), 1).value == date(2027, 2, 14)
    event = AuditEvent.objects.get(event_type=AuditEventType.CALENDAR_YEAR_CONFIRMED)
    assert event.actor is not None and event.actor.username == "cal-admin"


def test_confirm_screen_upload_with_errors_writes_nothing(admin_client: Client) -> None:
    upload = SimpleUploadedFile("2027.txt", (TEXT + "2027-03-10,调休上班\n").encode("gb18030"))
    response = admin_client.post(reverse(CONFIRM_URL), {"upload": upload, "confirm": "1"})
    assert response.status_code == 200
    assert any("第5行" in e and "周三" in e for e in response.context["errors"])
    assert not CalendarYear.objects.filter(pk=2027).exists()


def test_confirm_screen_requires_permission(client: Client) -> None:
    client.force_login(User.objects.create_user("clerk", password="x", is_staff=True))
    assert client.get(reverse(CONFIRM_URL)).status_code == 403


def test_day_admin_add_goes_through_actions(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:calendars_calendarday_add"),
        {"date": "2026-03-03", "kind": "holiday", "name": "临时放假"},
    )
    assert response.status_code == 302
    assert engine.is_working_day(date(2026, 3, 3)).value is False
    assert AuditEvent.objects.filter(event_type=AuditEventType.CALENDAR_DAY_CHANGED).count() == 1


def test_day_admin_rejects_unconfirmed_year_and_weekday_makeup(admin_client: Client) -> None:
    url = reverse("admin:calendars_calendarday_add")
    response = admin_client.post(url, {"date": "2027-03-03", "kind": "holiday", "name": "临时放假"})
    assert response.status_code == 200 and "尚未确认" in response.content.decode()
    response = admin_client.post(url, {"date": "2026-03-03", "kind": "makeup", "name": ""})
    assert response.status_code == 200 and "应为周六或周日" in response.content.decode()
    assert not CalendarDay.objects.filter(date__in=[date(2027, 3, 3), date(2026, 3, 3)]).exists()


def test_day_admin_delete_goes_through_actions(admin_client: Client) -> None:
    row = CalendarDay.objects.get(date=date(2026, 2, 14))
    response = admin_client.post(
        reverse("admin:calendars_calendarday_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert engine.is_working_day(date(2026, 2, 14)).value is False
    assert AuditEvent.objects.filter(event_type=AuditEventType.CALENDAR_DAY_CHANGED).count() == 1
