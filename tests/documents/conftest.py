"""Fixtures of the document tests: two departments of 容县 built through the org actions, and helpers that
issue a notice with realistic content and run the poppler tools on the result."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from govhall.core.identifiers import uscc_check_char
from govhall.documents.actions import issue_document
from govhall.documents.models import Document
from govhall.org import actions as org_actions
from govhall.org.models import Department, Region

# 2026-11-22 10:00 in Asia/Shanghai.
ISSUED_AT = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def uscc(serial: int) -> str:
    first17 = f"11450921MB{serial:07d}"
    return first17 + uscc_check_char(first17)


def notice_content(**overrides: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "recipient": "容县张三餐饮有限公司",
        "paragraphs": [
            "你单位于2026年11月20日提出的食品经营许可（新办）申请，经审查，申请材料齐全、符合法定形式。"
            "根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，决定予以受理。",
            "本机关将自受理之日起五个工作日内作出是否准予许可的决定。",
        ],
        "rows": [["事项名称", "食品经营许可（新办）"], ["承诺办结时限", "5个工作日"]],
        "remedies": "如对本通知有异议，可以自收到本通知之日起六十日内向容县人民政府申请行政复议，"
        "或者在六个月内向容县人民法院提起行政诉讼。",
        "date": "2026-11-22",
    }
    content.update(overrides)
    return content


@pytest.fixture
def county(db) -> Region:
    return org_actions.create_region(code="450921000000", name="容县", level="county")


@pytest.fixture
def scj(county) -> Department:
    return org_actions.create_department(
        name="县市场监督管理局", short_name="市场监管局", uscc=uscc(1), group="enforcement", region=county
    )


@pytest.fixture
def rsj(county) -> Department:
    return org_actions.create_department(
        name="县人力资源和社会保障局", short_name="人社局", uscc=uscc(2), group="comprehensive", region=county
    )


@pytest.fixture
def issue(scj) -> Callable[..., Document]:
    counter = iter(range(1, 10_000))

    def make(**kwargs: Any) -> Document:
        values: dict[str, Any] = {
            "kind": "acceptance",
            "department": scj,
            "case_number": f"RX2026112200{next(counter):02d}",
            "recipient": "容县张三餐饮有限公司",
            "content": notice_content(),
            "at": ISSUED_AT,
        }
        values.update(kwargs)
        return issue_document(**values)

    return make


def run_tool(*args: str | Path) -> str:
    return subprocess.run(
        [str(a) for a in args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def write_pdf(tmp_path: Path, data: bytes, name: str = "notice.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
