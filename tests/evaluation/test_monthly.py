"""The monthly evaluation on a hand-built hall, October 2026, with hand-computed scores (default scheme: base 60;
no timed case → on-time rate counted full, 10; no rating → satisfaction full, 10; so an empty unit has 80)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from govhall.evaluation import actions, scoring
from govhall.evaluation.models import Attendance, Deduction, MonthlyResult, MonthlyScheme
from govhall.evaluation.queries import month_results, staff_sheet
from govhall.supervision.models import Alert, Card

from .base import HallCase, local

OCT = dt.date(2026, 10, 1)


def red_card(user: object, department: object, day: int, reason: str) -> Card:
    alert = Alert.objects.create(level="yellow", kind="case", summary=reason, raised_at=local(2026, 10, day))
    return Card.objects.create(
        level="red",
        person=user,
        department=department,
        reason=reason,
        alert=alert,
        issued_at=local(2026, 10, day),
    )


class MonthlyTest(HallCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        scheme = scoring.ensure_default_scheme()
        # Four windows and four clerks: a cap of 50% (2 honours) and a first title for 25% (1) of each.
        actions.save_config(
            actor=cls.officer,
            obj=scheme,
            changes={
                "honours_cap": Decimal("0.5"),
                "red_flag_share": Decimal("0.25"),
                "star_share": Decimal("0.25"),
            },
        )
        w = cls.windows
        actions.score_peer(
            actor=cls.clerks["w2"].user, month=OCT, reviewer=w["w2"], reviewee=w["w1"], score=90
        )
        actions.score_peer(
            actor=cls.clerks["w3"].user, month=OCT, reviewer=w["w3"], reviewee=w["w1"], score=80
        )
        actions.score_peer(actor=cls.officer, month=OCT, reviewer=w["w1"], reviewee=w["w2"], score=70)
        actions.deduct(actor=cls.officer, month=OCT, window=w["w3"], points=2, reason="窗口台面杂乱")
        actions.enter_panel_score(actor=cls.officer, month=OCT, window=w["w4"], score=90)
        csv = "工号,姓名,应出勤天数,实出勤天数,迟到早退次数\nE001,窗口1,22,22,0\nE002,窗口2,22,20,1\nE003,窗口3,22,22,0\n"
        actions.import_attendance(actor=cls.officer, month=OCT, filename="kq.csv", content=csv.encode())
        red_card(cls.clerks["w3"].user, cls.depts["gaj"], 15, "超期未办结")

    def test_scores_ranks_and_titles(self) -> None:
        result = month_results(OCT)
        windows = self.by_name(result["windows"])
        # A01: 80 + peer (90+80)/2=85 → 0.85×10 = 8.5; A02: 80 + 7; A03: 80 − red card 10 − deduction 2;
        # B01: 80 + panel 90 → 0.9×5 = 4.5.
        assert {n: (r["score"], r["rank"], r["title"]) for n, r in windows.items()} == {
            "A01号窗口 市场监管": (88.5, 1, "红旗窗口"),
            "A02号窗口 税务": (87.0, 2, "优质服务窗口"),
            "B01号窗口 政府办": (84.5, 3, ""),
            "A03号窗口 公安": (68.0, 4, ""),
        }
        assert windows["A03号窗口 公安"]["barred"] == "本月被亮红牌"
        staff = self.by_name(result["staff"])
        # Attendance 22/22 → 10; 20/22 = 0.9091 → 9.09; 窗口3 has a red card (−10) and full attendance.
        assert {n: (r["score"], r["title"]) for n, r in staff.items()} == {
            "窗口1（E001）": (90.0, "服务之星"),
            "窗口2（E002）": (89.09, "示范岗"),
            "窗口4（E004）": (80.0, ""),
            "窗口3（E003）": (80.0, ""),
        }
        assert staff["窗口3（E003）"]["barred"] == "本月被亮红牌"

    def test_sheet_explains_every_point(self) -> None:
        sheet = staff_sheet(OCT, self.clerks["w3"].pk)
        assert sheet is not None
        items = {i["key"]: i for i in sheet["items"]}
        assert items["red_cards"]["contribution"] == "-10.00"
        assert items["red_cards"]["refs"] == ["超期未办结"]
        assert items["attendance"]["raw"] == "22/22，迟到早退0次"

    def test_closed_month_is_frozen_and_corrected_by_adjustment(self) -> None:
        actions.close_month(actor=self.officer, month=OCT)
        before = month_results(OCT)
        # Later data about October: a red card for 窗口1 and an attempt to add a deduction.
        red_card(self.clerks["w1"].user, self.depts["scj"], 20, "补录的违规")
        with pytest.raises(ValidationError) as exc:
            actions.deduct(actor=self.officer, month=OCT, window=self.windows["w1"], points=1, reason="补扣")
        assert "已结账" in str(exc.value)
        after = month_results(OCT)
        assert after == before and after["closed"] is True
        # A fresh computation would differ: that is exactly what closing prevents.
        live = {u.name: u.score for u in scoring.evaluate(OCT).staff}
        assert live["窗口1（E001）"] == Decimal("80.00")
        result = MonthlyResult.objects.get(period__month=OCT, staff=self.clerks["w1"])
        actions.adjust_result(actor=self.officer, result=result, delta="-1.5", reason="复核发现考勤漏记迟到")
        row = self.by_name(month_results(OCT)["staff"])["窗口1（E001）"]
        assert (row["score"], row["adjusted_score"], row["title"]) == (90.0, 88.5, "服务之星")
        with pytest.raises(ValidationError):
            actions.close_month(actor=self.officer, month=OCT)

    def test_peer_review_refuses_self_second_score_other_floor_and_other_window(self) -> None:
        w, clerk1 = self.windows, self.clerks["w1"].user
        with pytest.raises(ValidationError) as exc:
            actions.score_peer(actor=clerk1, month=OCT, reviewer=w["w1"], reviewee=w["w1"], score=99)
        assert exc.value.message_dict == {"reviewee": ["不能给本窗口评分。"]}
        with pytest.raises(ValidationError) as exc:
            actions.score_peer(actor=clerk1, month=OCT, reviewer=w["w1"], reviewee=w["w2"], score=60)
        assert "每月只能评一次" in exc.value.message_dict["reviewee"][0]
        with pytest.raises(ValidationError) as exc:
            actions.score_peer(actor=clerk1, month=OCT, reviewer=w["w1"], reviewee=w["w4"], score=60)
        assert exc.value.message_dict == {"reviewee": ["只能给同一楼层的其他窗口评分。"]}
        with pytest.raises(PermissionDenied):
            actions.score_peer(actor=clerk1, month=OCT, reviewer=w["w3"], reviewee=w["w2"], score=60)
        with pytest.raises(ValidationError) as exc:
            actions.score_peer(actor=clerk1, month=OCT, reviewer=w["w1"], reviewee=w["w3"], score=101)
        assert "score" in exc.value.message_dict

    def test_attendance_import_reports_rows_and_columns_and_writes_nothing(self) -> None:
        csv = "工号,应出勤天数,实出勤天数\nE004,22,23\nX999,22,22\nE001,二十,22\n"
        with pytest.raises(ValidationError) as exc:
            actions.import_attendance(
                actor=self.officer, month=dt.date(2026, 9, 1), filename="kq.csv", content=csv.encode()
            )
        assert exc.value.message_dict["file"] == [
            "第2行「实出勤天数」：不能多于应出勤天数（22）。",
            "第3行「工号」：找不到工号为“X999”的工作人员。",
            "第4行「应出勤天数」：应为整数，实际为“二十”。",
        ]
        assert not Attendance.objects.filter(month=dt.date(2026, 9, 1)).exists()
        with pytest.raises(ValidationError) as exc:
            actions.import_attendance(actor=self.officer, month=OCT, filename="kq.csv", content=b"A,B\n1,2\n")
        assert "表头缺少列" in exc.value.message_dict["file"][0]

    def test_entries_need_the_officer_and_a_reason(self) -> None:
        with pytest.raises(PermissionDenied):
            actions.deduct(
                actor=self.clerks["w1"].user, month=OCT, window=self.windows["w2"], points=1, reason="x"
            )
        with pytest.raises(ValidationError) as exc:
            actions.deduct(actor=self.officer, month=OCT, window=self.windows["w2"], points=1, reason=" ")
        assert exc.value.message_dict == {"reason": ["扣分必须写明理由。"]}
        assert Deduction.objects.count() == 1

    def test_scheme_is_data(self) -> None:
        scheme = MonthlyScheme.objects.get(active=True)
        assert scheme.items.count() == len(scoring.DEFAULT_ITEMS)
        assert scoring.ensure_default_scheme() == scheme

    def test_command_prints_windows_and_staff(self) -> None:
        out = StringIO()
        call_command("evaluate_month", "2026-10", stdout=out)
        data = json.loads(out.getvalue())
        assert set(data) >= {"windows", "staff"}
        assert set(data["windows"][0]) >= {"name", "score", "rank", "title"}
        assert data["staff"][0]["name"] == "窗口1（E001）"

    def test_api_permissions_and_errors(self) -> None:
        url = "/api/v1/evaluation/months/2026-10"
        assert self.client.get(url).status_code == 401
        self.client.force_login(self.clerks["w1"].user)
        assert self.client.get(url).status_code == 403
        # A clerk may read their own sheet, not another's.
        assert self.client.get(f"{url}/staff/{self.clerks['w1'].pk}").status_code == 200
        assert self.client.get(f"{url}/staff/{self.clerks['w2'].pk}").status_code == 403
        r = self.client.post(
            f"{url}/peer-reviews",
            {
                "reviewer_window_id": self.windows["w1"].pk,
                "reviewee_window_id": self.windows["w1"].pk,
                "score": 90,
            },
            content_type="application/json",
        )
        assert r.status_code == 422 and "不能给本窗口评分" in r.json()["detail"][0]["msg"]
        r = self.client.post(
            f"{url}/peer-reviews",
            {
                "reviewer_window_id": self.windows["w1"].pk,
                "reviewee_window_id": self.windows["w3"].pk,
                "score": 75,
            },
            content_type="application/json",
        )
        assert r.status_code == 201
        self.client.force_login(self.officer)
        r = self.client.get(url)
        assert r.status_code == 200 and r.json()["closed"] is False
        assert self.client.get("/api/v1/evaluation/months/2026-13").status_code == 422
