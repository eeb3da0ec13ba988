from __future__ import annotations

from govhall.core.choices import ColoredChoices


class DocumentKind(ColoredChoices):
    ACCEPTANCE = "acceptance", "受理通知书"
    CORRECTION = "correction", "补正材料通知书"
    REFUSAL = "refusal", "不予受理决定书"
    REDIRECT = "redirect", "不予受理告知书（非本机关职权）"
    EXTENSION = "extension", "延期办理通知书"
    SPECIAL_PROCEDURE = "special_procedure", "特别程序告知书"
    APPROVAL = "approval", "准予行政许可决定书"
    DISAPPROVAL = "disapproval", "不予行政许可决定书"
    CERTIFICATE = "certificate", "证照"
    WITHDRAWAL = "withdrawal", "撤回申请确认书"
    INFO_CLARIFY = "info_clarify", "政府信息公开申请补正告知书"
    INFO_EXTENSION = "info_extension", "延长政府信息公开答复期限告知书"
    INFO_ANSWER = "info_answer", "政府信息公开申请答复书"


DocumentKind.set_colors(
    {
        DocumentKind.ACCEPTANCE: "green",
        DocumentKind.CORRECTION: "orange",
        DocumentKind.REFUSAL: "red",
        DocumentKind.REDIRECT: "red",
        DocumentKind.EXTENSION: "yellow",
        DocumentKind.SPECIAL_PROCEDURE: "purple",
        DocumentKind.APPROVAL: "green",
        DocumentKind.DISAPPROVAL: "red",
        DocumentKind.CERTIFICATE: "blue",
        DocumentKind.WITHDRAWAL: "gray",
        DocumentKind.INFO_CLARIFY: "orange",
        DocumentKind.INFO_EXTENSION: "yellow",
        DocumentKind.INFO_ANSWER: "blue",
    }
)

# The 发文字号 abbreviation of each kind (e.g. 市场监管局受〔2026〕123号). Refusals and disapprovals get two
# characters so that they never read like the acceptance or approval series.
KIND_ABBREVIATIONS: dict[str, str] = {
    DocumentKind.ACCEPTANCE: "受",
    DocumentKind.CORRECTION: "补",
    DocumentKind.REFUSAL: "不受",
    DocumentKind.REDIRECT: "告",
    DocumentKind.EXTENSION: "延",
    DocumentKind.SPECIAL_PROCEDURE: "特",
    DocumentKind.APPROVAL: "准",
    DocumentKind.DISAPPROVAL: "不准",
    DocumentKind.CERTIFICATE: "证",
    DocumentKind.WITHDRAWAL: "撤",
    DocumentKind.INFO_CLARIFY: "公补",
    DocumentKind.INFO_EXTENSION: "公延",
    DocumentKind.INFO_ANSWER: "公答",
}


class DocumentStatus(ColoredChoices):
    PENDING = "pending", "待签章"
    SEALED = "sealed", "已签章"


DocumentStatus.set_colors({DocumentStatus.PENDING: "yellow", DocumentStatus.SEALED: "green"})


class SealStatus(ColoredChoices):
    ACTIVE = "active", "有效"
    # Replaced by a new seal when its validity ran out; documents it signed while valid still verify.
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已吊销"


SealStatus.set_colors({SealStatus.ACTIVE: "green", SealStatus.EXPIRED: "gray", SealStatus.REVOKED: "red"})
