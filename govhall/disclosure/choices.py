"""Choice classes of public disclosure (《政府信息公开条例》, 2019 revision)."""

from __future__ import annotations

from govhall.core.choices import ColoredChoices


class DisclosureCategory(ColoredChoices):
    """What kind of information a catalog record is (主动公开的范围, 条例第十九条至第二十一条)."""

    REGULATION = "regulation", "规章"
    NORMATIVE = "normative", "规范性文件"
    PLAN = "plan", "规划计划"
    BUDGET = "budget", "财政预决算"
    STATISTICS = "statistics", "统计信息"
    PERSONNEL = "personnel", "人事信息"
    PROCUREMENT = "procurement", "政府采购"
    POWER = "power", "权力清单与权力运行"
    SUPERVISION = "supervision", "监管执法结果"
    DECISION = "decision", "重大行政决策"
    OTHER = "other", "其他"


DisclosureCategory.set_colors(
    {
        DisclosureCategory.REGULATION: "red",
        DisclosureCategory.NORMATIVE: "orange",
        DisclosureCategory.PLAN: "blue",
        DisclosureCategory.BUDGET: "green",
        DisclosureCategory.STATISTICS: "purple",
        DisclosureCategory.PERSONNEL: "blue",
        DisclosureCategory.PROCUREMENT: "green",
        DisclosureCategory.POWER: "red",
        DisclosureCategory.SUPERVISION: "orange",
        DisclosureCategory.DECISION: "purple",
        DisclosureCategory.OTHER: "gray",
    }
)


class RecordStatus(ColoredChoices):
    DRAFT = "draft", "待公开"
    PUBLISHED = "published", "已公开"
    WITHDRAWN = "withdrawn", "已撤回"


RecordStatus.set_colors(
    {RecordStatus.DRAFT: "yellow", RecordStatus.PUBLISHED: "green", RecordStatus.WITHDRAWN: "gray"}
)


class DisclosureForm(ColoredChoices):
    """公开形式 (条例第二十三条、第二十四条)."""

    WEBSITE = "website", "政府网站"
    GAZETTE = "gazette", "政府公报"
    HALL = "hall", "政务服务中心公开栏"
    PRESS = "press", "新闻发布会"
    READING_ROOM = "reading_room", "公共查阅室"
    OTHER = "other", "其他"


class Validity(ColoredChoices):
    """效力状态, printed on normative documents and regulations; other information is "不适用"."""

    VALID = "valid", "有效"
    AMENDED = "amended", "已修改"
    INVALID = "invalid", "已废止（失效）"
    NOT_APPLICABLE = "na", "不适用"


Validity.set_colors(
    {
        Validity.VALID: "green",
        Validity.AMENDED: "yellow",
        Validity.INVALID: "gray",
        Validity.NOT_APPLICABLE: "gray",
    }
)


class RequestChannel(ColoredChoices):
    """How a request arrived (条例第二十九条: 书面形式，包括数据电文；书面确有困难的可以口头提出，由行政机关代为填写)."""

    ONLINE = "online", "网上申请"
    LETTER = "letter", "信函申请"
    WINDOW = "window", "当面申请（窗口）"


class RequesterKind(ColoredChoices):
    """The requester columns of the annual report's table."""

    PERSON = "person", "自然人"
    BUSINESS = "business", "商业企业"
    RESEARCH = "research", "科研机构"
    PUBLIC_INTEREST = "public_interest", "社会公益组织"
    LEGAL_SERVICE = "legal_service", "法律服务机构"
    OTHER_ORG = "other_org", "其他组织"


class RequestStatus(ColoredChoices):
    RECEIVED = "received", "办理中"
    CLARIFYING = "clarifying", "待申请人补正"
    CONSULTING = "consulting", "征求第三方意见"
    ANSWERED = "answered", "已答复"
    ABANDONED = "abandoned", "逾期未补正（视为放弃）"
    WITHDRAWN = "withdrawn", "申请人撤回"


