"""manage.py workdays and manage.py import_calendar."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from govhall.calendars import engine
from govhall.calendars.models import CalendarDay, CalendarYear
from govhall.core.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD_2027 = """\
# 2027年节假日安排（测试用）
通知,国务院办公厅关于2027年部分节假日安排的通知
2027-01-01,元旦
2027-02-05,2027-02-12,春节
2027-02-14,调休上班,春节
2027-02-20，班，春节
2027-04-05,清明
2027-05-01,2027-05-05,劳动节
2027-04-25,调休上班
"""


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "arrangement.txt"
    path.write_text(text, encoding=encoding)
    return str(path)


# --------------------------------------------------------------- workdays


def test_workdays_add() -> None:
    assert run("workdays", "add", "2024-02-08", "2") == "2024-02-18"
    assert run("workdays", "add", "2026-02-13", "1", "--unit", "workday") == "2026-02-14"


def test_workdays_add_natural_days() -> None:
    assert run("workdays", "add", "2025-09-24", "7", "--unit", "day") == "2025-10-09"


def test_workdays_provisional_suffix() -> None:
    assert run("workdays", "add", "2027-02-04", "1") == "2027-02-09 provisional"
    assert run("workdays", "add", "2026-12-30", "3") == "2027-01-05 provisional"
    assert run("workdays", "between", "2026-12-31", "2027-01-04") == "1 provisional"


def test_workdays_between() -> None:
    assert run("workdays", "between", "2024-02-08", "2024-02-19") == "3"
    assert run("workdays", "between", "2024-02-19", "2024-02-08") == "-3"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2024-13-01", "1"), "起算日期“2024-13-01”格式错误"),
        (("add", "2024-02-08", "-1"), "不能为负数"),
        (("add", "2024-02-08", "abc"), "必须是非负整数"),
        (("add", "2100-01-01", "1"), "超出工作日历支持的范围"),
        (("between", "2024-02-08", "2024/02/19"), "日期 B“2024/02/19”格式错误"),
    ],
)
def test_workdays_bad_input(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("workdays", *args)


# --------------------------------------------------------------- import_calendar


def test_import_confirms_the_year(tmp_path: Path) -> None:
    assert engine.add_working_days(date(2027, 2, 4), 1).provisional is True
    out = run("import_calendar", write(tmp_path, GOOD_2027))
    assert "已确认 2027 年" in out and "放假 15 天，调休上班 3 天" in out
    cy = CalendarYear.objects.get(pk=2027)
    assert cy.confirmed and cy.notice_title == "国务院办公厅关于2027年部分节假日安排的通知"
    assert run("workdays", "add", "2027-02-04", "1") == "2027-02-14"
    assert run("workdays", "add", "2027-04-24", "1") == "2027-04-25"


def test_import_accepts_gb18030_and_notice_option(tmp_path: Path) -> None:
    text = GOOD_2027.replace("通知,国务院办公厅关于2027年部分节假日安排的通知\n", "")
    run("import_calendar", write(tmp_path, text, "gb18030"), "--notice", "国办发明电〔2026〕7号")
    assert CalendarYear.objects.get(pk=2027).notice_title == "国办发明电〔2026〕7号"


def test_import_rejects_bad_lines_and_writes_nothing(tmp_path: Path) -> None:
    bad = (
        GOOD_2027
        + "2027-02-31,端午\n2027-06-09\n2027-10-01,2027-09-30,国庆节\n2027-06-07,调休上班\n2027-02-06,春节\n"
    )
    with pytest.raises(CommandError) as exc:
        run("import_calendar", write(tmp_path, bad))
    message = str(exc.value)
    assert "未写入任何数据" in message
    assert "第10行：日期“2027-02-31”格式错误" in message
    assert "第11行：日期后缺少" in message
    assert "第12行：结束日期 2027-09-30 早于开始日期 2027-10-01" in message
    assert "第13行：调休上班日 2027-06-07 是周一" in message
    assert "第14行：日期 2027-02-06 与第4行重复" in message
    assert not CalendarYear.objects.filter(pk=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not AuditEvent.objects.exists()


def test_import_rejects_mixed_years_and_missing_title(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="只能包含一个年度"):
        run("import_calendar", write(tmp_path, GOOD_2027 + "2028-01-01,元旦\n"))
    with pytest.raises(CommandError, match="第10行：日期 2028-01-01 不在 2027 年内"):
        run("import_calendar", write(tmp_path, GOOD_2027 + "2028-01-01,元旦\n"), "--year", "2027")
    with pytest.raises(CommandError, match="缺少通知标题"):
        run("import_calendar", write(tmp_path, "2027-01-01,元旦\n"))
    assert not CalendarYear.objects.filter(pk=2027).exists()


def test_import_dry_run_and_missing_file(tmp_path: Path) -> None:
    assert "检查通过：2027年 放假 15 天，调休上班 3 天" in run(
        "import_calendar", write(tmp_path, GOOD_2027), "--dry-run"
    )
    assert not CalendarYear.objects.filter(pk=2027).exists()
    with pytest.raises(CommandError, match="无法读取文件"):
        run("import_calendar", str(tmp_path / "missing.txt"))


@pytest.mark.parametrize(
    ("args", "message"),
    [((), "请指定子命令"), (("add", "2024-02-08"), "参数不足"), (("between",), "参数不足")],
)
def test_workdays_missing_arguments(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("workdays", *args)
