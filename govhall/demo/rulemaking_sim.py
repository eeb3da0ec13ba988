"""The demo county's rule-making year: normative documents drafted over the twelve months before the simulated
period ends, left at every stage (drafting, comment, review, discussion, published awaiting filing, filed — one filed
late, one on a one-year validity that raises its expiry alert), a clean-up round that keeps some and repeals one, a
citizen's review request, and one major decision taken through every step of 《重大行政决策程序暂行条例》 to its
post-implementation evaluation. Everything goes through `rulemaking.actions`, each with its own instant."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User

from govhall.core.tz import SHANGHAI
from govhall.org.choices import Role
from govhall.org.models import Department
from govhall.rulemaking import actions
from govhall.rulemaking.choices import DECISION_STEPS, DocStage
from govhall.rulemaking.models import CleanupRound, NormativeDocument

TITLES = [
    "县农贸市场管理办法",
    "县城区占道经营管理规定",
    "县企业开办“一件事”联办实施细则",
    "县政务服务“好差评”实施办法",
    "县城乡居民临时救助实施办法",
    "县建设工程施工扬尘防治管理规定",
    "县住房公积金缴存管理办法",
    "县公共租赁住房保障管理办法",
    "县餐饮服务食品安全量化分级管理办法",
    "县农村宅基地审批管理办法",
    "县城市道路挖掘管理规定",
    "县行政执法公示实施办法",
]
# Where each document stops: the last twelve months' documents, the older ones furthest along.
STOPS = [
    "expiring",
    "filed",
    "filed",
    "filed",
    "filed_late",
    "filed",
    "filed",
    "published",
    "discussion",
    "review",
    "comment",
    "drafting",
]
COMMENTS = ["建议明确收费标准并公示", "建议增加过渡期", "条款表述不清，建议细化", "建议听取经营户意见"]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def run(
    *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
) -> dict[str, Any]:
    rng = random.Random(seed + 1616)
    legal = User.objects.filter(groups__name=Role.LEGAL_OFFICER.value, is_active=True).order_by("pk").first()
    leader = User.objects.filter(groups__name=Role.LEADER.value, is_active=True).order_by("pk").first()
    organs = list(Department.objects.filter(active=True).order_by("sort_order", "pk")[:8])
    if legal is None or leader is None or not organs:
        log("没有法制办、领导或部门：不模拟规范性文件与重大决策")
        return {"skipped": True}
    end = period[1]
    start = end - timedelta(days=360)
    stages: Counter[str] = Counter()
    documents: list[NormativeDocument] = []
    for i, (title, stop) in enumerate(zip(TITLES, STOPS, strict=True)):
        organ = organs[i % len(organs)]
        day = start + timedelta(days=i * 27 + rng.randint(0, 5))
        doc = actions.draft_document(
            by=legal, organ=organ, title=title, summary=f"{organ.name}起草", at=_at(day, 9)
        )
        if stop != "drafting":
            doc = _make(doc, stop, rng, legal, leader, day)
        documents.append(doc)
        stages[doc.stage] += 1
    # The clean-up round in the last month: keep the documents in force but one, repealed.
    cleanup_day = end - timedelta(days=20)
    cleanup_at = _at(cleanup_day)
    # Every document in force when the round opens gets a result (an earlier run's too).
    in_force = list(
        NormativeDocument.objects.filter(
            stage__in=(DocStage.PUBLISHED, DocStage.FILED), published_at__lte=cleanup_at
        ).order_by("published_at", "pk")
    )
    cleanup = CleanupRound.objects.filter(closed_at__isnull=True).first() or actions.start_cleanup(
        by=legal, title=f"{end.year}年度规范性文件清理", at=cleanup_at
    )
    decided = set(cleanup.items.values_list("document_id", flat=True))
    for n, doc in enumerate(d for d in in_force if d.pk not in decided):
        decision = "repeal" if n == 1 else "keep"
        reason = "上位法已修订，内容不再适用" if decision == "repeal" else ""
        actions.decide_cleanup(
            cleanup, doc, by=legal, decision=decision, reason=reason, at=_at(cleanup_day, 11)
        )
    actions.close_cleanup(cleanup, by=legal, at=_at(cleanup_day + timedelta(days=1)))
    # A citizen's request about a document in force, answered in time.
    target = (
        NormativeDocument.objects.filter(pk__in=[d.pk for d in documents[1:]], stage=DocStage.FILED)
        .order_by("pk")
        .first()
    )
    reviews = 0
    if target is not None:
        received = end - timedelta(days=40)
        review = actions.request_review(
            target, applicant="刘某", reason="第五条增加了上位法没有规定的申请材料", at=_at(received)
        )
        actions.answer_review(
            review,
            by=legal,
            outcome="correct",
            answer="经审查，第五条增设材料缺乏依据，已责令制定机关修改",
            at=_at(received + timedelta(days=25)),
        )
        reviews = 1
    decision = _decision(legal, leader, organs[-1], end)
    expiry = actions.run_expiry(at=_at(end, 18))
    summary = {
        "documents": len(documents),
        "stages": dict(
            sorted(
                Counter(
                    d.stage for d in NormativeDocument.objects.filter(pk__in=[x.pk for x in documents])
                ).items()
            )
        ),
        "citizen_reviews": reviews,
        "decision": {
            "number": decision.number,
            "status": decision.status,
            "index_number": decision.index_number,
        },
        "expiry": expiry,
    }
    log(f"规范性文件 {len(documents)} 件，重大行政决策 1 项（{decision.get_status_display()}）")
    return summary


def _make(
    doc: NormativeDocument, stop: str, rng: random.Random, legal: User, leader: User, day: date
) -> NormativeDocument:
    doc = actions.open_comment(doc, by=legal, at=_at(day))
    if stop == "comment":
        return doc
    for k in range(rng.randint(0, 3)):
        comment = actions.record_comment(
            doc,
            by=None,
            commenter=f"群众{k + 1}",
            content=COMMENTS[(k + doc.pk) % len(COMMENTS)],
            at=_at(day + timedelta(days=k + 1)),
        )
        actions.answer_comment(
            comment,
            by=legal,
            adopted=k % 2 == 0,
            answer="采纳" if k % 2 == 0 else "已有规定，不予采纳",
            at=_at(day + timedelta(days=k + 2)),
        )
    assert doc.comment_clock is not None and doc.comment_clock.due_at is not None
    closed = doc.comment_clock.due_at + timedelta(hours=9)
    doc = actions.submit_for_review(doc, by=legal, at=closed)
    if stop == "review":
        return doc
    reviewed = closed + timedelta(days=3)
    doc = actions.review_legality(
        doc, by=legal, conclusion="lawful", opinion="经审核，制定主体、权限、程序和内容合法", at=reviewed
    )
    if stop == "discussion":
        return doc
    held = reviewed + timedelta(days=4)
    doc = actions.record_discussion(
        doc,
        by=leader,
        meeting="县人民政府常务会议",
        held_on=held.astimezone(SHANGHAI).date(),
        approved=True,
        at=held,
    )
    published = held + timedelta(days=3)
    doc = actions.publish_document(
        doc,
        by=legal,
        document_number=f"示政规〔{published.year}〕{doc.pk}号",
        valid_years=1 if stop == "expiring" else None,
        at=published,
    )
    if stop == "published":
        return doc
    late = stop == "filed_late"
    filed = published + timedelta(days=36 if late else rng.randint(5, 20))
    return actions.file_document(
        doc, by=legal, filed_with="市人民政府", filing_number=f"BA{doc.pk:05d}", at=filed
    )


def _decision(legal: User, leader: User, organ: Department, end: date) -> Any:
    started = end - timedelta(days=300)
    decision = actions.start_decision(
        by=leader,
        organ=organ,
        title="县城老旧小区改造三年行动计划",
        description="涉及 36 个小区、4200 户",
        at=_at(started),
    )
    decision = actions.open_participation(decision, by=legal, at=_at(started, 11))
    assert decision.comment_clock is not None and decision.comment_clock.due_at is not None
    when = decision.comment_clock.due_at + timedelta(hours=9)
    summaries = {
        "participation": "网上征求意见 30 日，召开座谈会 2 场，收到意见 86 条，采纳 21 条",
        "experts": "组织规划、建筑、财政专家 5 人论证，认为方案可行",
        "risk": "社会稳定风险评估：低风险，已制定化解措施",
        "legality": "经司法局合法性审查，决策权限和程序合法",
        "discussion": "县人民政府常务会议讨论通过，按计划分三年实施",
        "publication": "在政府网站公布决定全文",
        "evaluation": "实施后评估：已完成 12 个小区改造，群众满意度 93%",
    }
    for n, step in enumerate(DECISION_STEPS):
        at = when + timedelta(days=7 * n) if step != "evaluation" else _at(end - timedelta(days=2))
        actions.record_step(
            decision, by=legal if step == "legality" else leader, step=step, summary=summaries[step], at=at
        )
    decision.refresh_from_db()
    return decision
