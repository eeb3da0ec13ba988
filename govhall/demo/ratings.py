"""The simulator's 好差评 hook: after the cases have run, their applicants rate the concluded ones through the real
rating actions — a realistic mix of channels and levels, some bad reviews verified, called back, rectified and fed
back (a few late), and some appeals decided by a supervisor."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from govhall.calendars import engine as calendar
from govhall.cases.choices import CaseStatus, Channel
from govhall.cases.models import Case
from govhall.core.clock import frozen_at, now
from govhall.org.choices import Role
from govhall.ratings import actions, tokens
from govhall.ratings.choices import RatingChannel

# Shares seen in published 好差评 figures: mostly 非常满意, a few per cent bad reviews.
LEVELS = (("5", 70), ("4", 18), ("3", 6), ("2", 4), ("1", 2))
RATED_SHARE = 0.75


def _people() -> tuple[dict[int, User], User | None]:
    heads: dict[int, User] = {}
    for user in User.objects.filter(groups__name=Role.DEPARTMENT_HEAD.value, is_active=True).order_by("pk"):
        for dept in user.staff.departments.values_list("pk", flat=True):
            heads.setdefault(dept, user)
    supervisor = (
        User.objects.filter(groups__name=Role.SUPERVISOR.value, is_active=True).order_by("pk").first()
    )
    return heads, supervisor


def _level(rng: random.Random) -> str:
    return rng.choices([lv for lv, _ in LEVELS], weights=[w for _, w in LEVELS])[0]


def _rate(case: Case, rng: random.Random, level: str) -> Any:
    comment = {"1": "多次往返，材料要求不清楚", "2": "等候时间较长"}.get(level, "")
    if case.channel == Channel.WINDOW and case.window_id is not None and rng.random() < 0.5:
        return actions.submit_rating(
            case,
            channel=RatingChannel.WINDOW,
            level=level,
            comment=comment,
            device_key=tokens.device_key(case.window_id),
        )
    if case.channel == Channel.ONLINE and rng.random() < 0.6:
        return actions.submit_rating(
            case, channel=RatingChannel.ONLINE, level=level, comment=comment, check_code=case.check_code
        )
    channel = RatingChannel.QR if rng.random() < 0.5 else RatingChannel.SMS
    return actions.submit_rating(
        case,
        channel=channel,
        level=level,
        comment=comment,
        token=tokens.case_token(case.pk),
        anonymous=rng.random() < 0.1,
    )


def _later(instant: datetime, workdays: int, rng: random.Random) -> datetime:
    day = calendar.add_working_days(calendar.local_date(instant), workdays).value
    return calendar.deadline_instant(day) - timedelta(hours=rng.randint(7, 14))


def rate_cases(case_pks: Sequence[int], *, seed: int = 0, end: datetime | None = None) -> dict[str, int]:
    """Rate the concluded cases among `case_pks`; returns counts for the simulation summary."""
    rng = random.Random(seed * 7919 + 11)
    end = min(end or now(), now())
    heads, supervisor = _people()
    counts: Counter[str] = Counter()
    cases = Case.objects.filter(
        pk__in=list(case_pks), status=CaseStatus.CONCLUDED, rating__isnull=True
    ).order_by("pk")
    for case in cases.select_related("item", "applicant"):
        if case.concluded_at is None or rng.random() > RATED_SHARE:
            continue
        at = case.concluded_at + timedelta(minutes=rng.randint(1, 240))
        if at > end:
            continue
        level = _level(rng)
        try:
            with frozen_at(at):
                rating = _rate(case, rng, level)
        except (ValidationError, PermissionDenied):
            counts["refused"] += 1
            continue
        counts["rated"] += 1
        review = getattr(rating, "review", None) if rating.is_bad else None
        if review is None:
            continue
        counts["bad_reviews"] += 1
        handler = heads.get(rating.department_id) or supervisor
        if handler is None:
            continue
        if rng.random() < 0.15 and rating.department_id in heads and supervisor is not None:
            # The department appeals; the supervisor upholds about half.
            with frozen_at(_later(at, 1, rng)):
                appeal = actions.file_appeal(
                    rating,
                    by=heads[rating.department_id],
                    ground="mistaken",
                    reason="评价对象有误",
                    evidence="窗口录像",
                )
            when = _later(at, 2, rng)
            if when <= end:
                with frozen_at(when):
                    actions.decide_appeal(
                        appeal, by=supervisor, upheld=rng.random() < 0.5, decision="经复核作出结论"
                    )
                counts["appeals"] += 1
                review.refresh_from_db()
                if not review.is_open:
                    continue
        steps: list[tuple[int, Any, dict[str, Any]]] = [
            (1, actions.verify_review, {"finding": "fix_now", "verification": "经核实情况属实"}),
            (2, actions.rectify_review, {"rectification": "加强窗口培训，完善一次性告知"}),
        ]
        if review.callback_required:
            steps.append((2, actions.record_callback, {"result": "accepted", "notes": "电话回访，认可整改"}))
        # Most are fed back within the limit, some late (the supervision ladder sees them).
        steps.append((rng.choice((3, 4, 4, 5, 7)), actions.feed_back, {"feedback": "已整改，感谢监督"}))
        for offset, step, fields in steps:
            when = _later(at, offset, rng)
            if when > end:
                break
            with frozen_at(when):
                step(review, by=handler, **fields)
        else:
            counts["rectified"] += 1
    return dict(counts)
