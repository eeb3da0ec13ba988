from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from govhall.cases import form_tokens
from govhall.complaints import actions
from govhall.complaints.models import Complaint

from .conftest import investigating, make_case, phone_complaint


def _same_page(body: str, number: str) -> str:
    """The page without its CSRF token and with the typed number blanked: what tells a wrong code from no complaint."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body).replace(number, "N")


def client_for(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_online_submission_requires_login_and_links_case(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        case = make_case(hall)
        r = client_for().get("/complaints/new/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
        c = client_for(hall["applicant"])
        assert c.get("/complaints/new/").status_code == 200
        wrong = "000000" if case.check_code != "000000" else "111111"
        r = c.post(
            "/complaints/new/",
            {
                "complainant_name": "张三",
                "content": "超期未办",
                "case_number": case.number,
                "check_code": wrong,
                "submission_token": form_tokens.new_token(),  # the opened form's one-time token
            },
        )
        assert r.status_code == 200 and "办件编号或查询码不正确" in r.content.decode()
        assert not Complaint.objects.exists()
        r = c.post(
            "/complaints/new/",
            {
                "complainant_name": "张三",
                "content": "超期未办",
                "case_number": case.number,
                "check_code": case.check_code,
                "submission_token": form_tokens.new_token(),
            },
        )
    complaint = Complaint.objects.get()
    body = r.content.decode()
    assert complaint.number in body and complaint.check_code in body
    assert (
        complaint.case == case
        and complaint.complainant == hall["applicant"]
        and complaint.channel == "online"
    )


def test_bad_input_gives_chinese_errors_not_500(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        r = client_for(hall["applicant"]).post(
            "/complaints/new/", {"content": "", "phone": "abc", "submission_token": form_tokens.new_token()}
        )
        assert r.status_code == 200
        body = r.content.decode()
        assert "这个字段是必填项" in body
        r = client_for(hall["clerk"]).post(
            "/complaints/register/",
            {"channel": "phone", "complainant_name": "李四", "content": "推诿", "phone": "x1"},
        )
        assert r.status_code == 200 and "联系电话格式不正确" in r.content.decode()
        r = client_for(hall["clerk"]).post("/complaints/register/", {"channel": "online", "content": "推诿"})
        assert r.status_code == 200 and "channel" in r.content.decode()
        assert not Complaint.objects.exists()
        c = phone_complaint(hall)
        sup = client_for(hall["supervisor"])
        r = sup.post(
            f"/complaints/{c.number}/",
            {"op": "conclude", "finding": "partly", "responsibility": "none", "conclusion": "x"},
        )
        assert r.status_code == 400 and "投诉尚未交办" in r.content.decode()
        r = sup.post(f"/complaints/{c.number}/", {"op": "assign", "to": "999999"})
        assert r.status_code == 400
        assert sup.post(f"/complaints/{c.number}/", {"op": "nonsense"}).status_code == 400
        assert sup.get("/complaints/TS000/").status_code == 404


def test_register_by_staff_roles_only(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        for name in ("approver", "head", "applicant", "leader"):
            assert client_for(hall[name]).get("/complaints/register/").status_code == 403
        assert client_for().get("/complaints/register/").status_code == 403
        r = client_for(hall["clerk"]).post(
            "/complaints/register/",
            {
                "channel": "hall",
                "complainant_name": "李四",
                "phone": "13900139000",
                "content": "等候时间过长",
            },
        )
        assert r.status_code == 200
        assert client_for(hall["supervisor"]).get("/complaints/register/").status_code == 200
    c = Complaint.objects.get()
    assert c.channel == "hall" and c.received_by == hall["clerk"]


def test_list_and_detail_supervisors_only(hall: Any, at: Any) -> None:
    with at(2026, 9, 28, 15):
        c = phone_complaint(hall, subject="态度生硬")
        for name in ("clerk", "approver", "head", "applicant", "leader"):
            assert client_for(hall[name]).get("/complaints/").status_code == 403
            assert client_for(hall[name]).get(f"/complaints/{c.number}/").status_code == 403
            assert (
                client_for(hall[name]).post(f"/complaints/{c.number}/", {"op": "assign"}).status_code == 403
            )
        r = client_for(hall["supervisor"]).get("/complaints/")
        body = r.content.decode()
        assert r.status_code == 200 and c.number in body
        assert "138****8000" in body and "13800138000" not in body
        assert "light-green" in body and "剩余 10 个工作日" in body
    with at(2026, 10, 19, 9):
        body = client_for(hall["supervisor"]).get("/complaints/?status=received").content.decode()
        assert c.number in body and "light-red" in body and "已超期 1 个工作日" in body
        body = client_for(hall["supervisor"]).get("/complaints/?status=concluded").content.decode()
        assert c.number not in body
        body = client_for(hall["supervisor"]).get("/complaints/?status=bogus").content.decode()
        assert c.number in body  # invalid filter is ignored, not a 500


def test_detail_forms_drive_the_workflow(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = phone_complaint(hall)
        sup = client_for(hall["supervisor"])
        url = f"/complaints/{c.number}/"
        assert sup.get(url).status_code == 200
        assert sup.post(url, {"op": "assign", "to": hall["supervisor2"].pk}).status_code == 302
        # Only the handler may investigate: the other supervisor gets 403.
        assert sup.post(url, {"op": "investigate", "notes": "查看"}).status_code == 403
        sup2 = client_for(hall["supervisor2"])
        assert sup2.post(url, {"op": "investigate", "notes": "调取录像"}).status_code == 302
        r = sup2.post(
            url,
            {"op": "conclude", "finding": "substantiated", "responsibility": "warning", "conclusion": "提醒"},
        )
        assert r.status_code == 302
        body = sup2.get(url).content.decode()
    c.refresh_from_db()
    assert c.status == "concluded" and c.responsibility == "warning"
    assert "已办结" in body and "conclude-form" not in body


def test_progress_page_right_and_wrong_code(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = investigating(hall)
        anon = client_for()
        r = anon.post("/complaints/progress/", {"number": c.number, "check_code": c.check_code})
        body = r.content.decode()
        assert r.status_code == 200 and "调查中" in body and "2026-03-17" in body
        assert "complaint-conclusion" not in body
        wrong = "000000" if c.check_code != "000000" else "111111"
        r_wrong = anon.post(
            "/complaints/progress/", {"number": c.number, "check_code": wrong}
        ).content.decode()
        r_unknown = anon.post(
            "/complaints/progress/", {"number": "TS209901010001", "check_code": wrong}
        ).content.decode()
        assert "未找到该投诉" in r_wrong and "未找到该投诉" in r_unknown and "调查中" not in r_wrong
        assert _same_page(r_wrong, c.number) == _same_page(r_unknown, "TS209901010001")
        r = anon.post("/complaints/progress/", {"number": c.number, "check_code": "12"})
        assert r.status_code == 200 and "查询码为 6 位数字" in r.content.decode()
        actions.conclude(
            c, by=hall["supervisor"], finding="partly", responsibility="warning", conclusion="已约谈当事人"
        )
        body = anon.post(
            "/complaints/progress/", {"number": c.number, "check_code": c.check_code}
        ).content.decode()
    assert "已办结" in body and "部分属实" in body and "已约谈当事人" in body
    assert "13800138000" not in body and "张三" not in body


def test_admin_is_read_only_and_masks_phone(hall: Any, at: Any) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="x-very-long-pw-1")
    with at(2026, 3, 3, 10):
        c = phone_complaint(hall)
        client = client_for(admin)
        body = client.get("/admin/complaints/complaint/").content.decode()
        assert c.number in body and "138****8000" in body and "13800138000" not in body
        assert client.get("/admin/complaints/complaint/add/").status_code == 403


def _token_of(page: str) -> str:
    match = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert match is not None, "the complaint form carries no one-time token"
    return match.group(1)


def test_two_posts_of_one_complaint_form_file_one_complaint(hall: Any, at: Any) -> None:
    with at(2026, 3, 3, 10):
        c = client_for(hall["applicant"])
        token = _token_of(c.get("/complaints/new/").content.decode())
        form = {"complainant_name": "张三", "content": "超期未办", "submission_token": token}
        first = c.post("/complaints/new/", form)
        second = c.post("/complaints/new/", form)
    complaint = Complaint.objects.get()
    assert first.status_code == second.status_code == 200
    assert complaint.number in first.content.decode() and complaint.number in second.content.decode()
    assert "已提交过" in second.content.decode()
    # Another account's form with the same token is its own complaint.
    other = client_for(hall["clerk"])
    with at(2026, 3, 3, 10, 5):
        other.post("/complaints/new/", form)
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize("token", [None, "short"])
def test_a_complaint_form_without_a_token_files_nothing(hall: Any, at: Any, token: str | None) -> None:
    form: dict[str, Any] = {"complainant_name": "张三", "content": "超期未办"}
    if token is not None:
        form["submission_token"] = token
    with at(2026, 3, 3, 10):
        response = client_for(hall["applicant"]).post("/complaints/new/", form)
    page = response.content.decode()
    assert response.status_code == 200 and "表单已过期，请重新提交" in page
    assert _token_of(page) != token and "超期未办" in page  # the typed text is kept, with a fresh token
    assert not Complaint.objects.exists()


def test_a_concurrent_second_post_loses_on_the_key(hall: Any, at: Any, monkeypatch: Any) -> None:
    with at(2026, 3, 3, 10):
        c = client_for(hall["applicant"])
        form = {
            "complainant_name": "张三",
            "content": "超期未办",
            "submission_token": form_tokens.new_token(),
        }
        c.post("/complaints/new/", form)
        first = Complaint.objects.get()
        # The second request looked before the first committed: it files too, and loses on the unique key.
        monkeypatch.setattr(actions, "earlier_complaint", _only_after_conflict(actions.earlier_complaint))
        second = c.post("/complaints/new/", form)
    assert second.status_code == 200 and first.number in second.content.decode()
    assert Complaint.objects.count() == 1


def _only_after_conflict(real: Any) -> Any:
    calls = {"n": 0}

    def earlier(by: Any, key: Any) -> Any:
        calls["n"] += 1
        # The view's look and receive_complaint_once's own look both miss; the look after the conflict finds it.
        return None if calls["n"] <= 2 else real(by, key)

    return earlier
