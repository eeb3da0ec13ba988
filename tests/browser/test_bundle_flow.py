"""一件事 in a real browser: the applicant finds "开办餐馆一件事" from the catalog, applies online on one form (the
shared material once), the window accepts the whole bundle on its page, the two departments decide in parallel, the
window hands over once; the applicant sees one acceptance notice and one delivery.

The departments' reviews are done through the actions (their pages are covered by test_case_flow.py); everything
the applicant and the window clerk do goes through the browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from govhall.cases import actions
from govhall.cases.models import CaseGroup, Task
from tests.cases.conftest import COMPANY, Hall, build_hall
from tests.cases.test_bundles import SHARED, make_bundle, staff_for

from .test_case_flow import PASSWORD, expect_message, login, pdf_upload

pytestmark = [pytest.mark.browser]

BUNDLE = "开办餐馆一件事"


@pytest.fixture
def bundle_hall(live_server: Any, reference_data: None, settings: Any, tmp_path: Path) -> Hall:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    hall = build_hall()
    make_bundle(hall, name=BUNDLE)
    for user in hall.users.values():
        user.set_password(PASSWORD)
        user.save()
    return hall


@pytest.mark.django_db(transaction=True)
def test_online_bundle_one_acceptance_notice_and_one_delivery(
    live_server: Any, bundle_hall: Hall, new_page: Any
) -> None:
    base = live_server.url

    # 1. From the catalog to the bundle's guide and its one online form.
    applicant = login(new_page, base, "applicant", "/items/")
    applicant.locator("#bundles-link").get_by_role("link", name="一件事").click()
    applicant.get_by_role("link", name=BUNDLE).click()
    expect(applicant.locator("#bundle-materials")).to_contain_text("共用")
    applicant.get_by_role("button", name="在线申请").click()
    files = applicant.locator("#materials input[type=file]")
    assert applicant.locator("#materials").inner_text().count(SHARED) == 1
    applicant.get_by_label("法人及其他组织").check()
    applicant.get_by_label("申请人姓名/单位名称").fill(COMPANY.name)
    applicant.get_by_label("证件号码").fill(COMPANY.id_number)
    applicant.get_by_label("法定代表人").fill(COMPANY.legal_representative)
    applicant.get_by_label("联系电话").fill("13900139000")
    applicant.get_by_label("补充说明").fill("经营场所：示范县人民路1号；经营项目：热食类食品制售")
    for index in range(files.count()):
        files.nth(index).set_input_files(pdf_upload(f"材料{index + 1}.pdf"))
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url(re.compile(r"/my/bundles/L\d{14}/$"))
    number = applicant.url.rstrip("/").rsplit("/", 1)[-1]
    expect_message(applicant, "申请已提交")
    expect(applicant.locator("#bundle-status")).to_have_text("待受理")
    group = CaseGroup.objects.get(number=number)
    assert group.cases.count() == 2

    # 2. The window takes ONE intake decision for the whole bundle.
    clerk = login(new_page, base, "clerk", f"/workbench/bundles/{number}/")
    clerk.locator("#action-accept").get_by_role("button", name="受理整件事").click()
    expect_message(clerk, "整件事已受理")
    expect(clerk.locator("#documents")).to_contain_text("受理通知书")

    # 3. Each department handles its own item, in parallel.
    for case in group.cases.all():
        assert Task.objects.filter(case=case, status="open", department=case.department).exists()
    for case in group.cases.all():
        while (task := Task.objects.filter(case=case, status__in=["open", "claimed"]).first()) is not None:
            actions.act_on_task(task, by=staff_for(bundle_hall, task), action="approve", opinion="同意")

    # 4. One delivery at the window once every member is decided.
    clerk.reload()
    clerk.locator("#action-deliver").get_by_role("button", name="确认送达").click()
    expect_message(clerk, "已一次送达")

    # 5. The applicant sees one acceptance notice and one delivery.
    applicant.reload()
    expect(applicant.locator("#bundle-status")).to_have_text("已送达")
    expect(applicant.locator("#bundle-delivered")).to_be_visible()
    notices = applicant.locator("#documents").get_by_role("link", name="受理通知书")
    expect(notices).to_have_count(1)
    with applicant.expect_download() as download:
        notices.click()
    path = download.value.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF")
