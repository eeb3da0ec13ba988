"""The live supervision screen and the department view: figures against a hand-built hall, access, query count."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.cases import actions
from govhall.cases.models import Case
from govhall.org.actions import create_staff
from govhall.stats.refresh import refresh_facts
from govhall.supervision.screens import overdue_text

from .conftest import CANCEL, PERSON, accepted, open_task, uploads_for

BENEFIT = "失业保险金申领"  # 人社局, 5 working days


def build(hall: Any, at: Any) -> dict[str, Case]:
    """Cases in known states on the week of Monday 2 March 2026 (no holiday); the screen is read on Friday 6 March
    at 10:00. 注销登记 promises 3 working days (yellow on the last), its review step 2."""
    cases: dict[str, Case] = {}
    with at(2026, 3, 2, 10):
        cases["mon"] = accepted(hall)  # case due Fri 00:00 -> red; review due Thu 00:00 -> red
        cases["done"] = accepted(hall)
    with at(2026, 3, 3, 10):
        cases["tue"] = accepted(
            hall
        )  # case due Sat 00:00, yellow from Fri 00:00; review due Fri 00:00 -> red
    with at(2026, 3, 6, 9):
        cases["fri"] = accepted(hall)  # green
    with at(2026, 3, 6, 9, 30):
        cases["rsj"] = accepted(hall, BENEFIT)  # green, another department
        item = hall.item(CANCEL)
        cases["submitted"] = actions.submit_application(
            item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
        )  # received today, not yet accepted: no promised clock
    with at(2026, 3, 6, 9, 45):
        review = open_task(cases["done"])
        actions.claim_task(review, by=hall["approver"])
        actions.act_on_task(review, by=hall["approver"], action="approve", opinion="同意")
        actions.act_on_task(open_task(cases["done"]), by=hall["head"], action="approve", opinion="准予注销")
    cases["done"].refresh_from_db()
    assert cases["done"].status == "concluded"
    return cases


def data(client: Any, at: Any, user: Any, url: str = "/screen/data.json") -> dict[str, Any]:
    client.force_login(user)
    with at(2026, 3, 6, 10):
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_screen_figures_match_the_hand_built_hall(hall, at, client):
    cases = build(hall, at)
    # The trend's past days come from the statistics' daily facts, today's from the live cases.
    before = data(client, at, hall["supervisor"])["trend"]
    assert sum(before["accepted"]) == 2 and before["accepted"][-1] == 2
    with at(2026, 3, 6, 9, 59):
        refresh_facts()
    d = data(client, at, hall["supervisor"])
    assert d["at"] == "2026-03-06 10:00:00" and d["refresh_seconds"] == 15
    assert d["lights"]["total"] == {"green": 2, "yellow": 1, "red": 1}
    # Open steps: the Monday and Tuesday reviews are red, Friday's and 人社's first steps green.
    assert d["steps"]["total"] == {"green": 2, "yellow": 0, "red": 2}
    assert [(r["department"], r["red"], r["yellow"], r["green"]) for r in d["lights"]["departments"]] == [
        ("县市场监督管理局", 1, 1, 1),
        ("县人力资源和社会保障局", 0, 0, 1),
    ]
    scjg, rsj = d["lights"]["departments"]
    assert (scjg["red"], scjg["yellow"], scjg["green"]) == (1, 1, 1)
    assert (rsj["red"], rsj["yellow"], rsj["green"]) == (0, 0, 1)
    assert scjg["department_id"] == cases["mon"].department_id
    assert rsj["department_id"] == cases["rsj"].department_id
    assert d["today"] == {"day": "2026-03-06", "received": 3, "concluded": 1}
    # Red now: the Monday case (due Fri 00:00), the Tuesday review step (due Fri 00:00), the Monday review step
    # (due Thu 00:00) — most recently overdue first; the concluded case's stopped clocks are not listed.
    overdue = [(o["number"], o["kind"], o["due_at"], o["overdue"]) for o in d["overdue"]]
    assert overdue == [
        (cases["tue"].number, "step", "2026-03-06 00:00", "10小时"),
        (cases["mon"].number, "case", "2026-03-06 00:00", "10小时"),
        (cases["mon"].number, "step", "2026-03-05 00:00", "1天10小时"),
    ]
    first = d["overdue"][0]
    assert first["item"] == CANCEL and first["step"] and first["department"] == scjg["department"]
    assert first["overdue_seconds"] == 10 * 3600
    trend = d["trend"]
    assert len(trend["days"]) == 30 and trend["days"][0] == "2026-02-05" and trend["days"][-1] == "2026-03-06"
    accepted_by_day = {day: n for day, n in zip(trend["days"], trend["accepted"], strict=True) if n}
    concluded_by_day = {day: n for day, n in zip(trend["days"], trend["concluded"], strict=True) if n}
    assert accepted_by_day == {"2026-03-02": 2, "2026-03-03": 1, "2026-03-06": 2}
    assert concluded_by_day == {"2026-03-06": 1}
    assert "tasks" not in d


def test_lights_change_at_the_exact_instants(hall, at, client):
    with at(2026, 3, 2, 10):
        case = accepted(hall)
    client.force_login(hall["supervisor"])
    # Yellow from Thursday 00:00 (the last working day), red from Friday 00:00.
    for when, expected in [
        ((2026, 3, 4, 23, 59, 59), {"green": 1, "yellow": 0, "red": 0}),
        ((2026, 3, 5, 0, 0), {"green": 0, "yellow": 1, "red": 0}),
        ((2026, 3, 5, 23, 59, 59), {"green": 0, "yellow": 1, "red": 0}),
        ((2026, 3, 6, 0, 0), {"green": 0, "yellow": 0, "red": 1}),
    ]:
        with at(*when):
            d = client.get("/screen/data.json").json()
        assert d["lights"]["total"] == expected, when
    # A case paused under a special procedure keeps the light it had when it stopped.
    with at(2026, 3, 2, 10):
        benefit = accepted(hall, "最低生活保障对象认定")
    with at(2026, 3, 3, 10):
        actions.start_special_procedure(
            benefit, by=hall["mz_approver"], kind="publicity", reason="公示", expected_days=5
        )
    with at(2026, 6, 1, 10):  # long after its original deadline
        d = client.get("/screen/data.json").json()
    by_dept = {r["department_id"]: r for r in d["lights"]["departments"]}
    assert (by_dept[benefit.department_id]["green"], by_dept[benefit.department_id]["red"]) == (1, 0)
    assert by_dept[case.department_id]["red"] == 1
    assert case.number in [o["number"] for o in d["overdue"]]
    assert benefit.number not in [o["number"] for o in d["overdue"]]


def test_department_view(hall, at, client):
    cases = build(hall, at)
    with at(2026, 3, 6, 9, 59):
        refresh_facts()
    scjg = cases["mon"].department_id
    d = data(client, at, hall["head"], f"/screen/department/{scjg}/data.json")
    assert d["department"]["id"] == scjg
    assert d["lights"]["total"] == {"green": 1, "yellow": 1, "red": 1}
    assert len(d["lights"]["departments"]) == 1
    assert d["today"] == {"day": "2026-03-06", "received": 2, "concluded": 1}
    assert len(d["overdue"]) == 3
    review_name = open_task(cases["fri"]).step_name
    # Open review steps: Monday's and Tuesday's are red, Friday's green.
    assert d["tasks"]["steps"] == [{"step": review_name, "green": 1, "yellow": 0, "red": 2}]
    assert d["tasks"]["total"] == d["steps"]["total"] == {"green": 1, "yellow": 0, "red": 2}
    rsj = data(client, at, hall["supervisor"], f"/screen/department/{cases['rsj'].department_id}/data.json")
    assert rsj["lights"]["total"] == {"green": 1, "yellow": 0, "red": 0}
    assert rsj["overdue"] == [] and rsj["today"]["received"] == 1 and rsj["today"]["concluded"] == 0
    assert sum(rsj["trend"]["accepted"]) == 1 and sum(rsj["trend"]["concluded"]) == 0
    scjg_trend = d["trend"]
    # Mon 2, Tue 1, Fri 1 (the 人社 case is not in this department).
    assert [n for n in scjg_trend["accepted"] if n] == [2, 1, 1]
    assert scjg_trend["concluded"][-1] == 1
    page = client.get(f"/screen/department/{scjg}/")
    assert page.status_code == 200
    assert f"/screen/department/{scjg}/data.json" in page.content.decode()


def test_pages_load_echarts_locally(hall, client):
    assert finders.find("vendor/echarts/echarts.min.js")
    assert finders.find("supervision/screen.js") and finders.find("supervision/screen.css")
    client.force_login(hall["leader"])
    html = client.get("/screen/").content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert 'data-url="/screen/data.json"' in html and 'data-refresh="15"' in html
    assert "http://" not in html and "https://" not in html  # no CDN: the hall's intranet has no internet


def test_access(hall, client):
    scjg = hall["head"].staff.departments.get().pk
    admin = create_staff("centeradmin", "管理员", "T950", ("center_admin",), []).user
    urls = ["/screen/", "/screen/data.json"]
    dept_urls = [f"/screen/department/{scjg}/", f"/screen/department/{scjg}/data.json"]
    for url in urls + dept_urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    expectations = {
        "supervisor": (200, 200),
        "leader": (200, 200),
        "head": (403, 200),  # head of 市场监管: their own department only
        "zj_head": (403, 403),
        "clerk": (403, 403),
        "approver": (403, 403),
        "applicant": (403, 403),
    }
    for name, (screen_status, dept_status) in expectations.items():
        client.force_login(hall[name])
        for url in urls:
            assert client.get(url).status_code == screen_status, (name, url)
        for url in dept_urls:
            assert client.get(url).status_code == dept_status, (name, url)
    client.force_login(admin)
    assert client.get("/screen/").status_code == 200
    assert client.get("/screen/data.json").status_code == 200
    assert client.get(dept_urls[1]).status_code == 403
    client.force_login(hall["supervisor"])
    assert client.get("/screen/department/999999/data.json").status_code == 404


def test_query_count_does_not_grow_with_open_cases(hall, at, client):
    client.force_login(hall["supervisor"])

    def count(url: str) -> int:
        with at(2026, 3, 6, 10):
            client.get(url)  # warm caches (calendar snapshot, session)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    with at(2026, 3, 2, 10):
        first = accepted(hall)
    dept = f"/screen/department/{first.department_id}/data.json"
    few, few_dept = count("/screen/data.json"), count(dept)
    for day in (2, 3, 4):
        with at(2026, 3, day, 11):
            for _ in range(3):
                accepted(hall)
            accepted(hall, BENEFIT)
    assert Case.objects.count() == 13
    assert count("/screen/data.json") == few
    assert count(dept) == few_dept
    # Session, user, roles, then six figures queries (case lights, step lights, today, overdue, two trend series).
    assert few <= 10


def test_overdue_text():
    assert overdue_text(0) == "1分钟"
    assert overdue_text(59) == "1分钟"
    assert overdue_text(61) == "1分钟"
    assert overdue_text(3600) == "1小时"
    assert overdue_text(3 * 3600 + 120) == "3小时2分钟"
    assert overdue_text(86400) == "1天"
    assert overdue_text(86400 * 2 + 3600 * 5 + 60) == "2天5小时"
