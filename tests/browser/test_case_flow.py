"""THE end-to-end case: an online application with a material missing, the one-time correction, acceptance at the
workbench, joint review by approvers of three departments at once, the head's decision, and the applicant
downloading the sealed decision, which the offline verifier accepts.

Everyone logs in through the login page in their own browser context; nothing is done behind the browser's back
except building the hall (the test catalog and staff) and verifying the downloaded file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from govhall.cases.choices import CaseStatus, Decision
from govhall.cases.models import Case
from govhall.catalog.actions import update_item
from govhall.catalog.models import Material, ServiceItem
from tests.cases.conftest import COMPANY, PDF, Hall, build_hall

pytestmark = [pytest.mark.browser]

PASSWORD = "browser-flow-pw"
PERMIT = "建筑工程施工许可证核发"  # joint review: 住建 leads, 市场监管 and 民政 co-review (tests/cases/conftest.py)
FORM = "建筑工程施工许可申请表"
PLAN = "建设工程规划许可证"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def flow_hall(live_server: Any, reference_data: None, settings: Any, tmp_path: Path) -> Hall:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    hall = build_hall()
    permit = ServiceItem.objects.get(name=PERMIT)
    Material.objects.create(item=permit, seq=1, name=FORM, required=True)
    Material.objects.create(item=permit, seq=2, name=PLAN, required=True, form="copy")
    update_item(
        permit,
        form_fields=[
            {"seq": 1, "key": "project_name", "label": "项目名称", "kind": "text"},
            {"seq": 2, "key": "site", "label": "建设地点", "kind": "text"},
        ],
    )
    for user in hall.users.values():
        user.set_password(PASSWORD)
        user.save()
    return hall


def login(new_page: Any, base: str, username: str, next_path: str) -> Any:
    page = new_page()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base}{next_path}")
    return page


def pdf_upload(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def expect_message(page: Any, text: str) -> None:
    """The flash message after a POST-redirect-GET (portal and workbench both use .messages)."""
    expect(page.locator(".messages")).to_contain_text(text)


def act_on_step(page: Any, step: str, *, claim: bool = True) -> None:
    """Claim the step's task (if asked) and approve it with an opinion, on the workbench case page."""
    if claim:
        row = page.locator("#tasks tbody tr", has=page.get_by_text(step, exact=True))
        row.get_by_role("button", name="领取").click()
        expect_message(page, f"已领取“{step}”")
    form = page.locator("form", has=page.get_by_role("button", name=f"提交“{step}”办理意见"))
    form.get_by_label("同意", exact=True).check()
    form.get_by_label("意见", exact=True).fill(f"{step}：同意")
    form.get_by_role("button", name=f"提交“{step}”办理意见").click()
    expect_message(page, f"“{step}”已办理：同意")


