"""Monthly report page and Excel (same numbers), public statistics, access rules."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from govhall.cases.models import Case
from govhall.org.actions import create_staff
from govhall.stats.indicators import INDICATORS
from govhall.stats.refresh import refresh_facts

from .test_indicators import EXPECTED, month, rate_month  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
URL = "/stats/monthly/?month=2026-03"
XLSX = "/stats/monthly.xlsx?month=2026-03"


def staff(role: str, username: str) -> Any:
    return create_staff(username, f"测试{username}", f"S-{username}", [role], []).user


def overall_from_page(html: str) -> dict[str, str]:
    rows = re.findall(
        r'<tr data-indicator="(\w+)"><th scope="row">[^<]*</th><td class="figure">([^<]*)</td>', html
    )
    return dict(rows)


@pytest.mark.parametrize("role", ["supervisor", "leader", "performance_officer", "center_admin"])
def test_report_roles_see_the_monthly_report(client: Any, hall: Any, role: str) -> None:
    client.force_login(staff(role, f"u_{role}"))
    assert client.get(URL).status_code == 200
    assert client.get(XLSX).status_code == 200


def test_others_are_refused_and_anonymous_users_sent_to_login(client: Any, hall: Any) -> None:
    assert client.get(URL).status_code == 302
    assert client.get(XLSX).status_code == 302
    client.force_login(hall["clerk"])
    assert client.get(URL).status_code == 403
    assert client.get(XLSX).status_code == 403
    client.force_login(hall["head"])
    assert client.get(URL).status_code == 403


def test_page_shows_every_indicator_with_its_formula_and_the_excel_matches(
    client: Any,
    month: dict[str, Case],  # noqa: F811
    at: Any,
) -> None:
    rate_month(month, at)
    refresh_facts()
    client.force_login(staff("supervisor", "sup"))
    html = client.get(URL).content.decode()
    for ind in INDICATORS:
        assert ind.formula in html
    page = overall_from_page(html)
    assert (
        page["on_time_rate"] == "75.00%"
        and page["accepted"] == "6件"
        and page["satisfaction_rate"] == "50.00%"
    )
    assert "县市场监督管理局" in html and "echarts.min.js" in html and "尚未上线" not in html

    response = client.get(XLSX)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["总体", "按部门"]
    sheet = book["总体"]
    by_name = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    for ind in INDICATORS:
        _name, value, note = by_name[ind.name]
        assert ind.formula in note
        expected = EXPECTED[ind.code]
        if expected is None:
            assert value == "—" and page[ind.code] == "—"
        else:
            assert value == pytest.approx(float(expected))
            assert page[ind.code] == ind.display(expected)
    departments = list(book["按部门"].iter_rows(values_only=True))
    header = departments[0]
    (row,) = [r for r in departments[1:] if r and r[0] == "县市场监督管理局"]
    assert row[header.index("按期办结率")] == pytest.approx(75.0)
    assert row[header.index("受理件数")] == 6


def test_public_statistics_need_no_login_and_show_no_names(client: Any, month: dict[str, Case]) -> None:  # noqa: F811
    refresh_facts()
    html = client.get("/stats/public/?month=2026-03").content.decode()
    assert overall_from_page(html)["concluded"] == "4件"
    assert "县市场监督管理局" in html
    for name in ("陈窗口", "梁局长", "张三", "黄审批"):
        assert name not in html
    empty = client.get("/stats/public/?month=2025-01").content.decode()
    assert overall_from_page(empty)["accepted"] == "0件"