RequestStatus.set_colors(
    {
        RequestStatus.RECEIVED: "blue",
        RequestStatus.CLARIFYING: "yellow",
        RequestStatus.CONSULTING: "purple",
        RequestStatus.ANSWERED: "green",
        RequestStatus.ABANDONED: "gray",
        RequestStatus.WITHDRAWN: "gray",
    }
)

OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.CLARIFYING, RequestStatus.CONSULTING)


class RequestOutcome(ColoredChoices):
    """The answers of 条例第三十六条 (and 第三十七条 partial disclosure, 第三十八条 information that would have to be
    made, 第三十九条 requests that are not information requests)."""

    ALREADY_PUBLIC = "already_public", "已主动公开，告知获取方式和途径"
    DISCLOSED = "disclosed", "予以公开"
    PARTLY = "partly", "部分公开"
    WITHHELD = "withheld", "不予公开"
    NOT_EXIST = "not_exist", "经检索没有所申请公开信息（信息不存在）"
    NOT_THIS_AGENCY = "not_this_agency", "不属于本机关负责公开，告知负责公开的机关"
    NEEDS_CREATION = "needs_creation", "没有现成信息，需要另行制作"
    STILL_UNCLEAR = "still_unclear", "补正后申请内容仍不明确"
    SPECIAL_PROCEDURE = "special_procedure", "属于工商、不动产登记资料等，按有关法律法规办理"
    REPEATED = "repeated", "重复申请，不予重复处理"
    NOT_PROCESSED = "not_processed", "不予处理"


RequestOutcome.set_colors(
    {
        RequestOutcome.ALREADY_PUBLIC: "green",
        RequestOutcome.DISCLOSED: "green",
        RequestOutcome.PARTLY: "yellow",
        RequestOutcome.WITHHELD: "red",
        RequestOutcome.NOT_EXIST: "gray",
        RequestOutcome.NOT_THIS_AGENCY: "orange",
        RequestOutcome.NEEDS_CREATION: "gray",
        RequestOutcome.STILL_UNCLEAR: "gray",
        RequestOutcome.SPECIAL_PROCEDURE: "purple",
        RequestOutcome.REPEATED: "gray",
        RequestOutcome.NOT_PROCESSED: "gray",
    }
)


class WithholdReason(ColoredChoices):
    """Why information is withheld (条例第十四条至第十六条), the eight rows of the annual report's table."""

    STATE_SECRET = "state_secret", "属于国家秘密"
    LAW_FORBIDS = "law_forbids", "其他法律行政法规禁止公开"
    SECURITY = "security", "危及“三安全一稳定”"
    THIRD_PARTY = "third_party", "保护第三方合法权益"
    INTERNAL = "internal", "属于三类内部事务信息"
    PROCESS = "process", "属于四类过程性信息"
    ENFORCEMENT_FILE = "enforcement_file", "属于行政执法案卷"
    QUERY_MATTER = "query_matter", "属于行政查询事项"


class NotProcessedReason(ColoredChoices):
    """Why a request is not processed (条例第三十五条、第三十九条)."""

    PETITION = "petition", "信访举报投诉类申请"
    PUBLICATION = "publication", "要求提供公开出版物"
    MASS_REPEATED = "mass_repeated", "无正当理由大量反复申请"
    CONFIRMATION = "confirmation", "要求行政机关确认或重新出具已获取信息"


class RequestEventKind(ColoredChoices):
    RECEIVED = "received", "登记申请"
    CLARIFY_REQUESTED = "clarify_requested", "告知补正"
    CLARIFIED = "clarified", "申请人补正"
    CONSULTED = "consulted", "征求第三方意见"
    CONSULT_ENDED = "consult_ended", "第三方意见返回"
    EXTENDED = "extended", "延长答复期限"
    ANSWERED = "answered", "作出答复"
    ABANDONED = "abandoned", "逾期未补正，视为放弃"
    WITHDRAWN = "withdrawn", "申请人撤回"
