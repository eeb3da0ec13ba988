"""The public labels of the catalog's choices, marked for translation.

The choice classes keep plain Chinese labels (the API and exports use them as they are); the portal passes a label
through gettext when it shows it, and this list is what puts those labels into the .po file. A test checks that
every label of these classes has an English translation, so a new choice fails loudly until it is translated."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from govhall.catalog import choices as catalog_choices
from govhall.org import choices as org_choices

TRANSLATED_CHOICES = [
    catalog_choices.ItemType,
    catalog_choices.PowerSource,
    catalog_choices.ExerciseLevel,
    catalog_choices.TimeUnit,
    catalog_choices.HandlingKind,
    catalog_choices.Visits,
    catalog_choices.OnlineDepth,
    catalog_choices.ServiceTarget,
    catalog_choices.MaterialForm,
    catalog_choices.MaterialSource,
    catalog_choices.SpecialProcedure,
    catalog_choices.ProcessTemplate,
    org_choices.DepartmentGroup,
    org_choices.WindowKind,
]

LABELS = [
    # ItemType
    _("行政许可"),
    _("行政处罚"),
    _("行政强制"),
    _("行政征收"),
    _("行政给付"),
    _("行政检查"),
    _("行政确认"),
    _("行政奖励"),
    _("行政裁决"),
    _("其他行政权力"),
    _("公共服务"),
    # PowerSource
    _("法定本级行使"),
    _("上级下放"),
    _("上级授权"),
    _("同级授权"),
    _("上级委托"),
    _("同级委托"),
    # ExerciseLevel
    _("国家级"),
    _("省级"),
    _("市级"),
    _("县级"),
    _("乡镇（街道）级"),
    _("村（社区）级"),
    # TimeUnit
    _("工作日"),
    _("自然日"),
    _("小时"),
    _("分钟"),
    # HandlingKind
    _("即办件"),
    _("承诺件"),
    # Visits
    _("0次（零跑动）"),
    _("1次（最多跑一次）"),
    _("2次"),
    # OnlineDepth
    _("一级：网上咨询"),
    _("二级：表格下载、网上预约"),
    _("三级：网上申请、网上预审"),
    _("四级：全程网办"),
    # ServiceTarget
    _("自然人"),
    _("法人及其他组织"),
    _("自然人、法人及其他组织"),
    # MaterialForm
    _("原件"),
    _("复印件"),
    _("原件和复印件"),
    _("电子件"),
    # MaterialSource
    _("申请人自备"),
    _("政府部门核发"),
    _("中介机构出具"),
    # SpecialProcedure
    _("听证"),
    _("招标"),
    _("拍卖"),
    _("检验"),
    _("检测"),
    _("检疫"),
    _("鉴定"),
    _("专家评审"),
    _("公示"),
    _("现场勘查"),
    # ProcessTemplate
    _("即办流程"),
    _("标准承诺件流程"),
    _("含现场勘查流程"),
    _("含特别程序流程"),
    _("上报上级审批流程"),
    _("并联审批流程"),
    _("一件事联办流程"),
    # DepartmentGroup
    _("综合服务"),
    _("经济管理"),
    _("执法监察"),
    _("垂直管理"),
    # WindowKind
    _("综合受理窗口"),
    _("专业窗口"),
    _("出件窗口"),
    _("咨询导办"),
    _("代办窗口"),
]
