"""好差评 actions: one rating per case by its applicant, bad reviews on the clock, call-back, appeals, defaults."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.clocks.choices import ClockKind, ClockState
from govhall.ledger.actions import link as link_audit
from govhall.notifications.models import Notification
from govhall.ratings import actions, tokens
from govhall.ratings.choices import AppealStatus, RatingChannel, ReviewStatus
from govhall.ratings.models import Invitation, Rating, RatingEvent
from govhall.ratings.queries import rating_counts, rectification_figures
from govhall.stats.queries import indicator_table
from govhall.supervision.actions import sweep_once
from govhall.supervision.models import Alert

from .conftest import online_case, window_case

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_applicant_rates_online_once_and_nobody_else(hall, at):
    with at(2026, 3, 2, 10):
        case = online_case(hall)
        with pytest.raises(PermissionDenied):
            actions.submit_rating(case, channel=RatingChannel.ONLINE, level="5", by=hall["clerk"])
        rating = actions.submit_rating(
            case, channel=RatingChannel.ONLINE, level="5", by=hall["applicant"], dimensions={"platform": "4"}
        )
        with pytest.raises(ValidationError) as exc:
            actions.submit_rating(case, channel=RatingChannel.ONLINE, level="1", by=hall["applicant"])
    assert "只能评价一次" in str(exc.value)
    rating.refresh_from_db()
    assert rating.level == "5" and rating.rater == hall["applicant"] and rating.online
    assert rating.dimensions == {"platform": "4", "overall": "5"}
    assert rating.staff is not None and rating.staff.name == "陈窗口"
    assert Rating.objects.count() == 1
    assert list(RatingEvent.objects.values_list("kind", flat=True)) == ["rated"]


def test_online_rating_waits_for_conclusion_and_dimensions_are_checked(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall, conclude=False)
        with pytest.raises(ValidationError) as exc:
            actions.submit_rating(case, channel=RatingChannel.ONLINE, level="5", check_code=case.check_code)
        assert "办结后" in str(exc.value)
        case = window_case(hall)
        with pytest.raises(ValidationError) as exc:
            # Hall cases are rated on the offline dimensions: the platform is not one of them.
            actions.submit_rating(
                case,
                channel=RatingChannel.ONLINE,
                level="5",
                check_code=case.check_code,
                dimensions={"platform": "3"},
            )
        assert "dimensions" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            actions.submit_rating(case, channel=RatingChannel.ONLINE, level="9", check_code=case.check_code)
        assert "level" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            actions.submit_rating(case, channel=RatingChannel.ONLINE, level="5", check_code="000000")
    assert Rating.objects.count() == 0


def test_signed_links_and_device_keys(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        other = window_case(hall)
        token = tokens.case_token(case.pk)
        assert tokens.read(tokens.CASE_SALT, token) == case.pk
        assert tokens.read(tokens.DEVICE_SALT, token) is None  # a case link is no device key
        with pytest.raises(PermissionDenied):
            actions.submit_rating(other, channel=RatingChannel.SMS, level="4", token=token)
        with pytest.raises(PermissionDenied):
            actions.submit_rating(case, channel=RatingChannel.WINDOW, level="4", device_key=token)
        key = tokens.device_key(hall.catalog.window.pk)
        rating = actions.submit_rating(case, channel=RatingChannel.WINDOW, level="4", device_key=key)
        assert rating.window == hall.catalog.window and rating.channel == RatingChannel.WINDOW
        actions.submit_rating(other, channel=RatingChannel.QR, level="3", token=tokens.case_token(other.pk))
    assert rating_counts(MARCH)[None] == {"rated": 2, "satisfied": 2, "default_rated": 0}


def test_hotline_entry_needs_operator_and_check_code(hall, at):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        with pytest.raises(PermissionDenied):
            actions.submit_rating(
                case, channel=RatingChannel.HOTLINE, level="4", by=hall["clerk"], check_code=case.check_code
            )
        with pytest.raises(ValidationError):
            actions.submit_rating(
                case, channel=RatingChannel.HOTLINE, level="4", by=hall["operator"], check_code="1"
            )
        rating = actions.submit_rating(
            case, channel=RatingChannel.HOTLINE, level="4", by=hall["operator"], check_code=case.check_code
        )
    assert rating.entered_by == hall["operator"] and rating.rater is None


def _bad(hall, at, *, anonymous=False):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        return actions.submit_rating(
            case,
            channel=RatingChannel.QR,
            level="1",
            comment="等了很久",
            token=tokens.case_token(case.pk),
            anonymous=anonymous,
        )


def test_bad_review_runs_verify_callback_rectify_feedback_on_the_clock(hall, at):
    rating = _bad(hall, at)
    review = rating.review
    assert review.status == ReviewStatus.VERIFYING and review.callback_required
    assert review.clock.kind == ClockKind.RECTIFY and review.clock.due_day == dt.date(
        2026, 3, 9
    )  # 5 working days
    assert review.clock.owner_department_id == rating.department_id
    # The department head is told, without the rater.
    head_note = Notification.objects.get(user=hall["head"], kind="rating")
    assert "张" not in head_note.body and "138" not in head_note.body
    with at(2026, 3, 3, 10):
        with pytest.raises(PermissionDenied):
            actions.verify_review(review, by=hall["clerk"], finding="fix_now", verification="x")
        with pytest.raises(ValidationError):
            actions.rectify_review(review, by=hall["head"], rectification="x")  # not verified yet
        actions.verify_review(
            review, by=hall["head"], finding="fix_now", verification="调取录像，确有排队过久"
        )
        actions.rectify_review(review, by=hall["head"], rectification="增开午间窗口")
        with pytest.raises(ValidationError) as exc:
            actions.feed_back(review, by=hall["head"], feedback="已增开窗口")
        assert "回访" in str(exc.value)
        actions.record_callback(review, by=hall["head"], result="satisfied", notes="电话回访，群众认可")
        review = actions.feed_back(review, by=hall["head"], feedback="已增开午间窗口，感谢监督")
    assert review.status == ReviewStatus.CLOSED
    assert review.clock.state == ClockState.STOPPED and review.clock.late is False
    # The rater (phone of the applicant) gets the feedback by SMS.
    assert Notification.objects.filter(phone="13800138000", title="差评整改反馈").exists()
    figures = rectification_figures(MARCH)
    assert (
        figures["bad_reviews"] == 1 and figures["closed_on_time"] == 1 and figures["callback_rate"] == 100.0
    )


def test_anonymous_bad_review_needs_no_callback(hall, at):
    rating = _bad(hall, at, anonymous=True)
    review = rating.review
    assert not review.callback_required
    with at(2026, 3, 3, 10):
        with pytest.raises(ValidationError):
            actions.record_callback(review, by=hall["head"], result="satisfied", notes="x")
        actions.verify_review(review, by=hall["supervisor"], finding="explain", verification="依法须现场核验")
        actions.rectify_review(review, by=hall["supervisor"], rectification="解释说明")
        actions.feed_back(review, by=hall["supervisor"], feedback="已说明")
    assert rectification_figures(MARCH)["callback_rate"] is None


def test_overdue_rectification_is_supervised_like_any_clock(hall, at):
    rating = _bad(hall, at)
    sweep_once(at=rating.review.clock.due_at + dt.timedelta(minutes=1))
    alert = Alert.objects.get(clock=rating.review.clock, level="red")
    assert alert.kind == "rectify" and alert.department_id == rating.department_id
    assert alert.responsible == hall["head"]


def test_appeal_upheld_leaves_statistics_but_keeps_the_record(hall, at):
    rating = _bad(hall, at)
    with at(2026, 3, 2, 10):
        good = window_case(hall)
        actions.submit_rating(good, channel=RatingChannel.QR, level="5", token=tokens.case_token(good.pk))
    assert indicator_table(MARCH)[0].values["satisfaction_rate"] == 50
    with at(2026, 3, 3, 10):
        with pytest.raises(PermissionDenied):
            actions.file_appeal(rating, by=hall["clerk"], ground="malicious", reason="r", evidence="e")
        with pytest.raises(ValidationError) as exc:
            actions.file_appeal(rating, by=hall["head"], ground="malicious", reason="", evidence="录像")
        assert "reason" in exc.value.message_dict
        appeal = actions.file_appeal(
            rating, by=hall["head"], ground="malicious", reason="评价人办理的不是本窗口事项", evidence="录像"
        )
        with pytest.raises(ValidationError):
            actions.file_appeal(rating, by=hall["head"], ground="malicious", reason="again", evidence="e")
        with pytest.raises(PermissionDenied):
            actions.decide_appeal(appeal, by=hall["head"], upheld=True, decision="x")
        actions.decide_appeal(appeal, by=hall["supervisor"], upheld=True, decision="经核实属误评")
    rating.refresh_from_db()
    assert not rating.counted and rating.excluded_at is not None and rating.level == "1"
    assert rating.review.status == ReviewStatus.WITHDRAWN and rating.review.clock.state == ClockState.STOPPED
    assert rating.appeals.get().status == AppealStatus.UPHELD
    assert indicator_table(MARCH)[0].values["satisfaction_rate"] == 100
    assert indicator_table(MARCH)[0].values["rated"] == 1
    assert "appeal_upheld" in set(rating.events.values_list("kind", flat=True))


def test_invitations_by_sms_and_default_ratings(hall, at, settings):
    with at(2026, 3, 2, 10):
        case = window_case(hall)
        rated = window_case(hall)
        actions.submit_rating(rated, channel=RatingChannel.QR, level="5", token=tokens.case_token(rated.pk))
        # The invitations read the chained audit trail: run_jobs links it first (audit_linked), as here.
        link_audit()
        actions.invite_concluded()
        actions.invite_concluded()  # nothing twice
    sms = Notification.objects.filter(title="请对本次政务服务作出评价")
    assert sms.count() == 1 and f"/ratings/s/{tokens.case_token(case.pk)}/" in sms.get().body
    assert Invitation.objects.count() == 2
    assert actions.give_default_ratings() == 0  # off by default
    settings.GOVHALL_RATING_DEFAULT_AFTER_DAYS = 7
    with at(2026, 3, 5, 10):
        assert actions.give_default_ratings() == 0  # not yet
    with at(2026, 3, 10, 10):
        assert actions.give_default_ratings() == 1
        assert actions.give_default_ratings() == 0
    default = Rating.objects.get(case=case)
    assert default.is_default and default.channel == RatingChannel.DEFAULT and default.level == "4"
    assert rating_counts(MARCH)[None] == {"rated": 2, "satisfied": 2, "default_rated": 1}
    settings.GOVHALL_RATING_DEFAULT_LEVEL = "1"
    with pytest.raises(ValidationError):
        actions.give_default_ratings()


def test_appeal_evidence_file_is_kept_and_bounded(hall, at, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rating = _bad(hall, at)
    settings.GOVHALL_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("video.pdf", b"x" * (1024 * 1024 + 1), content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        actions.file_appeal(
            rating, by=hall["head"], ground="mistaken", reason="误评", evidence="录像", evidence_file=big
        )
    assert "evidence_file" in exc.value.message_dict
    small = SimpleUploadedFile("call.pdf", b"%PDF-1.4 call log", content_type="application/pdf")
    appeal = actions.file_appeal(
        rating, by=hall["head"], ground="mistaken", reason="误评", evidence="通话记录", evidence_file=small
    )
    assert appeal.evidence_file.read() == b"%PDF-1.4 call log"
