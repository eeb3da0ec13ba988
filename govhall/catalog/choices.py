from django.db import models

from govhall.core.choices import ColoredChoices


class ItemType(ColoredChoices):
    """事项类型 with the two-digit codes of the national implementation list."""

    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    COERCION = "03", "行政强制"
    LEVY = "04", "行政征收"
    BENEFIT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


class PowerSource(ColoredChoices):
    STATUTORY = "statutory", "法定本级行使"
    DEVOLVED = "devolved", "上级下放"
    AUTHORISED_BY_UPPER = "authorised_upper", "上级授权"
    AUTHORISED_BY_PEER = "authorised_peer", "同级授权"
    ENTRUSTED_BY_UPPER = "entrusted_upper", "上级委托"
    ENTRUSTED_BY_PEER = "entrusted_peer", "同级委托"


class ExerciseLevel(ColoredChoices):
    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇（街道）级"
    VILLAGE = "village", "村（社区）级"


class TimeUnit(ColoredChoices):
    WORKDAY = "workday", "工作日"
    DAY = "day", "自然日"
    HOUR = "hour", "小时"
    MINUTE = "minute", "分钟"


class HandlingKind(ColoredChoices):
    INSTANT = "instant", "即办件"
    PROMISED = "promised", "承诺件"


HandlingKind.set_colors({HandlingKind.INSTANT: "green", HandlingKind.PROMISED: "blue"})


class Visits(models.IntegerChoices):
    """到现场次数: 0 is 零跑动, 1 is 最多跑一次."""

    ZERO = 0, "0次（零跑动）"
    ONE = 1, "1次（最多跑一次）"
    TWO = 2, "2次"


class OnlineDepth(ColoredChoices):
    """网上办理深度, from publishing the guide (1) to fully online handling (4)."""

    INFO = "1", "一级：网上咨询"
    DOWNLOAD = "2", "二级：表格下载、网上预约"
    PREVIEW = "3", "三级：网上申请、网上预审"
    FULL = "4", "四级：全程网办"


OnlineDepth.set_colors(
    {
        OnlineDepth.INFO: "gray",
        OnlineDepth.DOWNLOAD: "blue",
        OnlineDepth.PREVIEW: "orange",
        OnlineDepth.FULL: "green",
    }
)


class ServiceTarget(ColoredChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人及其他组织"
    BOTH = "both", "自然人、法人及其他组织"


class ItemStatus(ColoredChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUSPENDED = "suspended", "暂停办理"
    ABOLISHED = "abolished", "已取消"


ItemStatus.set_colors(
    {
        ItemStatus.DRAFT: "gray",
        ItemStatus.PUBLISHED: "green",
        ItemStatus.SUSPENDED: "yellow",
        ItemStatus.ABOLISHED: "red",
    }
)


class MaterialForm(ColoredChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    ORIGINAL_AND_COPY = "original_and_copy", "原件和复印件"
    ELECTRONIC = "electronic", "电子件"


class MaterialSource(ColoredChoices):
    APPLICANT = "applicant", "申请人自备"
    GOVERNMENT = "government", "政府部门核发"
    INTERMEDIARY = "intermediary", "中介机构出具"


class SpecialProcedure(ColoredChoices):
    """Procedures whose time is not counted (《行政许可法》 art. 45), plus publicity and site inspection."""

    HEARING = "hearing", "听证"
    TENDERING = "tendering", "招标"
    AUCTION = "auction", "拍卖"
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"
    PUBLICITY = "publicity", "公示"
    SITE_INSPECTION = "site_inspection", "现场勘查"


class ProcessTemplate(ColoredChoices):
    """The seven standard processes (domain §6). Issue #3 turns these codes into full template data."""

    INSTANT = "instant", "即办流程"
    STANDARD = "standard", "标准承诺件流程"
    SITE_INSPECTION = "site_inspection", "含现场勘查流程"
    SPECIAL_PROCEDURE = "special_procedure", "含特别程序流程"
    REPORT_UPWARD = "report_upward", "上报上级审批流程"
    JOINT_REVIEW = "joint_review", "并联审批流程"
    BUNDLE = "bundle", "一件事联办流程"


class JoinRule(ColoredChoices):
    """How the opinions of a parallel joint review (并联审批) join; an item may override its template's rule."""

    ALL = "all", "全部同意（会签）"
    ANY = "any", "任一同意（或签）"
    RATIO = "ratio", "按比例同意"


JoinRule.set_colors({JoinRule.ALL: "blue", JoinRule.ANY: "green", JoinRule.RATIO: "orange"})


class FieldKind(ColoredChoices):
    """申请表字段的类型：决定网上申请页的输入框和提交时的校验。"""

    TEXT = "text", "文本"
    LONG_TEXT = "long_text", "多行文本"
    NUMBER = "number", "数字"
    DATE = "date", "日期"
    CHOICE = "choice", "单选"
    YES_NO = "yes_no", "是/否"
    ID_NUMBER = "id_number", "身份证号码"
    USCC = "uscc", "统一社会信用代码"
    PHONE = "phone", "电话号码"


class Prefill(ColoredChoices):
    """Where a form field's first value comes from: the signed-in applicant's identity."""

    NONE = "", "不预填"
    NAME = "name", "申请人姓名/单位名称"
    ID_NUMBER = "id_number", "申请人证件号码"
    PHONE = "phone", "联系电话"
    ADDRESS = "address", "联系地址"
    LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
