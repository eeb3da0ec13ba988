"""Choice classes of the normative-document registry and of major administrative decisions."""

from govhall.core.choices import ColoredChoices


class DocStage(ColoredChoices):
    """Where a normative document (行政规范性文件) stands. The first six are the making of it, in this order and none
    skipped (国办发〔2018〕37号: drafting, comment, legality review, collective discussion, publication, filing); the
    last two end its life."""

    DRAFTING = "drafting", "起草"
    COMMENT = "comment", "公开征求意见"
    REVIEW = "review", "合法性审核"
    DISCUSSION = "discussion", "集体审议"
    PUBLISHED = "published", "已公布（待备案）"
    FILED = "filed", "已备案（有效）"
    EXPIRED = "expired", "已失效"
    REPEALED = "repealed", "已废止"


DocStage.set_colors(
    {
        DocStage.DRAFTING: "gray",
        DocStage.COMMENT: "blue",
        DocStage.REVIEW: "purple",
        DocStage.DISCUSSION: "orange",
        DocStage.PUBLISHED: "yellow",
        DocStage.FILED: "green",
        DocStage.EXPIRED: "gray",
        DocStage.REPEALED: "red",
    }
)

# The making of a document, in order: each step moves exactly one place along.
MAKING_ORDER: tuple[DocStage, ...] = (
    DocStage.DRAFTING,
    DocStage.COMMENT,
    DocStage.REVIEW,
    DocStage.DISCUSSION,
    DocStage.PUBLISHED,
    DocStage.FILED,
)
IN_FORCE = (DocStage.PUBLISHED, DocStage.FILED)


class ReviewConclusion(ColoredChoices):
    """合法性审核意见 (国办发〔2018〕115号)."""

    LAWFUL = "lawful", "合法，同意提交审议"
    AMEND = "amend", "修改后提交审议"
    UNLAWFUL = "unlawful", "不合法，退回起草"


ReviewConclusion.set_colors(
    {ReviewConclusion.LAWFUL: "green", ReviewConclusion.AMEND: "yellow", ReviewConclusion.UNLAWFUL: "red"}
)


class CleanupDecision(ColoredChoices):
    """清理结论 for one document in a clean-up round."""

    KEEP = "keep", "继续有效"
    AMEND = "amend", "需要修改"
    REPEAL = "repeal", "废止"


CleanupDecision.set_colors(
    {CleanupDecision.KEEP: "green", CleanupDecision.AMEND: "yellow", CleanupDecision.REPEAL: "red"}
)


class CitizenReviewOutcome(ColoredChoices):
    """The answer to a citizen's request that a normative document be reviewed."""

    LAWFUL = "lawful", "经审查未发现违法，维持"
    CORRECT = "correct", "存在问题，责令制定机关修改"
    REPEAL = "repeal", "违法，予以废止"
    REJECTED = "rejected", "不属于审查范围，不予审查"


CitizenReviewOutcome.set_colors(
    {
        CitizenReviewOutcome.LAWFUL: "green",
        CitizenReviewOutcome.CORRECT: "yellow",
        CitizenReviewOutcome.REPEAL: "red",
        CitizenReviewOutcome.REJECTED: "gray",
    }
)


class DecisionStep(ColoredChoices):
    """The steps of a major administrative decision (《重大行政决策程序暂行条例》), in order. The first five come before
    the decision and none may be skipped; publication follows it and evaluation closes the file."""

    PARTICIPATION = "participation", "公众参与"
    EXPERTS = "experts", "专家论证"
    RISK = "risk", "风险评估"
    LEGALITY = "legality", "合法性审查"
    DISCUSSION = "discussion", "集体讨论决定"
    PUBLICATION = "publication", "决策公布"
    EVALUATION = "evaluation", "决策后评估"


# The fixed process as data: a decision's steps are done in this order only.
DECISION_STEPS: tuple[DecisionStep, ...] = tuple(DecisionStep)
BEFORE_DECISION: tuple[DecisionStep, ...] = DECISION_STEPS[:5]


class DecisionStatus(ColoredChoices):
    PREPARING = "preparing", "决策程序进行中"
    DECIDED = "decided", "已作出决定"
    PUBLISHED = "published", "已公布、执行中"
    EVALUATED = "evaluated", "已完成决策后评估"
    SHELVED = "shelved", "集体讨论未通过"


DecisionStatus.set_colors(
    {
        DecisionStatus.PREPARING: "blue",
        DecisionStatus.DECIDED: "orange",
        DecisionStatus.PUBLISHED: "green",
        DecisionStatus.EVALUATED: "gray",
        DecisionStatus.SHELVED: "red",
    }
)
