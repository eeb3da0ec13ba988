"""The applicant in a real browser: the item's own application form prefilled from the account, a wrong entry
named in Chinese next to its field, the chosen files kept after the error (not chosen again); and 我的办件 on a
390 px phone, where no cell may shrink to a few characters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from govhall.cases.actions import submit_application
from govhall.cases.choices import Channel
from govhall.cases.models import Case
from govhall.catalog.actions import update_item
from govhall.catalog.models import ServiceItem
from tests.cases.conftest import PDF, PERSON, Hall, build_hall, uploads_for

pytestmark = [pytest.mark.browser]

PASSWORD = "citizen-pages-pw"
CANCEL = "企业营业执照注销登记"
FIELDS = [
    {"seq": 1, "key": "holder_name", "label": "清算组负责人", "kind": "text", "prefill": "name"},
    {"seq": 2, "key": "holder_id", "label": "负责人身份证号码", "kind": "id_number", "prefill": "id_number"},
    {
        "seq": 3,
        "key": "cancel_reason",
        "label": "注销原因",
        "kind": "choice",
        "choices": "经营期限届满、股东会决议解散",
    },
    {"seq": 4, "key": "closing_date", "label": "清算完成日期", "kind": "date"},
]


@pytest.fixture
def citizen_hall(live_server: Any, reference_data: None, settings: Any, tmp_path: Path) -> Hall:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    hall = build_hall()
    user = hall["applicant"]
    user.set_password(PASSWORD)
    user.save()
    update_item(ServiceItem.objects.get(name=CANCEL), form_fields=FIELDS)
    return hall


def login(page: Any, base: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("账号").fill("applicant")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base}{next_path}")


def earlier_application(hall: Hall, item: ServiceItem) -> Case:
    """One earlier online application: the account's identity the next form starts from."""
    return submit_application(
        item=item,
        applicant=PERSON,
        channel=Channel.ONLINE,
        by=hall["applicant"],
        form_data={
            "holder_name": PERSON.name,
            "holder_id": PERSON.id_number,
            "cancel_reason": "经营期限届满",
            "closing_date": "2026-01-05",
        },
        uploads=uploads_for(item),
    )


def test_item_fields_prefilled_and_files_kept_after_an_error(
    citizen_hall: Hall, live_server: Any, new_page
) -> None:
    item = ServiceItem.objects.get(name=CANCEL)
    earlier_application(citizen_hall, item)
    page = new_page()
    login(page, live_server.url, f"/apply/{item.impl_code}/")

    # The item's own fields, started from the account's identity; no free-text pseudo-form.
    expect(page.get_by_label("清算组负责人")).to_have_value(PERSON.name)
    expect(page.get_by_label("负责人身份证号码")).to_have_value(PERSON.id_number)
    expect(page.locator("textarea")).to_have_count(0)

    materials = list(item.materials.order_by("seq"))
    for material in materials:
        page.set_input_files(
            f'input[name="material_{material.pk}"]',
            files=[{"name": f"扫描件{material.seq}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
    page.get_by_label("清算完成日期").fill("2026-02-27")
    page.get_by_role("button", name="提交申请").click()

    # The missing choice is named next to its field, in Chinese; the files are kept and shown by name.
    expect(page.locator("#id_f_cancel_reason_errors")).to_contain_text("请选择“注销原因”")
    for material in materials:
        expect(page.locator(f'.material-row[data-material="{material.pk}"] .kept-file')).to_contain_text(
            f"已上传：扫描件{material.seq}.pdf"
        )
    assert Case.objects.count() == 1  # only the earlier one

    # Corrected, submitted without choosing any file again.
    page.get_by_label("注销原因").select_option("股东会决议解散")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(f"{live_server.url}/my/cases/*/")
    case = Case.objects.order_by("-pk").first()
    assert case is not None and case.form_data["cancel_reason"] == "股东会决议解散"
    assert sorted(case.materials.values_list("original_name", flat=True)) == sorted(
        f"扫描件{m.seq}.pdf" for m in materials
    )
    expect(page.locator("#form-entries")).to_contain_text("股东会决议解散")


# The narrowest cell of 我的办件 on a phone, in characters of its own font size (its label column included).
NARROWEST_CELL = """() => {
  const cells = [...document.querySelectorAll('#my-cases tbody td, #my-cases tbody th')];
  return Math.min(...cells.map(c => c.getBoundingClientRect().width / parseFloat(getComputedStyle(c).fontSize)));
}"""
# The widest value of any cell as rendered, in characters: a value squeezed to one character a line is ~1.
NARROWEST_TEXT = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('#my-cases tbody td, #my-cases tbody th')) {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const size = parseFloat(getComputedStyle(cell).fontSize);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    if (rects.length) out.push(Math.max(...rects.map(r => r.width)) / size);
  }
  return Math.min(...out);
}"""


def test_my_cases_on_a_390px_phone(citizen_hall: Hall, live_server: Any, new_page) -> None:
    item = ServiceItem.objects.get(name=CANCEL)
    for _ in range(3):
        earlier_application(citizen_hall, item)
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(page, live_server.url, "/my/cases/")
    expect(page.locator("#my-cases tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    narrowest = page.evaluate(NARROWEST_CELL)
    assert narrowest >= 12, f"a cell is only {narrowest:.1f} characters wide"
    shortest = page.evaluate(NARROWEST_TEXT)
    assert shortest >= 2, f"a value is squeezed to {shortest:.1f} characters a line"
    # Each card names its fields, so the value is readable without the (hidden) header row.
    first = page.locator("#my-cases tbody tr").first
    label = first.locator("td").first.evaluate("c => getComputedStyle(c, '::before').content")
    assert "办件编号" in label
    # The case page and the apply page fit the phone too.
    first.locator("a").click()
    page.wait_for_url("**/my/cases/*/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/apply/{item.impl_code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
