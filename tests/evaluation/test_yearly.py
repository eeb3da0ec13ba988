"""The yearly department evaluation of 2026 on the hand-built hall, every figure computed by hand."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from openpyxl import Workbook

from govhall.evaluation import actions
from govhall.evaluation.models import GoalReport, SurveyResponse
from govhall.evaluation.yearly import evaluate_year
from govhall.supervision.models import Alert, Card

from .base import HallCase, local


def survey_xlsx(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["评议代表", "代表类别", "部门", "评价", "意见建议"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_year_2026(cls: type[HallCase]) -> None:
    """The year 2026 on the hand-built hall (figures in YearlyTest.test_hand_computed_year); shared with the
    year-closing tests."""
    d, o = cls.depts, cls.officer
    g1 = actions.save_goal(
        actor=o,
        year=2026,
        title="企业开办一日办结",
        category="functional",
        weight=60,
        lead=d["scj"],
        assisting=[d["swj"]],
        key_work=True,
    )
    g2 = actions.save_goal(
        actor=o, year=2026, title="税费申报便利化", category="functional", weight=40, lead=d["swj"]
    )
    g3 = actions.save_goal(actor=o, year=2026, title="党风廉政建设", category="common", weight=30, lead=None)
    for goal, dept, score in (
        (g1, "scj", 90),
        (g3, "scj", 80),
        (g1, "swj", 80),
        (g2, "swj", 100),
        (g3, "swj", 90),
        (g3, "gaj", 70),
    ):
        actions.review_goal(actor=o, goal=goal, department=d[dept], kind="year_end", score=score)
    actions.review_goal(
        actor=o, goal=g1, department=d["scj"], kind="spot_check", period=3, score=85, note="抽查"
    )
    actions.appraise(actor=cls.leader, year=2026, department=d["scj"], grade="good")
    actions.appraise(actor=cls.leader, year=2026, department=d["swj"], grade="excellent")
    actions.appraise(actor=cls.leader2, year=2026, department=d["scj"], grade="good")
    actions.appraise(actor=cls.leader2, year=2026, department=d["swj"], grade="good")
    content = survey_xlsx(
        [
            ("代表1", "企业", "测试市场监管局", "满意", ""),
            ("代表2", "企业", "测试市场监管局", "满意", ""),
            ("代表3", "群众", "测试市场监管局", "基本满意", "窗口人手不足"),
            ("代表4", "群众", "测试税务局", "不满意", "排队时间长"),
            ("代表5", "人大代表", "测试税务局", "满意", ""),
        ]
    )
    actions.import_survey(actor=o, year=2026, filename="评议.xlsx", content=content)
    # 税务局's October report on its goal, due the 5th working day after 31 October (6 November), sent on the 9th.
    cls.report = actions.plan_report(
        actor=o, goal=g2, department=d["swj"], month=dt.date(2026, 10, 1), plan="上线"
    )
    actions.submit_report(actor=None, report=cls.report, text="已上线", at=local(2026, 11, 9))
    alert = Alert.objects.create(level="red", kind="case", summary="超期", raised_at=local(2026, 6, 1))
    Card.objects.create(
        level="red",
        department=d["scj"],
        reason="超期未办结被问责",
        alert=alert,
        issued_at=local(2026, 6, 2),
    )
    cls.red_alert = alert


class YearlyTest(HallCase):
    report: GoalReport

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_year_2026(cls)

    def test_hand_computed_year(self) -> None:
        rows = {d.name: d for d in evaluate_year(2026)}
        scj, swj = rows["测试市场监管局"], rows["测试税务局"]
        # 市场监管: daily 100 − red card 5 = 95 (the red alert names no department); year-end 0.7×90 +
        # 0.3×80 = 87; appraisal (leaders 85, survey (100+100+80)/3 = 93.33) / 2 = 89.17;
        # total 0.15×95 + 0.55×87 + 0.30×89.17 = 88.851 → 88.85.
        assert (scj.daily, scj.year_end, scj.appraisal, scj.total) == (
            95,
            87,
            Decimal("89.17"),
            Decimal("88.85"),
        )
        # 税务: daily 100 − one late report 1 = 99; functional (60×80 + 40×100)/100 = 88, year-end 0.7×88 + 0.3×90
        # = 88.6; appraisal (leaders (100+85)/2 = 92.5, survey (0+100)/2 = 50) / 2 = 71.25;
        # total 14.85 + 48.73 + 21.375 = 84.955 → 84.96.
        assert (swj.daily, swj.year_end, swj.appraisal) == (99, Decimal("88.6"), Decimal("71.25"))
        assert float(swj.total) == 84.96
        # Group 经济管理 of two: 先进 places round(0.5) = 1, 先进+良好 round(1.4) = 1. 市场监管 ranks first but its red
        # card vetoes it: 税务 is 先进 and 最佳; 市场监管 falls to the bottom band and, vetoed, gets 诫勉.
        assert (scj.rank, scj.grade, scj.best) == (1, "admonish", False)
        assert (swj.rank, swj.grade, swj.best) == (2, "advanced", True)
        assert scj.vetoes and "红牌" in scj.vetoes[0]
        # A group of one: no 先进 place (round(0.25) = 0), one 良好 place.
        assert rows["测试公安局"].grade == "good" and rows["测试公安局"].year_end == 70

    def test_report_on_the_clock(self) -> None:
        report = GoalReport.objects.get(pk=self.report.pk)
        assert report.status == "late"
        assert report.clock.due_day == dt.date(2026, 11, 6) and report.clock.kind == "goal_report"
        with pytest.raises(ValidationError):
            actions.submit_report(actor=None, report=report, text="再报")

    def test_leader_quota_of_excellent(self) -> None:
        # Four departments × 30% = 1.2 → one 优秀 per leader; 领导甲 has given it to 税务局.
        with pytest.raises(ValidationError) as exc:
            actions.appraise(actor=self.leader, year=2026, department=self.depts["gaj"], grade="excellent")
        assert exc.value.message_dict == {"grade": ["“优秀”名额已用完（每位领导最多1个）。"]}
        with pytest.raises(PermissionDenied):
            actions.appraise(actor=self.officer, year=2026, department=self.depts["gaj"], grade="good")

    def test_survey_errors_name_row_and_column(self) -> None:
        content = survey_xlsx([("代表9", "", "不存在的局", "满意", ""), ("", "", "测试税务局", "很好", "")])
        with pytest.raises(ValidationError) as exc:
            actions.import_survey(actor=self.officer, year=2026, filename="s.xlsx", content=content)
        assert exc.value.message_dict["file"] == [
            "第2行「部门」：找不到部门“不存在的局”。",
            "第3行「评议代表」：不能为空。",
            "第3行「评价」：应为满意、基本满意或不满意，实际为“很好”。",
        ]
        assert SurveyResponse.objects.count() == 5

    def test_manual_veto_and_command(self) -> None:
        actions.record_veto(
            actor=self.officer, year=2026, department=self.depts["gaj"], reason="发生安全生产责任事故"
        )
        out = StringIO()
        call_command("evaluate_year", "2026", stdout=out)
        data = json.loads(out.getvalue())
        rows = {r["name"]: r for r in data["departments"]}
        assert set(rows["测试税务局"]) >= {"name", "score", "rank", "grade", "group"}
        assert rows["测试税务局"]["group"] == "经济管理" and rows["测试税务局"]["grade"] == "先进"
        assert rows["测试公安局"]["vetoes"] == [
            "其他一票否决事项（人工登记：安全事故、违纪案件等）：发生安全生产责任事故"
        ]

    def test_year_api(self) -> None:
        self.client.force_login(self.clerks["w1"].user)
        assert self.client.get("/api/v1/evaluation/years/2026").status_code == 403
        self.client.force_login(self.leader)
        r = self.client.get("/api/v1/evaluation/years/2026")
        assert r.status_code == 200 and len(r.json()["departments"]) == 4
        assert self.client.get("/api/v1/evaluation/years/abc").status_code == 422
        url = "/api/v1/evaluation/years/2026/appraisals"
        r = self.client.post(
            url, {"department_id": self.depts["gaj"].pk, "grade": "fair"}, content_type="application/json"
        )
        assert r.status_code == 200
        r = self.client.post(
            url,
            {"department_id": self.depts["gaj"].pk, "grade": "excellent"},
            content_type="application/json",
        )
        assert r.status_code == 422 and "名额已用完" in r.json()["detail"][0]["msg"]
        submit = f"/api/v1/evaluation/goal-reports/{self.report.pk}/submit"
        self.client.force_login(self.clerks["w1"].user)
        assert (
            self.client.post(submit, {"report": "完成"}, content_type="application/json").status_code == 403
        )
        self.client.force_login(self.officer)
        r = self.client.post(submit, {"report": "完成"}, content_type="application/json")
        assert r.status_code == 422 and "已报送" in r.json()["detail"][0]["msg"]
