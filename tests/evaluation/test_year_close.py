"""Closing the year 2026 on the hand-built hall (figures of test_yearly.YearlyTest.test_hand_computed_year): the
frozen rows, entries refused after closing, adjustments beside the frozen score; the goal and review forms and API."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from govhall.core.clock import frozen_at
from govhall.core.models import AuditEvent, AuditEventType
from govhall.evaluation import actions
from govhall.evaluation.models import Goal, GoalReview, YearResult
from govhall.evaluation.queries import year_results
from govhall.evaluation.yearly import evaluate_year
from govhall.org.actions import create_staff
from govhall.supervision.models import Alert, Card

from .base import HallCase, local
from .test_yearly import build_year_2026, survey_xlsx

CLOSED = {"year": ["2026年度考评已结账，不能再录入；如需更正请登记结果调整。"]}


@contextmanager
def january() -> Iterator[None]:
    """The year 2026 has ended: the 绩效办 closes it on 8 January 2027."""
    with frozen_at(local(2027, 1, 8)):
        yield


class YearCloseTest(HallCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_year_2026(cls)
        cls.head = create_staff(
            "head_gaj", "公安负责人", "H001", ("department_head",), [cls.depts["gaj"]]
        ).user
        cls.goal = Goal.objects.get(year=2026, title="税费申报便利化")

    def close(self) -> None:
        with january():
            actions.close_year(actor=self.officer, year=2026)

    def by_name(self, rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:  # type: ignore[override]
        return {str(r["name"]): r for r in rows}

    def test_not_before_the_year_ends(self) -> None:
        with frozen_at(local(2026, 12, 31, 23)), pytest.raises(ValidationError) as exc:
            actions.close_year(actor=self.officer, year=2026)
        assert exc.value.message_dict == {"year": ["2026年度尚未结束，不能结账。"]}
        assert not YearResult.objects.exists()

    def test_closed_year_unchanged_by_later_data(self) -> None:
        self.close()
        assert AuditEvent.objects.filter(event_type=AuditEventType.EVALUATION_YEAR_CLOSED).count() == 1
        # A red card for 税务局 dated in 2026 but recorded after closing: live it would cost 5 daily points
        # (99 → 94, total 84.96 − 0.75 = 84.21) and veto 税务局; the closed year does not move.
        alert = Alert.objects.create(level="red", kind="case", summary="超期", raised_at=local(2026, 11, 30))
        Card.objects.create(
            level="red",
            department=self.depts["swj"],
            reason="后补红牌",
            alert=alert,
            issued_at=local(2026, 12, 1),
        )
        live = {d.name: d for d in evaluate_year(2026)}
        assert float(live["测试税务局"].total) == 84.21 and live["测试税务局"].vetoes
        data = year_results(2026)
        assert data["closed"] is True
        rows = self.by_name(data["departments"])
        swj, scj = rows["测试税务局"], rows["测试市场监管局"]
        assert (swj["score"], swj["daily"], swj["rank"], swj["grade"], swj["best"]) == (
            84.96,
            99,
            2,
            "先进",
            True,
        )
        assert swj["vetoes"] == [] and swj["adjusted_score"] is None
        assert (scj["score"], scj["rank"], scj["grade"]) == (88.85, 1, "诫勉") and "红牌" in str(
            scj["vetoes"]
        )
        assert scj["detail"]["daily"]["red_cards"] == 1  # type: ignore[index]
        # Group of one, no data but the common goal (70): 15 + 38.5 + 0 = 53.5, 良好.
        assert (rows["测试公安局"]["score"], rows["测试公安局"]["grade"]) == (53.5, "良好")
        out = StringIO()
        call_command("evaluate_year", "2026", stdout=out)
        printed = json.loads(out.getvalue())
        assert (
            printed["closed"] is True and self.by_name(printed["departments"])["测试税务局"]["score"] == 84.96
        )
        with january(), pytest.raises(ValidationError) as exc:
            actions.close_year(actor=self.officer, year=2026)
        assert exc.value.message_dict == {"year": ["2026年度考评已结账。"]}

    def test_entries_refused_after_closing(self) -> None:
        self.close()
        d, o = self.depts, self.officer
        refused = [
            lambda: actions.review_goal(
                actor=o, goal=self.goal, department=d["swj"], kind="year_end", score=60
            ),
            lambda: actions.appraise(actor=self.leader2, year=2026, department=d["gaj"], grade="good"),
            lambda: actions.import_survey(
                actor=o,
                year=2026,
                filename="s.xlsx",
                content=survey_xlsx([("代表9", "", "测试公安局", "满意", "")]),
            ),
            lambda: actions.record_veto(actor=o, year=2026, department=d["gaj"], reason="事故"),
            lambda: actions.save_goal(
                actor=o, year=2026, title="新目标", category="common", weight=10, lead=None
            ),
        ]
        for call in refused:
            with pytest.raises(ValidationError) as exc:
                call()
            assert exc.value.message_dict == CLOSED
        assert GoalReview.objects.get(goal=self.goal, department=d["swj"], kind="year_end").score == 100
        # The next year stays open.
        actions.record_veto(actor=o, year=2027, department=d["gaj"], reason="事故")

    def test_adjustment_recorded_beside_the_frozen_result(self) -> None:
        self.close()
        result = YearResult.objects.get(department=self.depts["swj"])
        with pytest.raises(ValidationError) as exc:
            actions.adjust_year_result(actor=self.officer, result=result, delta=0, reason="x")
        assert exc.value.message_dict == {"delta": ["调整分值不能为0。"]}
        actions.adjust_year_result(
            actor=self.officer, result=result, delta="-1.5", reason="复核：漏计一次逾期督办"
        )
        swj = self.by_name(year_results(2026)["departments"])["测试税务局"]
        # 84.96 − 1.5 = 83.46 beside the frozen 84.96; rank, grade and 最佳 stay as published.
        assert (swj["score"], swj["adjusted_score"], swj["grade"], swj["best"]) == (
            84.96,
            83.46,
            "先进",
            True,
        )
        assert swj["adjustments"][0]["reason"] == "复核：漏计一次逾期督办"  # type: ignore[index]
        event = AuditEvent.objects.filter(event_type=AuditEventType.EVALUATION_ADJUSTED).latest("pk")
        assert event.after == {"delta": "-1.50", "reason": "复核：漏计一次逾期督办"}

    def test_api(self) -> None:
        url = "/api/v1/evaluation/years/2026/closing"
        assert self.client.post(url).status_code == 401
        self.client.force_login(self.clerks["w1"].user)
        assert self.client.post(url).status_code == 403
        self.client.force_login(self.officer)
        r = self.client.post("/api/v1/evaluation/years/20x6/closing")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "year"
        with january():
            r = self.client.post(url)
        assert r.status_code == 200 and r.json()["closed"] is True
        swj = self.by_name(r.json()["departments"])["测试税务局"]
        assert swj["score"] == 84.96 and swj["grade"] == "先进"
        adjust = f"/api/v1/evaluation/year-results/{swj['result_id']}/adjustments"
        r = self.client.post(adjust, {"delta": 2, "reason": ""}, content_type="application/json")
        assert r.status_code == 422
        assert (
            self.client.post(
                adjust, {"delta": 2, "reason": "补记"}, content_type="application/json"
            ).status_code
            == 201
        )
        r = self.client.get("/api/v1/evaluation/years/2026")
        assert self.by_name(r.json()["departments"])["测试税务局"]["adjusted_score"] == 86.96
        r = self.client.post(
            f"/api/v1/evaluation/goals/{self.goal.pk}/reviews",
            {"department_id": self.depts["swj"].pk, "kind": "year_end", "score": 50},
            content_type="application/json",
        )
        assert r.status_code == 422 and "已结账" in r.json()["detail"][0]["msg"]
        self.client.force_login(self.clerks["w1"].user)
        assert (
            self.client.post(
                adjust, {"delta": 2, "reason": "补记"}, content_type="application/json"
            ).status_code
            == 403
        )

    def test_goal_api(self) -> None:
        url = "/api/v1/evaluation/years/2027/goals"
        body = {"title": "一网通办", "category": "functional", "weight": 60, "key_work": True}
        self.client.force_login(self.clerks["w1"].user)
        assert self.client.post(url, body, content_type="application/json").status_code == 403
        self.client.force_login(self.officer)
        r = self.client.post(url, body, content_type="application/json")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lead"
        assert r.json()["detail"][0]["msg"].endswith("职能目标必须指定牵头部门。")
        r = self.client.post(url, body | {"weight": 0}, content_type="application/json")
        assert r.status_code == 422
        body |= {
            "lead_department_id": self.depts["gaj"].pk,
            "assisting_department_ids": [self.depts["swj"].pk],
        }
        r = self.client.post(url, body, content_type="application/json")
        assert r.status_code == 201 and r.json()["assisting_department_ids"] == [self.depts["swj"].pk]
        goal_id = r.json()["id"]
        r = self.client.put(
            f"/api/v1/evaluation/goals/{goal_id}", body | {"weight": 40}, content_type="application/json"
        )
        assert r.status_code == 200 and r.json()["weight"] == 40 and r.json()["year"] == 2027
        r = self.client.post(
            f"/api/v1/evaluation/goals/{goal_id}/reviews",
            {"department_id": self.depts["zfb"].pk, "kind": "year_end", "score": 80},
            content_type="application/json",
        )
        assert r.status_code == 422 and r.json()["detail"][0]["msg"].endswith(
            "该部门不是此目标的牵头或配合部门。"
        )
        r = self.client.post(
            f"/api/v1/evaluation/goals/{goal_id}/reviews",
            {"department_id": self.depts["swj"].pk, "kind": "spot_check", "period": 2, "score": 80},
            content_type="application/json",
        )
        assert r.status_code == 200
        # The head of 公安局 sees the goals 公安局 leads or assists and the common ones.
        self.client.force_login(self.head)
        titles = {g["title"] for g in self.client.get(url).json()}
        assert titles == {"一网通办"}
        titles = {g["title"] for g in self.client.get("/api/v1/evaluation/years/2026/goals").json()}
        assert titles == {"党风廉政建设"}

    def test_goal_form_creates_a_goal_through_the_action(self) -> None:
        self.client.force_login(self.officer)
        r = self.client.post(
            "/evaluation/year/goals/new/?year=2027",
            {"title": "", "category": "functional", "weight": "120", "lead": ""},
        )
        page = r.content.decode()
        assert r.status_code == 422 and "此项为必填项。" in page and "不能大于100。" in page
        r = self.client.post(
            "/evaluation/year/goals/new/?year=2027",
            {"title": "一网通办", "category": "functional", "weight": "60"},
        )
        assert r.status_code == 422 and "职能目标必须指定牵头部门。" in r.content.decode()
        r = self.client.post(
            "/evaluation/year/goals/new/?year=2027",
            {
                "title": "一网通办",
                "category": "functional",
                "weight": "60",
                "key_work": "on",
                "lead": self.depts["gaj"].pk,
                "assisting": [self.depts["swj"].pk, self.depts["gaj"].pk],
            },
        )
        goal = Goal.objects.get(year=2027)
        assert r.status_code == 302 and r["Location"] == f"/evaluation/year/goals/{goal.pk}/"
        assert (goal.key_work, goal.weight, goal.lead_id) == (True, 60, self.depts["gaj"].pk)
        assert list(goal.assisting.values_list("pk", flat=True)) == [self.depts["swj"].pk]  # lead dropped
        event = AuditEvent.objects.filter(event_type=AuditEventType.EVALUATION_GOAL_SAVED).latest("pk")
        assert event.after["title"] == "一网通办" and event.before is None
        review = {"form": "review", "department": self.depts["zfb"].pk, "kind": "year_end", "score": "88"}
        r = self.client.post(f"/evaluation/year/goals/{goal.pk}/", review)
        assert r.status_code == 422 and "该部门不是此目标的牵头或配合部门。" in r.content.decode()
        r = self.client.post(f"/evaluation/year/goals/{goal.pk}/", review | {"kind": "检查"})
        assert r.status_code == 422 and "请从列表中选择。" in r.content.decode()
        r = self.client.post(
            f"/evaluation/year/goals/{goal.pk}/", review | {"department": self.depts["swj"].pk}, follow=True
        )
        assert "已登记测试税务局的年终考评。" in r.content.decode()
        assert GoalReview.objects.get(goal=goal).score == 88
        # Editing: weight 60 → 40, the year stays.
        r = self.client.post(
            f"/evaluation/year/goals/{goal.pk}/",
            {
                "form": "goal",
                "title": "一网通办",
                "category": "functional",
                "weight": "40",
                "lead": self.depts["gaj"].pk,
            },
        )
        goal.refresh_from_db()
        assert r.status_code == 302 and goal.weight == 40 and goal.year == 2027 and not goal.key_work

    def test_year_page_close_button_and_excel(self) -> None:
        self.client.force_login(self.officer)
        page = self.client.get("/evaluation/year/?year=2026").content.decode()
        assert "2026年度考评结账" in page and "新建目标" in page
        with january():
            r = self.client.post("/evaluation/year/enter/", {"kind": "close", "year": "2026"}, follow=True)
        page = r.content.decode()
        assert "2026年度考评已结账，结果已冻结。" in page and "新建目标" not in page
        result = YearResult.objects.get(department=self.depts["swj"])
        r = self.client.post(
            "/evaluation/year/enter/",
            {"kind": "adjust", "year": "2026", "result": result.pk, "delta": "1", "reason": "补记"},
            follow=True,
        )
        assert "已登记对“测试税务局”的调整。" in r.content.decode()
        book = load_workbook(io.BytesIO(self.client.get("/evaluation/year.xlsx?year=2026").content))
        ws = book["部门"]
        assert ws["A1"].value == "政务服务中心2026年度部门绩效考评结果"
        rows = {ws.cell(row=i, column=3).value: i for i in range(3, ws.max_row + 1)}
        line = rows["测试税务局"]
        assert ws.cell(row=line, column=7).value == 84.96 and ws.cell(row=line, column=8).value == 85.96
        r = self.client.post(
            "/evaluation/year/enter/",
            {"kind": "veto", "year": "2026", "department": self.depts["gaj"].pk, "reason": "事故"},
            follow=True,
        )
        assert "2026年度考评已结账，不能再录入" in r.content.decode()

    def test_department_head_sees_own_goals(self) -> None:
        self.client.force_login(self.head)
        page = self.client.get("/evaluation/year/?year=2026").content.decode()
        assert "本部门的考评目标" in page and "党风廉政建设" in page and "税费申报便利化" not in page
        assert self.client.get(f"/evaluation/year/goals/{self.goal.pk}/").status_code == 403
        assert self.client.get("/evaluation/year/goals/new/").status_code == 403
