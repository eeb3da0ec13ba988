"""The pages: month (officer and clerk), own sheet, Excel exports in the print layout, year, public honours."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from govhall.evaluation import actions, scoring
from govhall.evaluation.models import PeerReview
from govhall.org.actions import create_staff

from .base import HallCase

OCT = dt.date(2026, 10, 1)


class PagesTest(HallCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        actions.save_config(
            actor=cls.officer,
            obj=scoring.ensure_default_scheme(),
            changes={
                "honours_cap": Decimal("0.5"),
                "red_flag_share": Decimal("0.25"),
                "star_share": Decimal("0.25"),
            },
        )
        actions.enter_panel_score(actor=cls.officer, month=OCT, staff=cls.clerks["w2"], score=100)

    def test_clerk_scores_a_neighbour_and_reads_own_sheet(self) -> None:
        self.client.force_login(self.clerks["w1"].user)
        page = self.client.get("/evaluation/?month=2026-10").content.decode()
        assert "楼层互评" in page and "B01号窗口" not in page  # B01 is on the second floor
        r = self.client.post(
            "/evaluation/enter/",
            {"kind": "peer", "month": "2026-10", "reviewee": self.windows["w2"].pk, "score": "88"},
            follow=True,
        )
        assert "已给A02号窗口 税务评分" in r.content.decode()
        r = self.client.post(
            "/evaluation/enter/",
            {"kind": "peer", "month": "2026-10", "reviewee": self.windows["w2"].pk, "score": "90"},
            follow=True,
        )
        assert "每月只能评一次" in r.content.decode()
        assert PeerReview.objects.get().score == 88
        sheet = self.client.get("/evaluation/me/?month=2026-10").content.decode()
        assert "窗口1（E001） 2026年10月 考评明细" in sheet and "按期办结率" in sheet
        assert self.client.get(f"/evaluation/staff/{self.clerks['w2'].pk}/?month=2026-10").status_code == 403
        assert self.client.get("/evaluation/year/").status_code == 403

    def test_officer_closes_exports_and_public_page_shows_honours(self) -> None:
        self.client.force_login(self.officer)
        r = self.client.post(
            "/evaluation/enter/",
            {
                "kind": "deduct",
                "month": "2026-10",
                "target": f"window:{self.windows['w4'].pk}",
                "points": "",
                "reason": "",
            },
            follow=True,
        )
        assert "应为数字" in r.content.decode()
        self.client.post("/evaluation/enter/", {"kind": "close", "month": "2026-10"})
        page = self.client.get("/evaluation/?month=2026-10").content.decode()
        assert "已结账" in page and "登记调整" in page
        xlsx = self.client.get("/evaluation/month.xlsx?month=2026-10")
        book = load_workbook(io.BytesIO(xlsx.content))
        staff = book["工作人员"]
        assert staff["A1"].value == "政务服务中心2026年10月工作人员绩效考评结果"
        # 窗口2 has the panel's 100 (+5): first, 服务之星.
        assert [c.value for c in staff[3]][:5] == [1, "窗口2（E002）", 85, None, "服务之星"]
        assert any(row[0].value == "分管领导签字：" for row in staff.iter_rows())
        self.client.logout()
        public = self.client.get("/evaluation/public/").content.decode()
        assert "服务之星" in public and "窗口2（E002）" in public
        feed = self.client.get("/evaluation/public.json").json()
        assert feed["month"] == "2026-10" and feed["titles"][2] == {
            "title": "服务之星",
            "names": ["窗口2（E002）"],
        }

    def test_department_head_sends_the_monthly_report(self) -> None:
        goal = actions.save_goal(
            actor=self.officer,
            year=2026,
            title="纳税便利",
            category="functional",
            weight=50,
            lead=self.depts["swj"],
        )
        report = actions.plan_report(
            actor=self.officer,
            goal=goal,
            department=self.depts["swj"],
            month=dt.date(2026, 11, 1),
            plan="计划",
        )
        head = create_staff("head", "税务负责人", "H001", ("department_head",), [self.depts["swj"]]).user
        self.client.force_login(head)
        page = self.client.get("/evaluation/year/?year=2026").content.decode()
        assert "待报送的目标月报" in page and "纳税便利" in page and "组内名次" not in page
        r = self.client.post(
            "/evaluation/year/enter/",
            {"kind": "report", "year": "2026", "report": report.pk, "text": "已完成"},
            follow=True,
        )
        assert "已报送：纳税便利" in r.content.decode()
        report.refresh_from_db()
        assert report.status in ("submitted", "late") and report.clock.state == "stopped"

    def test_year_page_and_export(self) -> None:
        self.client.force_login(self.leader)
        assert "2026年度部门绩效考评" in self.client.get("/evaluation/year/?year=2026").content.decode()
        book = load_workbook(io.BytesIO(self.client.get("/evaluation/year.xlsx?year=2026").content))
        ws = book["部门"]
        assert ws["A1"].value == "政务服务中心2026年度部门绩效考评结果（未结账，仅供参考）"
        assert ws["C2"].value == "部门" and ws.max_row >= 2 + 4
