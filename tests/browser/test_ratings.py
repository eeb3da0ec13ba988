"""好差评 in the browser: the window rating device rates the case just concluded there; an online applicant rates
from the case page and cannot rate twice; a bad review is verified, called back, rectified and fed back by the
department head, and the rater reads the feedback on their case page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from govhall.ratings import tokens
from govhall.ratings.models import Rating
from tests.cases.conftest import Hall
from tests.ratings.conftest import build_rating_hall, online_case, window_case

pytestmark = [pytest.mark.browser]

PASSWORD = "browser-ratings-pw"


@pytest.fixture
def rating_hall(live_server: Any, reference_data: None, settings: Any, tmp_path: Any) -> Hall:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    hall = build_rating_hall()
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


def test_window_device_rates_the_case_just_concluded(
    rating_hall: Hall, live_server: Any, new_page: Any
) -> None:
    earlier = window_case(rating_hall)
    case = window_case(rating_hall)  # the one just concluded at this window
    window = rating_hall.catalog.window
    # The supervisor opens the device link for the window's tablet from the ratings page.
    staff = login(new_page, live_server.url, "supervisor", "/ratings/")
    href = staff.locator("a.device-link").first.get_attribute("href")
    assert href == f"/ratings/window/{window.pk}/?key={tokens.device_key(window.pk)}"
    tablet = new_page(viewport={"width": 1024, "height": 768})
    tablet.goto(live_server.url + href)
    expect(tablet.locator("#device-case")).to_contain_text(case.number)
    tablet.get_by_label("★★★★★ 非常满意").check()
    tablet.get_by_label("服务态度").select_option("5")
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.locator("#thanks")).to_contain_text("感谢您的评价")
    rating = Rating.objects.get(case=case)
    assert rating.channel == "window" and rating.level == "5" and rating.dimensions["attitude"] == "5"
    # The device moves on to the case before, never offering the rated one again.
    expect(tablet.locator("#device-case")).to_contain_text(earlier.number)


def test_online_applicant_rates_once(rating_hall: Hall, live_server: Any, new_page: Any) -> None:
    case = online_case(rating_hall)
    page = login(new_page, live_server.url, "applicant", f"/my/cases/{case.number}/")
    # A second tab of the same session with the rating form open before the first rating is sent.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/ratings/my/{case.number}/")
    page.locator("#rate-link").click()
    page.get_by_label("★★★★☆ 满意").check()
    page.get_by_label("平台易用性").select_option("3")
    page.get_by_label("评价意见（选填）").fill("网上办理方便")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")
    expect(page.locator("#rating-level")).to_have_text("满意")
    expect(page.locator("#rating-form")).to_have_count(0)
    page.goto(f"{live_server.url}/my/cases/{case.number}/")
    expect(page.locator("#rating-level")).to_have_text("满意")
    expect(page.locator("#rate-link")).to_have_count(0)
    # The stale tab tries to rate again: it is shown the rating already given, which stays as it was.
    other.get_by_label("★☆☆☆☆ 非常不满意").check()
    other.get_by_role("button", name="提交评价").click()
    expect(other.locator("#rating-level")).to_have_text("满意")
    expect(other.locator("#my-rating")).to_contain_text("只能评价一次")
    assert Rating.objects.get(case=case).level == "4" and Rating.objects.count() == 1


def test_bad_review_rectified_with_callback_and_rater_sees_feedback(
    rating_hall: Hall, live_server: Any, new_page: Any
) -> None:
    case = online_case(rating_hall)
    applicant = login(new_page, live_server.url, "applicant", f"/ratings/my/{case.number}/")
    applicant.get_by_label("★☆☆☆☆ 非常不满意").check()
    applicant.get_by_label("评价意见（选填）").fill("材料退回三次")
    applicant.get_by_role("button", name="提交评价").click()
    expect(applicant.locator("#review-status")).to_have_text("待核实")
    number = Rating.objects.get(case=case).review.number

    head = login(new_page, live_server.url, "head", "/ratings/")
    head.get_by_role("link", name=number).click()
    expect(head.locator("#rater")).to_contain_text("13800138000")
    head.get_by_label("核实结论").select_option("fix_now")
    head.get_by_label("核实情况").fill("材料清单未写明，属实")
    head.get_by_role("button", name="提交核实").click()
    expect(head.locator("#review-status")).to_have_text("整改中")
    head.get_by_label("整改措施（或解释说明）").fill("修订办事指南材料清单")
    head.get_by_role("button", name="登记整改").click()
    expect(head.locator("#review-status")).to_have_text("待反馈")
    head.get_by_label("反馈评价人的内容").fill("已修订材料清单，感谢您的监督")
    head.get_by_role("button", name="反馈并办结").click()
    expect(head.locator(".field-errors, .form-errors").first).to_contain_text("回访")
    head.get_by_label("回访结果").select_option("accepted")
    head.get_by_label("回访记录").fill("电话回访，申请人认可整改")
    head.get_by_role("button", name="登记回访").click()
    expect(head.locator("#callbacks")).to_contain_text("电话回访")
    head.get_by_label("反馈评价人的内容").fill("已修订材料清单，感谢您的监督")
    head.get_by_role("button", name="反馈并办结").click()
    expect(head.locator("#review-status")).to_have_text("已反馈办结")

    applicant.goto(f"{live_server.url}/my/cases/{case.number}/")
    expect(applicant.locator("#review-status")).to_have_text("已反馈办结")
    expect(applicant.locator("#review-feedback")).to_contain_text("已修订材料清单，感谢您的监督")
