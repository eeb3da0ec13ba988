from govhall.catalog.choices import SpecialProcedure
from govhall.core.choices import ColoredChoices


class Channel(ColoredChoices):
    WINDOW = "window", "窗口受理"
    ONLINE = "online", "网上申请"
    AGENT = "agent", "村级代办"


Channel.set_colors({Channel.WINDOW: "blue", Channel.ONLINE: "green", Channel.AGENT: "orange"})


class ApplicantKind(ColoredChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人及其他组织"


class CaseStatus(ColoredChoices):
    SUBMITTED = "submitted", "待受理"
    CORRECTION = "correction", "待补正"
    IN_PROGRESS = "in_progress", "办理中"
    SUSPENDED = "suspended", "特别程序中"
    DECIDED = "decided", "已决定（待联办办结）"
    CONCLUDED = "concluded", "已办结"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    REDIRECTED = "redirected", "非本机关职权"
    WITHDRAWN = "withdrawn", "已撤回"


CaseStatus.set_colors(
    {
        CaseStatus.SUBMITTED: "blue",
        CaseStatus.CORRECTION: "orange",
        CaseStatus.IN_PROGRESS: "blue",
        CaseStatus.SUSPENDED: "gray",
        CaseStatus.DECIDED: "purple",
        CaseStatus.CONCLUDED: "green",
        CaseStatus.NOT_ACCEPTED: "red",
        CaseStatus.REDIRECTED: "gray",
        CaseStatus.WITHDRAWN: "gray",
    }
)


class BundleStatus(ColoredChoices):
    """Where a 一件事 application stands as a whole (derived from its member cases, see cases.bundles)."""

    SUBMITTED = "submitted", "待受理"
    CORRECTION = "correction", "待补正"
    IN_PROGRESS = "in_progress", "并联办理中"
    CONCLUDED = "concluded", "已办结（待送达）"
    DELIVERED = "delivered", "已送达"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


BundleStatus.set_colors(
    {
        BundleStatus.SUBMITTED: "blue",
        BundleStatus.CORRECTION: "orange",
        BundleStatus.IN_PROGRESS: "blue",
        BundleStatus.CONCLUDED: "purple",
        BundleStatus.DELIVERED: "green",
        BundleStatus.NOT_ACCEPTED: "red",
        BundleStatus.WITHDRAWN: "gray",
    }
)

OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.CORRECTION,
    CaseStatus.IN_PROGRESS,
    CaseStatus.SUSPENDED,
    CaseStatus.DECIDED,
)
FINAL_STATUSES = (CaseStatus.CONCLUDED, CaseStatus.NOT_ACCEPTED, CaseStatus.REDIRECTED, CaseStatus.WITHDRAWN)


class IntakeOutcome(ColoredChoices):
    """《行政许可法》 art. 32 outcomes."""

    ACCEPTED = "accepted", "予以受理"
    DEEMED = "deemed", "逾期未告知，自收到材料之日起视为受理"
    CORRECTION = "correction", "一次性告知补正"
    REFUSED = "refused", "不予受理"
    NOT_OUR_AGENCY = "not_our_agency", "不属于本机关职权，告知向有关机关申请"


class Decision(ColoredChoices):
    APPROVED = "approved", "准予许可"
    REFUSED = "refused", "不予许可"


Decision.set_colors({Decision.APPROVED: "green", Decision.REFUSED: "red"})


class TaskStatus(ColoredChoices):
    OPEN = "open", "待领取"
    CLAIMED = "claimed", "办理中"
    DONE = "done", "已办理"
    CANCELLED = "cancelled", "已取消"


TaskStatus.set_colors(
    {
        TaskStatus.OPEN: "blue",
        TaskStatus.CLAIMED: "orange",
        TaskStatus.DONE: "green",
        TaskStatus.CANCELLED: "gray",
    }
)
ACTIVE_TASK = (TaskStatus.OPEN, TaskStatus.CLAIMED)


class TaskAction(ColoredChoices):
    APPROVE = "approve", "同意"
    RETURN = "return", "退回"
    REFUSE = "refuse", "不同意"


class JoinResult(ColoredChoices):
    """Where a case's parallel joint review stands: every branch not yet heard, enough approvals, or not."""

    PENDING = "pending", "审查中"
    PASSED = "passed", "联合审查通过"
    FAILED = "failed", "联合审查未通过"


JoinResult.set_colors({JoinResult.PENDING: "blue", JoinResult.PASSED: "green", JoinResult.FAILED: "red"})


class PauseKind(ColoredChoices):
    """Time not counted: correction, and the special procedures of art. 45 (plus publicity, site inspection)."""

    CORRECTION = "correction", "补正材料"
    HEARING = SpecialProcedure.HEARING.value, SpecialProcedure.HEARING.label
    TENDERING = SpecialProcedure.TENDERING.value, SpecialProcedure.TENDERING.label
    AUCTION = SpecialProcedure.AUCTION.value, SpecialProcedure.AUCTION.label
    INSPECTION = SpecialProcedure.INSPECTION.value, SpecialProcedure.INSPECTION.label
    TESTING = SpecialProcedure.TESTING.value, SpecialProcedure.TESTING.label
    QUARANTINE = SpecialProcedure.QUARANTINE.value, SpecialProcedure.QUARANTINE.label
    APPRAISAL = SpecialProcedure.APPRAISAL.value, SpecialProcedure.APPRAISAL.label
    EXPERT_REVIEW = SpecialProcedure.EXPERT_REVIEW.value, SpecialProcedure.EXPERT_REVIEW.label
    PUBLICITY = SpecialProcedure.PUBLICITY.value, SpecialProcedure.PUBLICITY.label
    SITE_INSPECTION = SpecialProcedure.SITE_INSPECTION.value, SpecialProcedure.SITE_INSPECTION.label
