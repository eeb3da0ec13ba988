"""The demo applicant account (govhall/demo/people.py): an ordinary login in the applicant role."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client, override_settings

from govhall.core.identifiers import validate_resident_id
from govhall.demo.people import DEMO_APPLICANT_ID, DEMO_PASSWORD, ensure_demo_applicant, staff_plans
from govhall.org.access import has_role
from govhall.org.choices import Role
from tests.cases.conftest import Hall


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_demo_applicant_logs_in_and_is_listed(hall: Hall) -> None:
    hall["applicant"].delete()  # the test hall's own "applicant"
    assert all(p.username != "applicant" for p in staff_plans())  # not a staff member
    user, created = ensure_demo_applicant()
    assert created
    assert ensure_demo_applicant() == (user, False)
    assert has_role(user, Role.APPLICANT)
    assert not hasattr(user, "staff")
    assert validate_resident_id(DEMO_APPLICANT_ID) == DEMO_APPLICANT_ID

    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "applicant", "password": DEMO_PASSWORD, "next": "/my/cases/"}
    )
    assert response.status_code == 302 and response["Location"] == "/my/cases/"
    assert client.get("/my/cases/").status_code == 200

    out = StringIO()
    call_command("demo_accounts", stdout=out)
    line = next(row for row in out.getvalue().splitlines() if row.startswith("applicant"))
    assert "张三" in line and "申请人" in line and "可登录" in line