def verify_file(path: Path) -> tuple[int, str]:
    """`manage.py verify_document FILE`: in a separate process against the same database where one can reach it
    (PostgreSQL); the SQLite test database lives in this process's memory, so there it runs in-process."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = quote(db["USER"] or "", safe="") + (
            ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
        )
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {**os.environ, "DATABASE_URL": url}
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "verify_document", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return done.returncode, done.stdout + done.stderr
    out = StringIO()
    try:
        call_command("verify_document", str(path), stdout=out, stderr=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_online_application_through_joint_review_to_verified_decision(
    live_server: Any, flow_hall: Hall, new_page: Any, tmp_path: Path
) -> None:
    base = live_server.url
    permit = ServiceItem.objects.get(name=PERMIT)

    # 1. The applicant applies online for the permit with one of the two required materials.
    applicant = login(new_page, base, "applicant", f"/apply/{permit.impl_code}/")
    applicant.get_by_label("法人及其他组织").check()
    applicant.get_by_label("申请人姓名/单位名称").fill(COMPANY.name)
    applicant.get_by_label("证件号码").fill(COMPANY.id_number)
    applicant.get_by_label("法定代表人").fill(COMPANY.legal_representative)
    applicant.get_by_label("联系电话").fill("13800138000")
    applicant.get_by_label("项目名称").fill("示范县第一中学教学楼")
    applicant.get_by_label("建设地点").fill("示范县城关镇")
    applicant.get_by_label(FORM).set_input_files(pdf_upload("申请表.pdf"))
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r"/my/cases/\d{14}/$"))
    number = applicant.url.rstrip("/").rsplit("/", 1)[-1]
    expect_message(applicant, "申请已提交")
    expect(applicant.locator("#case-status")).to_have_text("待受理")

    # 2. The clerk cannot accept it as it is: the one-time correction notice lists the missing material.
    clerk = login(new_page, base, "clerk", f"/workbench/cases/{number}/")
    assert f"缺少“{PLAN}”" in clerk.locator("#actions").inner_text()
    clerk.locator("#action-accept").get_by_role("button", name="予以受理").click()
    expect(clerk.locator("#alert")).to_contain_text("应一次性告知补正，不能受理")
    correction = clerk.locator("#action-correction")
    assert correction.get_by_label(f"{PLAN}（必要）").is_checked()
    assert not correction.get_by_label(f"{FORM}（必要）").is_checked()
    correction.get_by_label("补正原因").fill("缺少规划许可证复印件")
    correction.get_by_role("button", name="出具补正告知书").click()
    expect_message(clerk, "已出具一次性补正告知书")

    # 3. The applicant finds the notice under "my cases" and uploads the listed material.
    applicant.get_by_role("navigation", name="个人办事").get_by_role("link", name="我的办件").click()
    row = applicant.locator(f"tr[data-number='{number}']")
    expect(row).to_contain_text("待补正")
    row.get_by_role("link", name=number).click()
    notice = applicant.locator("#correction")
    expect(notice).to_contain_text(PLAN)
    expect(notice).to_contain_text("缺少规划许可证复印件")
    applicant.get_by_label(f"上传：{PLAN}").set_input_files(pdf_upload("规划许可证.pdf"))
    applicant.get_by_role("button", name="提交补正材料").click()
    expect_message(applicant, "补正材料已齐全")
    expect(applicant.locator("#case-status")).to_have_text("待受理")

    # 4. Now complete: the clerk accepts.
    clerk.reload()
    clerk.locator("#action-accept").get_by_role("button", name="予以受理").click()
    expect_message(clerk, "已受理")

    # 5. 住建's approver reviews first, then the joint review opens for 住建, 市场监管 and 民政 at once.
    zj = login(new_page, base, "zj_approver", "/workbench/tasks/")
    zj.locator("#task-table").get_by_role("link", name=number).click()
    act_on_step(zj, "牵头部门受理审查")
    joint = [
        "联合审查·牵头部门审查",
        "联合审查·协办部门审查（市场监管局）",
        "联合审查·协办部门审查（民政局）",
    ]
    case = Case.objects.get(number=number)
    assert sorted(case.tasks.filter(status="open").values_list("step_name", flat=True)) == sorted(joint)

    # Both co-departments open the case before either acts: the reviews run in parallel.
    scjg = login(new_page, base, "approver", f"/workbench/cases/{number}/")
    mz = login(new_page, base, "mz_approver", f"/workbench/cases/{number}/")
    scjg.get_by_role("button", name=f"提交“{joint[1]}”办理意见").wait_for()
    mz.get_by_role("button", name=f"提交“{joint[2]}”办理意见").wait_for()
    act_on_step(scjg, joint[1])
    act_on_step(zj, joint[0])
    assert not case.tasks.filter(step_key="decide").exists()  # the join waits for every department
    act_on_step(mz, joint[2], claim=False)
    assert case.tasks.filter(step_key="decide", status="open").count() == 1

    # 6. 住建's head decides.
    head = login(new_page, base, "zj_head", "/workbench/tasks/")
    head.locator("#task-table").get_by_role("link", name=number).click()
    act_on_step(head, "审批决定")
    expect(head.locator("#case-status")).to_contain_text("已办结")
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED and case.decision == Decision.APPROVED

    # 7. The applicant sees the result and downloads the sealed decision.
    applicant.get_by_role("navigation", name="个人办事").get_by_role("link", name="我的办件").click()
    row = applicant.locator(f"tr[data-number='{number}']")
    expect(row).to_contain_text("已办结")
    row.get_by_role("link", name=number).click()
    timeline = applicant.locator("#timeline").inner_text()
    for step in ("一次性告知补正材料", "补正材料齐全", "予以受理", "联合审查完成", "作出决定"):
        assert step in timeline
    for name in ("陈窗口", "周审批", "黄审批", "吴审批", "孙局长"):
        assert name not in applicant.content()  # staff appear by role only
    with applicant.expect_download() as download:
        applicant.get_by_role("link", name="下载准予行政许可决定书（PDF）").click()
    pdf = tmp_path / "decision.pdf"
    download.value.save_as(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")

    # 8. The offline verifier accepts it: signature, seal, certificate, hash and the registry entry.
    code, output = verify_file(pdf)
    assert code == 0, output
    assert "验证通过" in output
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "准予" in text and COMPANY.name in re.sub(r"\s+", "", text)
