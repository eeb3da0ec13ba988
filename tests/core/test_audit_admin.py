import pytest
from django.contrib.auth.models import User

from govhall.core.audit import record_event
from govhall.core.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


def test_audit_log_is_listed_and_cannot_be_edited_or_deleted(client):
    admin = User.objects.create_superuser("auditor", password="x-very-secret-1")
    event = record_event(AuditEventType.CATALOG_IMPORTED, actor=admin, note="导入测试目录")
    client.force_login(admin)

    listing = client.get("/admin/core/auditevent/")
    assert listing.status_code == 200
    assert "导入测试目录" in listing.content.decode()

    detail = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert detail.status_code == 200  # viewable, every field read-only
    client.post(f"/admin/core/auditevent/{event.pk}/change/", {"note": "篡改"})
    client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.note == "导入测试目录"
    assert AuditEvent.objects.filter(pk=event.pk).exists()
