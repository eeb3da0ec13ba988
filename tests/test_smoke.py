import pytest
from django.conf import settings
from django.db import connection


def test_calendar_settings_are_chinese_and_utc_backed():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.django_db
def test_admin_login_page_served_in_chinese(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "政务服务中心管理后台" in response.content.decode()


@pytest.mark.django_db
def test_database_is_the_configured_vendor():
    import os

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
