"""The demo county's service items (政务服务事项), as data.

About 130 real items (names, legal bases, limits and materials as found in county implementation lists)
expanded to about 380 the way real lists grow: each licence has its 新办/变更/延续/注销/补办 sub-items,
sharing the main item's basic-code number with their own sub-item number. Legal limits follow the statute
where it names one (e.g. 《不动产登记暂行条例》第二十条: 30 working days) and 《行政许可法》第四十二条
(20 days) where it does not."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

# Material shorthand: form o 原件, c 复印件, oc 原件和复印件, e 电子件; source a 申请人, g 政府部门, i 中介.
_FORMS = {"o": "original", "c": "copy", "oc": "original_and_copy", "e": "electronic"}
_SOURCES = {"a": "applicant", "g": "government", "i": "intermediary"}


def m(
    name: str,
    *,
    req: bool = True,
    form: str = "o",
    copies: int = 1,
    e: bool = False,
    src: str = "a",
    notes: str = "",
) -> dict[str, Any]:
    return {
        "name": name,
        "required": req,
        "form": _FORMS[form],
        "copies": copies,
        "e_license_ok": e,
        "source": _SOURCES[src],
        "notes": notes,
    }


ID = m("申请人居民身份证", form="oc", e=True, src="g")
HUKOU = m("居民户口簿", form="oc", e=True, src="g")
BL = m("营业执照", form="c", e=True, src="g")
AGENT = m("授权委托书及经办人身份证明", req=False, form="oc", notes="委托他人办理的提供")
LEGAL_REP = m("法定代表人身份证明", form="c", e=True, src="g")
SITE_PROOF = m("经营场所使用证明（产权证明或租赁合同）", form="c", e=True)
PLAN = m("经营场所平面布局图", form="o")
BANK = m("本人社会保障卡或银行账户", form="c", e=True, src="g")


def form(title: str) -> dict[str, Any]:
    return m(title, form="o", notes="可在服务指南页面下载空白表格和示例样表")


def fee(name: str, standard: str, basis: str, waivable: bool = False) -> dict[str, Any]:
    return {"name": name, "standard": standard, "basis": basis, "waivable": waivable}


BDC_FEE = [
    fee(
        "不动产登记费",
        "住宅类每件80元，非住宅类每件550元；核发一本证书免收工本费，每增加一本加收10元",
        "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        waivable=True,
    )
]
NOTARY_FEE = [
    fee(
        "公证服务费",
        "按广西壮族自治区公证服务收费标准，每件200元起",
        "《公证服务收费管理办法》（发改价格〔2021〕1225号）及自治区公证服务收费标准",
        waivable=True,
    )
]

LICENSING_LAW = "《中华人民共和国行政许可法》第四十二条"


@dataclass(frozen=True)
class Spec:
    dept: str
    name: str
    type: str
    legal: int
    promised: int
    basis: str
    mats: list[dict[str, Any]]
    cond: str = ""
    instant: bool = False
    unit: str = "workday"
    punit: str | None = None
    visits: int = 1
    depth: str = "3"
    sp: tuple[str, ...] = ()
    tpl: str | None = None
    fees: list[dict[str, Any]] = field(default_factory=list)
    result: str = ""
    target: str = "enterprise"
    source: str = "statutory"
    in_hall: bool = True
    # Licence sub-items: lic is the certificate name, variants letters C 变更 R 延续 L 注销 B 补办.
    lic: str = ""
    variants: str = ""
    # Explicit sub-items: (name, overrides) sharing the main item's number.
    subs: tuple[tuple[str, dict[str, Any]], ...] = ()


S = Spec
E, P, B = "enterprise", "person", "both"

CORE: list[Spec] = [
    # 县市场监督管理局 ----------------------------------------------------------------------------------
    S("scj", "企业设立登记", "01", 3, 1,
      "《中华人民共和国公司法》第二十九条；《中华人民共和国市场主体登记管理条例》第三条、第十九条",
      [form("企业设立登记申请书"), m("公司章程", form="o"), LEGAL_REP, SITE_PROOF,
       m("股东的主体资格证明或自然人身份证明", form="c", e=True), AGENT],
      cond="申请人拟设立的企业名称、住所、经营范围、注册资本等符合法律、行政法规规定，申请材料齐全、符合法定形式。",
      visits=0, depth="4", result="营业执照",
      subs=(("营业执照变更登记", {"mats": [form("企业变更登记申请书"), m("变更事项的决议或决定", form="o"), BL, AGENT]}),
            ("企业营业执照注销登记", {"mats": [form("企业注销登记申请书"), m("清算报告或全体投资人承诺书", form="o"), BL],
                                   "visits": 0}),
            ("企业备案（章程、董事、监事、高级管理人员、联络员）", {"mats": [form("企业备案申请书"), m("备案事项相关材料", form="o"), BL],
                                   "type": "10", "visits": 0}),
            ("营业执照遗失补领", {"mats": [form("营业执照补领申请书"), m("营业执照遗失声明", form="o"), LEGAL_REP]}))),
    S("scj", "个体工商户设立登记", "01", 3, 1,
      "《促进个体工商户发展条例》第六条；《中华人民共和国市场主体登记管理条例》第三条",
      [form("个体工商户登记申请书"), ID, SITE_PROOF], instant=True, visits=0, depth="4", target=P,
      result="营业执照",
      subs=(("个体工商户变更登记", {"mats": [form("个体工商户变更登记申请书"), ID, BL]}),
            ("个体工商户注销登记", {"mats": [form("个体工商户注销登记申请书"), ID, BL], "visits": 0}),
            ("个体工商户转型为企业登记", {"mats": [form("个体工商户转型企业登记申请书"), ID, BL, m("企业章程或合伙协议", form="o")],
                                        "instant": False, "promised": 2}))),
    S("scj", "农民专业合作社设立登记", "01", 3, 1,
      "《中华人民共和国农民专业合作社法》第十六条；《中华人民共和国市场主体登记管理条例》第三条",
      [form("农民专业合作社登记申请书"), m("合作社章程", form="o"), m("成员名册及成员身份证明", form="c"),
       m("设立大会纪要", form="o"), SITE_PROOF], instant=True, result="营业执照",
      subs=(("农民专业合作社变更登记", {"mats": [form("农民专业合作社变更登记申请书"), m("成员大会决议", form="o"), BL]}),
            ("农民专业合作社注销登记", {"mats": [form("农民专业合作社注销登记申请书"), m("清算报告", form="o"), BL]}))),
    S("scj", "食品经营许可证核发", "01", 20, 5,
      "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
      [form("食品经营许可申请书"), BL, LEGAL_REP, PLAN, m("食品安全管理制度文本", form="o"),
       m("主要设备设施清单", form="o")],
      cond="具有与经营的食品品种、数量相适应的经营场所、设备设施、食品安全管理人员和管理制度，布局合理。",
      sp=("site_inspection",), result="食品经营许可证", lic="食品经营许可证", variants="CRLB"),
    S("scj", "药品零售企业许可", "01", 20, 10,
      "《中华人民共和国药品管理法》第五十一条、第五十二条；《药品经营和使用质量监督管理办法》",
      [form("药品经营许可证申请表"), BL, m("执业药师注册证及身份证明", form="c", e=True), SITE_PROOF, PLAN,
       m("质量管理文件及设施设备目录", form="o")],
      cond="有依法经过资格认定的药师或者其他药学技术人员，有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境。",
      sp=("site_inspection",), result="药品经营许可证（零售）", lic="药品经营许可证（零售）", variants="CRL"),
    S("scj", "特种设备使用登记", "01", 15, 3,
      "《中华人民共和国特种设备安全法》第三十三条；《特种设备使用管理规则》（TSG 08）",
      [form("特种设备使用登记表"), m("产品合格证及监督检验证明", form="c"), m("特种设备安装改造修理告知单", form="c"), BL],
      result="特种设备使用登记证", lic="特种设备使用登记证", variants="CL", depth="4", visits=0),
    S("scj", "第二类医疗器械经营备案", "10", 1, 1,
      "《医疗器械监督管理条例》第四十一条；《医疗器械经营监督管理办法》",
      [form("第二类医疗器械经营备案表"), BL, m("经营场所和库房地址证明", form="c"), m("质量管理制度目录", form="o")],
      instant=True, visits=0, depth="4", result="第二类医疗器械经营备案凭证",
      subs=(("第二类医疗器械经营备案变更", {"mats": [form("备案变更表"), BL]}),)),
    S("scj", "股权出质设立登记", "07", 1, 1,
      "《中华人民共和国民法典》第四百四十三条；《股权出质登记办法》",
      [form("股权出质登记申请书"), m("质押合同", form="c"), m("出质人和质权人主体资格证明", form="c", e=True)],
      instant=True, visits=0, depth="4", result="股权出质登记通知书",
      subs=(("股权出质变更登记", {"mats": [form("股权出质变更登记申请书"), m("变更事项证明", form="c")]}),
            ("股权出质注销登记", {"mats": [form("股权出质注销登记申请书"), m("主债权消灭或质权实现等证明", form="c")]}))),
    S("scj", "食品小作坊登记", "01", 20, 5,
      "《中华人民共和国食品安全法》第三十六条；《广西壮族自治区食品小作坊小餐饮和食品摊贩管理条例》",
      [form("食品小作坊登记申请表"), BL, PLAN, m("从业人员健康证明", form="c", e=True)],
      sp=("site_inspection",), result="食品小作坊登记证", lic="食品小作坊登记证", variants="CRL", target=B),
    S("scj", "计量标准器具核准", "01", 20, 10, "《中华人民共和国计量法》第六条、第七条；《计量标准考核办法》",
      [form("计量标准考核（复查）申请书"), m("计量标准技术报告", form="o"), m("计量标准器及配套设备检定或校准证书", form="c"),
       m("检定或校准人员能力证明", form="c")], sp=("testing", "site_inspection"), tpl="special_procedure",
      result="计量标准考核证书", lic="计量标准考核证书", variants="CRL"),
    # 国家税务总局容县税务局 --------------------------------------------------------------------------
    S("swju", "税务登记", "07", 1, 1,
      "《中华人民共和国税收征收管理法》第十五条；《税务登记管理办法》",
      [BL, LEGAL_REP, m("银行账户证明", form="c", req=False)], instant=True, visits=0, depth="4",
      cond="已领取营业执照的纳税人自领取之日起30日内办理信息确认。",
      subs=(("变更税务登记", {"mats": [form("变更税务登记表"), m("变更事项证明", form="c")]}),
            ("注销税务登记", {"mats": [form("注销税务登记申请表"), m("清税申报材料", form="o")], "instant": False,
                              "legal": 20, "promised": 3}),
            ("停业登记", {"mats": [form("停业复业报告书"), ID]}),
            ("复业登记", {"mats": [form("停业复业报告书"), ID]}))),
    S("swju", "增值税专用发票（增值税税控系统）最高开票限额审批", "01", 20, 1,
      "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第236项",
      [form("税务行政许可申请表"), m("增值税专用发票最高开票限额申请单", form="o"), LEGAL_REP],
      visits=0, depth="4", sp=("site_inspection",), result="准予税务行政许可决定书"),
    S("swju", "发票领用", "20", 1, 1, "《中华人民共和国发票管理办法》第十五条",
      [m("纳税人身份证明", form="c", e=True), m("经办人身份证明", form="c", e=True)], instant=True, visits=0, depth="4",
      subs=(("发票验旧", {}), ("发票缴销", {}))),
    S("swju", "代开增值税发票", "20", 1, 1, "《中华人民共和国发票管理办法》第十六条",
      [form("代开增值税发票缴纳税款申报单"), ID, m("合同或交易证明", form="c")], instant=True, target=B, depth="4",
      visits=0),
    S("swju", "契税申报", "04", 1, 1, "《中华人民共和国契税法》第二条、第九条、第十条",
      [form("契税纳税申报表"), ID, m("不动产权属转移合同", form="c")], instant=True, target=B,
      subs=(("契税减免办理", {"mats": [form("契税减免申请表"), ID, m("减免税证明材料", form="c")]}),)),
    S("swju", "车辆购置税申报", "04", 1, 1, "《中华人民共和国车辆购置税法》第十二条",
      [form("车辆购置税纳税申报表"), ID, m("机动车销售统一发票", form="o"), m("车辆合格证明", form="c")],
      instant=True, target=B, depth="4", visits=0),
    S("swju", "开具税收完税证明", "20", 1, 1, "《税收票证管理办法》第三十条",
      [ID, m("完税凭证或纳税记录", form="c", req=False)], instant=True, target=B, depth="4", visits=0),
    S("swju", "个人所得税综合所得汇算清缴", "20", 1, 1, "《中华人民共和国个人所得税法》第十一条",
      [ID], instant=True, target=P, depth="4", visits=0),
    # 县公安局 --------------------------------------------------------------------------------------------
    S("gaj", "户口迁移", "07", 20, 5, "《中华人民共和国户口登记条例》第十条",
      [form("户口迁移申请表"), HUKOU, ID, m("迁移事由证明（房产证、结婚证、录用通知等）", form="oc")],
      cond="符合本县户口迁移政策规定的落户条件。", target=P, result="户口迁移证明",
      subs=(("户口迁入（投靠亲属）", {"mats": [form("户口迁入申请表"), HUKOU, m("亲属关系证明", form="oc")]}),
            ("户口迁出", {"mats": [HUKOU, ID], "instant": True, "promised": 1}),
            ("户口登记项目变更更正", {"mats": [form("变更更正申请表"), HUKOU, m("变更更正依据证明", form="oc")],
                                   "promised": 10}))),
    S("gaj", "出生登记", "07", 1, 1, "《中华人民共和国户口登记条例》第七条",
      [m("出生医学证明", form="oc", e=True, src="g"), HUKOU, m("父母居民身份证和结婚证", form="oc", e=True)],
      instant=True, target=P, visits=1, depth="3", result="户口簿登记"),
    S("gaj", "死亡人员户口注销", "07", 1, 1, "《中华人民共和国户口登记条例》第八条",
      [m("居民死亡医学证明（推断）书或死亡证明", form="oc", src="g"), HUKOU, m("死者居民身份证", form="o")],
      instant=True, target=P, visits=1),
    S("gaj", "居民身份证申领", "07", 60, 30, "《中华人民共和国居民身份证法》第八条、第十一条",
      [HUKOU, m("近期免冠照片（现场采集）", form="e", src="g")], instant=True, unit="day", punit="minute",
      target=P, result="居民身份证",
      subs=(("居民身份证换领", {"mats": [HUKOU, m("原居民身份证", form="o")]}),
            ("居民身份证补领", {"mats": [HUKOU, m("居民身份证遗失情况说明", form="o", req=False)]}),
            ("临时居民身份证申领", {"mats": [HUKOU, m("近期免冠照片", form="o")], "legal": 3}))),
    S("gaj", "旅馆业特种行业许可证核发", "01", 20, 7, "《旅馆业治安管理办法》第四条",
      [form("特种行业许可证申请登记表"), BL, LEGAL_REP, m("消防安全检查合格证明或承诺", form="c"), PLAN],
      sp=("site_inspection",), result="特种行业许可证", lic="特种行业许可证（旅馆业）", variants="CL"),
    S("gaj", "大型群众性活动安全许可", "01", 7, 5, "《大型群众性活动安全管理条例》第十一条、第十三条",
      [form("大型群众性活动安全许可申请表"), m("活动安全工作方案", form="o"), m("场所管理者同意使用证明", form="o"),
       m("承办者合法成立证明", form="c", e=True)], result="大型群众性活动安全许可决定书"),
    S("gaj", "焰火晚会烟花爆竹燃放许可", "01", 20, 5, "《烟花爆竹安全管理条例》第三十二条、第三十三条",
      [form("焰火燃放许可申请表"), m("燃放作业方案", form="o"), m("燃放作业单位和人员资质证明", form="c")],
      sp=("site_inspection",), result="焰火燃放许可证"),
    S("gaj", "无犯罪记录证明开具", "20", 3, 1, "《公安机关办理无犯罪记录证明工作规定》",
      [ID, m("用途说明或单位介绍信", form="o", req=False)], instant=True, target=P, depth="4", visits=0),
    S("gaj", "印章刻制备案", "10", 1, 1, "《国务院关于第三批取消中央指定地方实施行政许可事项的决定》（国发〔2017〕7号）",
      [BL, LEGAL_REP, m("印章样模", form="e")], instant=True, visits=0, depth="4"),
    # 县公安局交通管理大队 --------------------------------------------------------------------------------
    S("jjdd", "机动车驾驶证核发", "01", 20, 1, "《中华人民共和国道路交通安全法》第十九条；《机动车驾驶证申领和使用规定》",
      [form("机动车驾驶证申请表"), ID, m("机动车驾驶人身体条件证明", form="o", e=True, src="i")],
      instant=True, target=P, result="机动车驾驶证",
      subs=(("机动车驾驶证换证", {"mats": [ID, m("机动车驾驶人身体条件证明", form="o", e=True, src="i")], "depth": "4",
                                "visits": 0}),
            ("机动车驾驶证补证", {"mats": [ID], "depth": "4", "visits": 0}),
            ("机动车驾驶证审验", {"mats": [ID, m("机动车驾驶证", form="o")]}))),
    S("jjdd", "机动车注册登记", "01", 2, 1, "《中华人民共和国道路交通安全法》第八条、第九条；《机动车登记规定》",
      [form("机动车注册、转移、注销登记/转入申请表"), ID, m("机动车来历证明", form="o"), m("机动车整车出厂合格证明", form="o"),
       m("车辆购置税完税证明", form="c", e=True, src="g"), m("机动车交通事故责任强制保险凭证", form="o", e=True)],
      instant=True, target=B, result="机动车登记证书、号牌、行驶证",
      subs=(("机动车转移登记", {"mats": [form("机动车转移登记申请表"), ID, m("机动车登记证书", form="o"), m("机动车来历证明", form="o")]}),
            ("机动车变更登记", {"mats": [form("机动车变更登记申请表"), ID, m("机动车登记证书", form="o")]}),
            ("机动车抵押登记", {"mats": [form("机动车抵押登记申请表"), ID, m("抵押合同", form="o")], "depth": "4", "visits": 0}),
            ("机动车注销登记", {"mats": [form("机动车注销登记申请表"), ID, m("机动车登记证书", form="o")]}))),
    # 县人力资源和社会保障局 / 社保中心 ------------------------------------------------------------------------
    S("sbzx", "社会保障卡申领", "20", 1, 1, "《中华人民共和国社会保险法》第五十八条",
      [ID, m("近期免冠照片（可现场采集）", form="e", req=False)], instant=True, target=P, depth="4", visits=0,
      result="社会保障卡",
      subs=(("社会保障卡补领、换领", {"mats": [ID]}), ("社会保障卡挂失与解挂", {"mats": [ID]}),
            ("社会保障卡信息变更", {"mats": [ID, m("变更依据证明", form="c")]}))),
    S("sbzx", "城乡居民养老保险参保登记", "20", 1, 1,
      "《中华人民共和国社会保险法》第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
      [form("城乡居民基本养老保险参保登记表"), ID, HUKOU], instant=True, target=P, depth="4", visits=0,
      subs=(("城乡居民养老保险待遇申领", {"type": "05", "legal": 20, "promised": 5, "instant": False,
                                        "mats": [form("城乡居民基本养老保险待遇申领表"), ID, BANK]}),
            ("城乡居民养老保险关系注销", {"mats": [form("城乡居民基本养老保险注销登记表"), ID, m("死亡或其他注销原因证明", form="c")]}),
            ("城乡居民养老保险关系转移接续", {"mats": [form("城乡居民基本养老保险关系转移接续申请表"), ID], "instant": False,
                                          "legal": 45, "promised": 15}))),
    S("sbzx", "企业职工基本养老保险参保登记", "20", 1, 1, "《中华人民共和国社会保险法》第五十七条、第五十八条",
      [form("社会保险参保登记表"), BL, m("劳动合同或用工证明", form="c")], instant=True, depth="4", visits=0,
      subs=(("社会保险参保信息变更登记", {"mats": [form("社会保险变更登记表"), m("变更事项证明", form="c")]}),
            ("社会保险注销登记", {"mats": [form("社会保险注销登记表"), m("注销原因证明", form="c")]}),
            ("职工基本养老保险关系转移接续", {"instant": False, "legal": 45, "promised": 15, "target": P,
                                            "mats": [form("基本养老保险关系转移接续申请表"), ID]}))),
    S("sbzx", "职工正常退休（职）申请", "07", 20, 5,
      "《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）；《中华人民共和国社会保险法》第十六条",
      [form("职工退休审批表"), ID, m("人事档案", form="o", src="g"), BANK], target=P,
      subs=(("基本养老金申领", {"type": "05", "mats": [form("基本养老金申领表"), ID, BANK], "promised": 5}),)),
    S("rsj", "失业保险金申领", "05", 10, 1, "《中华人民共和国社会保险法》第四十五条、第五十条；《失业保险条例》第十四条",
      [ID, m("解除或终止劳动关系证明", form="c", e=True), BANK], instant=True, depth="4", visits=0, target=P),
    S("rsj", "就业创业证申领", "20", 1, 1, "《就业服务与就业管理规定》",
      [form("就业创业登记表"), ID], instant=True, target=P, depth="4", visits=0, result="就业创业证"),
    S("rsj", "劳务派遣经营许可", "01", 20, 10, "《中华人民共和国劳动合同法》第五十七条；《劳务派遣行政许可实施办法》第六条",
      [form("劳务派遣经营许可申请书"), BL, m("经营场所使用证明", form="c"), m("劳务派遣管理制度", form="o"),
       m("注册资本实缴证明（不少于200万元）", form="c", src="i")],
      result="劳务派遣经营许可证", lic="劳务派遣经营许可证", variants="CRL"),
    S("rsj", "民办职业培训学校设立", "01", 30, 20, "《中华人民共和国民办教育促进法》第十二条、第十七条",
      [form("民办职业培训学校设立申请书"), m("举办者资格证明", form="c"), m("学校章程和发展规划", form="o"),
       m("校舍和教学设施证明", form="c"), m("教师和管理人员资格证明", form="c")],
      sp=("site_inspection", "expert_review"), tpl="special_procedure", result="民办学校办学许可证",
      lic="民办职业培训学校办学许可证", variants="CRL"),
    S("rsj", "工伤认定", "07", 60, 20, "《工伤保险条例》第十七条、第二十条",
      [form("工伤认定申请表"), m("劳动关系证明", form="c"), m("医疗诊断证明或职业病诊断证明", form="c")],
      unit="day", punit="workday", target=B, sp=("appraisal",), tpl="special_procedure", result="认定工伤决定书"),
    S("rsj", "企业实行不定时工作制和综合计算工时工作制审批", "01", 20, 10, "《中华人民共和国劳动法》第三十九条",
      [form("特殊工时制度申请表"), BL, m("职工或工会意见", form="o")], result="特殊工时制度批复"),
    # 县医疗保障局 / 医保中心 -------------------------------------------------------------------------------
    S("ybj", "医疗救助", "05", 20, 10, "《社会救助暂行办法》第二十八条至第三十条",
      [form("医疗救助申请审批表"), ID, m("医疗费用票据和费用清单", form="o"), m("救助对象身份证明", form="c", src="g")],
      target=P),
    S("yjzx", "医疗保障定点医药机构申请受理", "20", 90, 60, "《医疗机构医疗保障定点管理暂行办法》第十二条；《零售药店医疗保障定点管理暂行办法》",
      [form("定点医药机构申请表"), m("医疗机构执业许可证或药品经营许可证", form="c", e=True), m("医保管理制度和信息系统说明", form="o")],
      unit="day", punit="day", sp=("expert_review", "site_inspection"), tpl="special_procedure"),
    S("yjzx", "城乡居民基本医疗保险参保登记", "20", 1, 1, "《中华人民共和国社会保险法》第二十五条",
      [ID, HUKOU], instant=True, target=P, depth="4", visits=0,
      subs=(("城乡居民基本医疗保险参保信息变更", {"mats": [ID]}),)),
    S("yjzx", "异地就医备案", "20", 1, 1, "《国家医疗保障局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
      [ID, m("异地居住或工作证明（承诺制）", form="e", req=False)], instant=True, target=P, depth="4", visits=0),
    S("yjzx", "门诊慢特病待遇认定", "07", 20, 10, "《中华人民共和国社会保险法》第二十八条",
      [form("门诊慢特病待遇认定申请表"), ID, m("病历资料和检查报告", form="c")], target=P, sp=("appraisal",),
      tpl="special_procedure"),
    S("yjzx", "医疗费用手工（零星）报销", "05", 20, 10, "《中华人民共和国社会保险法》第二十九条",
      [ID, m("医疗费用发票和明细清单", form="o"), m("出院记录或门诊病历", form="c"), BANK], target=P),
    S("yjzx", "生育保险待遇核准支付", "05", 20, 5, "《中华人民共和国社会保险法》第五十四条",
      [ID, m("出生医学证明", form="c", e=True, src="g"), m("医疗费用票据", form="o"), BANK], target=P),
    # 县民政局 --------------------------------------------------------------------------------------------
    S("mzj", "最低生活保障审批", "05", 30, 20, "《社会救助暂行办法》第九条至第十一条；《最低生活保障审核确认办法》",
      [form("最低生活保障申请书"), ID, HUKOU, m("家庭收入和财产状况说明", form="o"), m("家庭经济状况核对授权书", form="o")], visits=2,
      cond="共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合家庭财产状况规定。",
      sp=("site_inspection", "publicity"), tpl="special_procedure", target=P, in_hall=True,
      subs=(("最低生活保障金额调整", {"promised": 15, "mats": [form("低保金调整申请表"), ID, m("家庭变化情况证明", form="c")]}),
            ("最低生活保障停发", {"promised": 10, "sp": (), "tpl": "standard", "mats": [form("停发审批表"), ID]}))),
    S("mzj", "特困人员救助供养审批", "05", 30, 20, "《社会救助暂行办法》第十四条至第十六条；《特困人员认定办法》",
      [form("特困人员救助供养申请书"), ID, HUKOU, m("劳动能力、生活来源和赡养扶养情况说明", form="o")],
      sp=("site_inspection", "publicity"), tpl="special_procedure", target=P),
    S("mzj", "临时救助", "05", 20, 10, "《社会救助暂行办法》第四十七条至第四十九条",
      [form("临时救助申请书"), ID, m("遭遇困难的相关证明", form="c")], target=P,
      subs=(("临时救助（急难型先行救助）", {"instant": True, "promised": 1, "mats": [ID, m("困难情况说明", form="o")]}),)),
    S("mzj", "结婚登记", "07", 1, 1, "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第七条",
      [m("双方居民身份证", form="o", e=True, src="g"), m("双方居民户口簿", form="o", e=True, src="g"),
       m("本人无配偶以及与对方没有直系血亲和三代以内旁系血亲关系的签字声明", form="o")],
      instant=True, target=P, result="结婚证",
      subs=(("离婚登记", {"mats": [m("双方居民身份证", form="o", e=True), m("结婚证", form="o"), m("离婚协议书", form="o", copies=3)],
                          "basis": "《中华人民共和国民法典》第一千零七十六条至第一千零七十八条；《婚姻登记条例》第十三条"}),
            ("补领婚姻登记证", {"mats": [ID, HUKOU], "basis": "《婚姻登记条例》第十七条"}))),
    S("mzj", "社会团体成立登记", "01", 60, 20, "《社会团体登记管理条例》第九条、第十二条",
      [form("社会团体成立登记申请书"), m("业务主管单位批准文件", form="o"), m("章程草案", form="o"),
       m("验资报告或资金证明", form="o", src="i"), m("住所使用权证明", form="c")], unit="day", punit="day",
      result="社会团体法人登记证书", target=E,
      subs=(("社会团体变更登记", {"mats": [form("社会团体变更登记申请表"), m("变更事项决议", form="o")]}),
            ("社会团体注销登记", {"mats": [form("社会团体注销登记申请书"), m("清算报告", form="o")]}))),
    S("mzj", "民办非企业单位成立登记", "01", 60, 20, "《民办非企业单位登记管理暂行条例》第八条、第十一条",
      [form("民办非企业单位成立登记申请书"), m("业务主管单位批准文件", form="o"), m("章程草案", form="o"),
       m("场所使用权证明", form="c"), m("验资报告", form="o", src="i")], unit="day", punit="day",
      result="民办非企业单位登记证书",
      subs=(("民办非企业单位变更登记", {"mats": [form("变更登记申请表"), m("变更事项决议", form="o")]}),
            ("民办非企业单位注销登记", {"mats": [form("注销登记申请书"), m("清算报告", form="o")]}))),
    S("mzj", "养老机构备案", "10", 1, 1, "《中华人民共和国老年人权益保障法》第四十三条；《养老机构管理办法》第九条",
      [form("养老机构备案书"), BL, m("养老机构服务场所产权或使用证明", form="c"), m("消防、卫生、食品安全承诺", form="o")],
      instant=True, visits=0, depth="4"),
    S("mzj", "困难残疾人生活补贴和重度残疾人护理补贴", "05", 20, 10,
      "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
      [form("残疾人两项补贴申请审批表"), m("第二代残疾人证", form="c", e=True, src="g"), ID, BANK], target=P),
    S("mzj", "高龄老人补贴", "05", 20, 10, "《中华人民共和国老年人权益保障法》第三十三条",
      [form("高龄补贴申请表"), ID, BANK], target=P, depth="4", visits=0),
    S("mzj", "地名命名、更名", "10", 20, 15, "《地名管理条例》第十条、第十二条",
      [form("地名命名更名申请书"), m("命名更名理由及拟采用地名的含义、来源说明", form="o"), m("相关方面意见", form="o")],
      sp=("expert_review", "publicity"), tpl="special_procedure"),
    # 县残疾人联合会 ----------------------------------------------------------------------------------------
    S("clj", "残疾人证核发", "07", 20, 10, "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》",
      [form("残疾人证申请表"), ID, HUKOU, m("近期免冠照片", form="o", copies=2), m("残疾评定材料", form="o", src="i")],
      target=P, sp=("appraisal",), tpl="special_procedure", result="中华人民共和国残疾人证",
      subs=(("残疾人证换领", {"mats": [ID, m("原残疾人证", form="o")]}),
            ("残疾人证迁移", {"mats": [ID, m("原残疾人证", form="o"), HUKOU]}),
            ("残疾人证注销", {"mats": [ID, m("注销原因证明", form="c")], "instant": True, "promised": 1, "sp": (), "tpl": "instant"}))),
    # 县卫生健康局 --------------------------------------------------------------------------------------------
    S("wjj", "公共场所卫生许可", "01", 20, 5,
      "《公共场所卫生管理条例》第八条；《公共场所卫生管理条例实施细则》第二十二条",
      [form("公共场所卫生许可申请表"), BL, PLAN, m("从业人员健康合格证明", form="c", e=True), m("卫生管理制度", form="o")],
      sp=("site_inspection",), result="公共场所卫生许可证", lic="公共场所卫生许可证", variants="CRLB"),
    S("wjj", "医疗机构设置审批", "01", 30, 15, "《医疗机构管理条例》第九条、第十条",
      [form("设置医疗机构申请书"), m("设置可行性研究报告", form="o"), m("选址报告和建筑设计平面图", form="o"),
       m("设置人资格证明", form="c")], sp=("expert_review",), tpl="special_procedure"),
    S("wjj", "医疗机构执业登记", "01", 45, 20, "《医疗机构管理条例》第十五条、第十六条",
      [form("医疗机构申请执业登记注册书"), m("医疗机构用房产权或使用证明", form="c"), m("医疗机构规章制度", form="o"),
       m("卫生技术人员名录及资格证书", form="c")], unit="day", punit="day", sp=("site_inspection",), visits=2,
      result="医疗机构执业许可证", lic="医疗机构执业许可证", variants="CRL"),
    S("wjj", "医师执业注册", "01", 20, 5, "《中华人民共和国医师法》第十三条、第十四条",
      [form("医师执业注册申请审核表"), m("医师资格证书", form="c", e=True), m("健康证明", form="o"),
       m("拟执业机构聘用证明", form="o")], target=P, depth="4", visits=0, result="医师执业证书",
      subs=(("医师变更执业注册", {"mats": [form("医师变更执业注册申请表"), m("医师执业证书", form="o")]}),
            ("医师注销执业注册", {"mats": [form("注销注册申请"), m("医师执业证书", form="o")], "instant": True, "promised": 1}))),
    S("wjj", "护士执业注册", "01", 20, 5, "《护士条例》第七条、第八条",
      [form("护士执业注册申请审核表"), m("护士执业资格考试成绩合格证明", form="c"), m("健康体检证明", form="o"),
       m("聘用单位证明", form="o")], target=P, depth="4", visits=0, result="护士执业证书",
      subs=(("护士延续注册", {"mats": [form("护士延续注册申请审核表"), m("健康体检证明", form="o")]}),
            ("护士变更注册", {"mats": [form("护士变更注册申请审核表"), m("拟执业机构证明", form="o")]}),
            ("护士注销注册", {"mats": [form("注销注册申请")], "instant": True, "promised": 1}))),
    S("wjj", "放射诊疗许可", "01", 20, 10, "《放射诊疗管理规定》第十一条、第十六条",
      [form("放射诊疗许可申请表"), m("放射诊疗建设项目竣工验收合格证明", form="c"), m("放射诊疗设备清单", form="o"),
       m("放射工作人员资格和防护培训证明", form="c")], sp=("testing", "site_inspection"), tpl="special_procedure",
      source="devolved", result="放射诊疗许可证", lic="放射诊疗许可证", variants="CL"),
    S("wjj", "饮用水供水单位卫生许可", "01", 20, 10,
      "《中华人民共和国传染病防治法》第二十九条；《生活饮用水卫生监督管理办法》第七条",
      [form("供水单位卫生许可申请表"), m("水质检测报告", form="o", src="i"), m("供水设施平面布局图", form="o"),
       m("直接从事供、管水人员健康证明", form="c")], sp=("testing", "site_inspection"), tpl="special_procedure",
      result="卫生许可证", lic="饮用水供水单位卫生许可证", variants="CRL"),
    S("wjj", "母婴保健技术服务执业许可", "01", 20, 10, "《中华人民共和国母婴保健法》第三十二条、第三十三条",
      [form("母婴保健技术服务执业许可申请登记书"), m("医疗机构执业许可证", form="c", e=True), m("卫生技术人员资格证明", form="c"),
       m("设备设施清单", form="o")], sp=("site_inspection",), result="母婴保健技术服务执业许可证",
      lic="母婴保健技术服务执业许可证", variants="CL"),
    S("wjj", "生育登记", "20", 1, 1, "《中华人民共和国人口与计划生育法》",
      [m("夫妻双方居民身份证", form="c", e=True, src="g"), m("结婚证", form="c", e=True, src="g")],
      instant=True, target=P, depth="4", visits=0),
    S("wjj", "农村部分计划生育家庭奖励扶助资格确认", "07", 20, 15,
      "《国务院办公厅转发人口计生委财政部关于开展对农村部分计划生育家庭实行奖励扶助制度试点工作意见的通知》（国办发〔2004〕21号）",
      [form("奖励扶助对象申报表"), ID, HUKOU, m("子女情况证明", form="c")], target=P, sp=("publicity",),
      tpl="special_procedure"),
    # 县教育局 --------------------------------------------------------------------------------------------
    S("jyj", "民办学校设立", "01", 90, 30, "《中华人民共和国民办教育促进法》第十二条、第十四条、第十八条",
      [form("设立民办学校申请书"), m("举办者资格证明", form="c"), m("学校章程", form="o"), m("资产来源和资金数额证明", form="o", src="i"),
       m("校舍、教学设施证明", form="c"), m("首届学校理事会、董事会组成人员名单", form="o")],
      unit="day", punit="day", sp=("site_inspection", "expert_review"), tpl="special_procedure", visits=2,
      result="民办学校办学许可证",
      subs=(("民办学校分立、合并、变更审批", {"mats": [form("民办学校变更申请书"), m("理事会决议", form="o"), m("办学许可证", form="o")]}),
            ("民办学校终止审批", {"mats": [form("民办学校终止申请书"), m("财务清算报告", form="o", src="i"), m("学生安置方案", form="o")]}))),
    S("jyj", "教师资格认定", "07", 30, 15, "《中华人民共和国教师法》第十条至第十三条；《教师资格条例》第十三条",
      [form("教师资格认定申请表"), ID, m("学历证书", form="c", e=True, src="g"), m("体检合格证明", form="o"),
       m("普通话水平测试等级证书", form="c", e=True)], target=P, unit="day", punit="day", depth="4",
      result="教师资格证书", subs=(("教师资格证书补发换发", {"mats": [ID, m("补发换发申请", form="o")], "promised": 10}),)),
    S("jyj", "家庭经济困难学生资助", "05", 20, 15, "《中华人民共和国教育法》第三十八条",
      [form("家庭经济困难学生认定申请表"), ID, m("家庭经济困难情况说明", form="o")], target=P),
    # 县住房和城乡建设局 ------------------------------------------------------------------------------------
    S("zjj", "建筑工程施工许可证核发", "01", 7, 3, "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》",
      [form("建筑工程施工许可申请表"), m("建设工程规划许可证", form="c", e=True, src="g"), m("施工合同", form="c"),
       m("施工图设计文件审查合格书", form="c", src="i"), m("建设资金已落实承诺书", form="o")],
      tpl="joint_review", result="建筑工程施工许可证", visits=0, depth="4",
      subs=(("建筑工程施工许可证变更", {"mats": [form("施工许可变更申请表"), m("原施工许可证", form="o")]}),
            ("建筑工程施工许可证延期", {"mats": [form("施工许可延期申请表"), m("延期理由说明", form="o")]}))),
    S("zjj", "建设工程消防设计审查", "01", 15, 10, "《中华人民共和国消防法》第十一条；《建设工程消防设计审查验收管理暂行规定》",
      [form("消防设计审查申请表"), m("消防设计文件", form="o"), m("建设工程规划许可证", form="c", e=True, src="g")],
      sp=("expert_review",), tpl="joint_review", result="消防设计审查意见书"),
    S("zjj", "建设工程消防验收", "01", 15, 7, "《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》",
      [form("消防验收申请表"), m("工程竣工验收报告", form="o"), m("涉及消防的建设工程竣工图纸", form="o")],
      sp=("site_inspection",), result="消防验收意见书",
      subs=(("建设工程消防验收备案", {"type": "10", "instant": True, "promised": 1, "sp": (), "tpl": "instant",
                                    "mats": [form("消防验收备案表"), m("工程竣工验收报告", form="o")]}),)),
    S("zjj", "房屋建筑和市政基础设施工程竣工验收备案", "10", 15, 5, "《建设工程质量管理条例》第四十九条",
      [form("竣工验收备案表"), m("工程竣工验收报告", form="o"), m("施工单位工程质量保修书", form="o")], depth="4", visits=0),
    S("zjj", "建筑起重机械使用登记", "10", 7, 3, "《建设工程安全生产管理条例》第三十五条；《建筑起重机械安全监督管理规定》",
      [form("建筑起重机械使用登记表"), m("产权备案证明", form="c"), m("安装验收资料和检验检测报告", form="c", src="i")],
      sp=("testing",), tpl="special_procedure", result="建筑起重机械使用登记证明"),
    S("zjj", "建设工程质量安全监督手续办理", "10", 5, 3, "《建设工程质量管理条例》第十三条；《建设工程安全生产管理条例》第十条",
      [form("工程质量安全监督申报表"), m("施工图审查合格书", form="c", src="i"), m("中标通知书或直接发包证明", form="c")],
      depth="4", visits=0, tpl="joint_review"),
    S("zjj", "商品房预售许可", "01", 10, 5, "《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》第七条",
      [form("商品房预售许可申请表"), BL, m("国有土地使用权证和规划、施工许可证", form="c", e=True),
       m("投入开发建设资金达到工程建设总投资25%以上的证明", form="o"), m("商品房预售方案", form="o")],
      sp=("site_inspection",), result="商品房预售许可证"),
    S("zjj", "燃气经营许可", "01", 20, 10, "《城镇燃气管理条例》第十五条",
      [form("燃气经营许可申请书"), BL, m("燃气设施建设工程竣工验收证明", form="c"), m("企业主要负责人、安全管理人员考核合格证", form="c"),
       m("安全管理制度", form="o")], sp=("site_inspection",), result="燃气经营许可证", lic="燃气经营许可证",
      variants="CRL"),
    S("zjj", "城镇污水排入排水管网许可", "01", 20, 10, "《城镇排水与污水处理条例》第二十一条",
      [form("排水许可申请表"), m("排水户内部排水管网、专用检测井平面图", form="o"), m("排水水质检测报告", form="o", src="i")],
      sp=("testing",), tpl="special_procedure", result="城镇污水排入排水管网许可证", lic="排水许可证", variants="CR"),
    S("zjj", "商品房买卖合同网签备案", "10", 1, 1, "《城市商品房预售管理办法》第十条",
      [m("买卖双方身份证明", form="c", e=True), m("商品房买卖合同", form="o")], instant=True, target=B,
      subs=(("存量房买卖合同网签备案", {"mats": [m("买卖双方身份证明", form="c", e=True), m("存量房买卖合同", form="o"),
                                               m("不动产权证书", form="c", e=True)]}),)),
    S("zjj", "房屋租赁登记备案", "10", 1, 1, "《商品房屋租赁管理办法》第十四条",
      [m("房屋租赁合同", form="o"), m("房屋所有权证明", form="c", e=True), m("当事人身份证明", form="c", e=True)],
      instant=True, target=B, depth="4", visits=0),
    S("zjj", "公共租赁住房保障资格审核", "07", 30, 20, "《公共租赁住房管理办法》第七条至第九条",
      [form("公共租赁住房申请表"), ID, HUKOU, m("收入和住房情况证明", form="o")], target=P,
      sp=("publicity",), tpl="special_procedure"),
    # 县自然资源局 / 不动产登记中心 ------------------------------------------------------------------------
    S("zrj", "建设工程规划许可证核发", "01", 20, 10, "《中华人民共和国城乡规划法》第四十条",
      [form("建设工程规划许可申请表"), m("使用土地的有关证明文件", form="c", e=True), m("建设工程设计方案", form="o"),
       m("建设项目批准、核准、备案文件", form="c", e=True)], tpl="joint_review", sp=("publicity",),
      result="建设工程规划许可证",
      subs=(("建设工程规划许可证变更", {"mats": [form("规划许可变更申请表"), m("原建设工程规划许可证", form="o"), m("变更后设计方案", form="o")]}),
            ("建设工程规划许可证延续", {"mats": [form("规划许可延续申请表"), m("原建设工程规划许可证", form="o")], "sp": ()}))),
    S("zrj", "建设用地规划许可证核发", "01", 20, 7, "《中华人民共和国城乡规划法》第三十七条、第三十八条",
      [form("建设用地规划许可申请表"), m("建设项目批准、核准、备案文件", form="c", e=True), m("国有建设用地使用权出让合同", form="c"),
       m("标绘规划用地范围的地形图", form="o")], tpl="joint_review", result="建设用地规划许可证"),
    S("zrj", "乡村建设规划许可证核发", "01", 20, 10, "《中华人民共和国城乡规划法》第四十一条",
      [form("乡村建设规划许可申请表"), m("村民委员会意见", form="o"), m("建设工程设计图纸或通用图", form="o"),
       m("土地权属证明", form="c", e=True)], sp=("site_inspection",), target=B, result="乡村建设规划许可证"),
    S("zrj", "建设项目用地预审与选址意见书核发", "01", 20, 10,
      "《中华人民共和国土地管理法》第五十二条；《中华人民共和国城乡规划法》第三十六条",
      [form("建设项目用地预审与选址申请表"), m("建设项目用地预审与选址申请报告", form="o"), m("项目建议书或项目批准文件", form="c")],
      tpl="joint_review", result="建设项目用地预审与选址意见书"),
    S("zrj", "临时用地审批", "01", 20, 10, "《中华人民共和国土地管理法》第五十七条",
      [form("临时用地申请表"), m("临时使用土地合同", form="o"), m("土地复垦方案", form="o"), m("勘测定界图", form="o", src="i")],
      sp=("site_inspection",), subs=(("临时用地延期", {"mats": [form("临时用地延期申请表"), m("原批准文件", form="c")]}),)),
    S("zrj", "采矿权新立登记（砂石土类）", "01", 40, 20, "《中华人民共和国矿产资源法》第三条；《矿产资源开采登记管理办法》第六条",
      [form("采矿权申请登记书"), m("矿产资源开发利用方案", form="o", src="i"), m("矿山地质环境保护与土地复垦方案", form="o", src="i"),
       m("采矿权出让合同", form="c")], sp=("expert_review", "publicity"), tpl="special_procedure", source="devolved",
      result="采矿许可证", lic="采矿许可证", variants="CRL"),
    S("zrj", "建设工程规划核实", "10", 15, 5, "《中华人民共和国城乡规划法》第四十五条",
      [form("规划核实申请表"), m("竣工测量成果报告", form="o", src="i"), m("建设工程规划许可证", form="c", e=True)],
      sp=("site_inspection",), result="建设工程规划核实合格证"),
    S("bdc", "不动产首次登记", "07", 30, 5, "《中华人民共和国民法典》第二百一十条；《不动产登记暂行条例》第十四条、第二十条",
      [form("不动产登记申请书"), ID, m("土地权属来源证明", form="c"), m("不动产权籍调查成果", form="o", src="i"),
       m("房屋竣工验收证明", form="c")], target=B, fees=BDC_FEE, result="不动产权证书",
      subs=(("不动产转移登记", {"mats": [form("不动产登记申请书"), ID, m("不动产权证书", form="o", e=True),
                                         m("买卖合同或其他转移证明", form="o"), m("完税凭证", form="c", e=True, src="g")],
                                "promised": 3}),
            ("不动产变更登记", {"mats": [form("不动产登记申请书"), ID, m("不动产权证书", form="o", e=True), m("变更事项证明", form="c")],
                                "fees": [], "promised": 3}),
            ("不动产注销登记", {"mats": [form("不动产登记申请书"), ID, m("不动产权证书", form="o", e=True)], "fees": [],
                                "promised": 1, "instant": True}),
            ("不动产更正登记", {"mats": [form("不动产登记申请书"), ID, m("证实登记确有错误的材料", form="c")], "fees": []}),
            ("不动产异议登记", {"mats": [form("不动产登记申请书"), ID, m("利害关系证明", form="c")], "fees": [],
                                "promised": 1, "instant": True}),
            ("不动产预告登记", {"mats": [form("不动产登记申请书"), ID, m("已备案的商品房预售合同", form="c", e=True)], "promised": 1,
                                "instant": True}),
            ("不动产抵押权首次登记", {"mats": [form("不动产登记申请书"), ID, m("不动产权证书", form="o", e=True), m("抵押合同与主债权合同", form="o")],
                                      "promised": 1, "instant": True, "visits": 0, "depth": "4"}),
            ("不动产抵押权注销登记", {"mats": [form("不动产登记申请书"), m("抵押权消灭证明", form="o")], "fees": [],
                                      "promised": 1, "instant": True, "visits": 0, "depth": "4"}),
            ("不动产查封登记", {"mats": [m("人民法院查封裁定书和协助执行通知书", form="o"), m("执行人员工作证和执行公务证", form="c")],
                                "fees": [], "promised": 1, "instant": True, "target": E}),
            ("不动产登记资料查询", {"type": "20", "mats": [form("不动产登记资料查询申请书"), ID], "fees": [], "promised": 1,
                                    "instant": True, "depth": "4", "visits": 0}),
            ("不动产权证书补证、换证", {"mats": [form("不动产登记申请书"), ID, m("遗失声明或原证书", form="o")], "promised": 5}))),
    # 县发展和改革局 ------------------------------------------------------------------------------------
    S("fgj", "企业投资项目核准", "01", 20, 10, "《企业投资项目核准和备案管理条例》第三条、第九条、第十条",
      [form("项目申请报告"), m("城乡规划行政主管部门出具的选址意见书", form="c", e=True),
       m("国土资源行政主管部门出具的用地预审意见", form="c", e=True)], sp=("expert_review",), tpl="special_procedure",
      source="devolved", result="项目核准批复",
      subs=(("企业投资项目核准变更", {"mats": [form("项目变更申请报告"), m("原核准文件", form="c")]}),)),
    S("fgj", "企业投资项目备案", "10", 1, 1, "《企业投资项目核准和备案管理条例》第十三条、第十四条",
      [m("项目单位基本情况", form="e"), m("项目名称、建设地点、规模和内容", form="e")], instant=True, visits=0, depth="4",
      subs=(("企业投资项目备案信息变更", {"mats": [m("变更信息说明", form="e")]}),)),
    S("fgj", "政府投资项目可行性研究报告审批", "10", 20, 10, "《政府投资条例》第九条、第十一条",
      [m("可行性研究报告", form="o", src="i"), m("项目单位申请文件", form="o"), m("规划选址、用地预审意见", form="c", e=True)],
      sp=("expert_review",), tpl="special_procedure", result="可行性研究报告批复",
      subs=(("政府投资项目初步设计及概算审批", {"mats": [m("初步设计文件及概算", form="o", src="i"), m("可研批复", form="c")]}),)),
    S("fgj", "固定资产投资项目节能审查", "10", 20, 10, "《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》",
      [m("节能报告", form="o", src="i"), m("项目节能审查申请文件", form="o")], sp=("expert_review",), tpl="special_procedure"),
    # 县工业和信息化局 / 商务局 / 科技局 / 财政局 --------------------------------------------------------------
    S("gxj", "工业企业技术改造投资项目备案", "10", 1, 1, "《企业投资项目核准和备案管理条例》第十三条",
      [m("技术改造项目备案信息表", form="e")], instant=True, visits=0, depth="4"),
    S("gxj", "工业和信息化领域中小企业专项资金申报", "05", 20, 15, "《中华人民共和国中小企业促进法》第十条",
      [form("专项资金申报书"), BL, m("项目实施方案", form="o"), m("上年度财务报表", form="c")], sp=("expert_review",),
      tpl="special_procedure"),
    S("swj", "单用途商业预付卡备案", "10", 1, 1, "《单用途商业预付卡管理办法（试行）》第七条",
      [form("单用途卡发卡企业备案表"), BL, m("预付卡章程或协议样本", form="o")], instant=True, visits=0, depth="4"),
    S("swj", "再生资源回收经营者备案", "10", 1, 1, "《再生资源回收管理办法》第七条",
      [form("再生资源回收经营者备案登记表"), BL], instant=True, visits=0, depth="4",
      subs=(("再生资源回收经营者备案变更", {"mats": [form("备案变更表"), BL]}),)),
    S("kjj", "高新技术企业认定申请受理（初审）", "10", 20, 10, "《高新技术企业认定管理办法》（国科发火〔2016〕32号）第十条",
      [form("高新技术企业认定申请书"), BL, m("知识产权证书", form="c"), m("专项审计报告", form="o", src="i")],
      tpl="report_upward", sp=("expert_review",), source="entrusted_upper"),
    S("kjj", "科技型中小企业评价信息登记", "20", 1, 1, "《科技型中小企业评价办法》（国科发政〔2017〕115号）",
      [m("企业信息登记表", form="e")], instant=True, visits=0, depth="4"),
    S("czj", "代理记账机构审批", "01", 10, 5, "《中华人民共和国会计法》第三十六条；《代理记账管理办法》第三条、第五条",
      [form("代理记账机构设立申请表"), BL, m("专职从业人员会计资格证明", form="c"), m("主管代理记账业务负责人资格证明", form="c"),
       m("代理记账业务规范和财务会计管理制度", form="o")], result="代理记账许可证书", lic="代理记账许可证书", variants="CL"),
    S("czj", "政府采购投诉处理", "09", 30, 20, "《中华人民共和国政府采购法》第五十五条、第五十六条；《政府采购质疑和投诉办法》",
      [form("投诉书"), m("质疑函及质疑答复", form="c"), m("相关证明材料", form="c")], result="投诉处理决定书",
      sp=("appraisal",), tpl="special_procedure"),
    # 县交通运输局 ------------------------------------------------------------------------------------
    S("jtj", "道路旅客运输经营许可", "01", 20, 10, "《中华人民共和国道路运输条例》第八条、第十条",
      [form("道路旅客运输经营申请表"), m("可行性报告", form="o"), m("拟投入车辆承诺书", form="o"), m("安全生产管理制度文本", form="o"),
       m("驾驶人员从业资格证", form="c", e=True)], result="道路运输经营许可证",
      lic="道路旅客运输经营许可证", variants="CRL"),
    S("jtj", "道路货物运输经营许可", "01", 20, 5, "《中华人民共和国道路运输条例》第二十一条、第二十四条",
      [form("道路货物运输经营申请表"), m("机动车辆行驶证", form="c", e=True), m("驾驶人员从业资格证", form="c", e=True),
       m("安全生产管理制度文本", form="o")], depth="4", visits=0, result="道路运输经营许可证",
      lic="道路货物运输经营许可证", variants="CRL"),
    S("jtj", "道路运输证配发", "01", 20, 1, "《中华人民共和国道路运输条例》第二十四条、第三十四条",
      [m("机动车行驶证", form="c", e=True), m("车辆技术等级评定和综合性能检测报告", form="c", src="i")], instant=True,
      depth="4", visits=0, result="道路运输证",
      subs=(("道路运输证换发、补发", {"mats": [m("原道路运输证或遗失声明", form="o")]}),
            ("道路运输证注销", {"mats": [m("原道路运输证", form="o")]}))),
    S("jtj", "机动车维修经营备案", "10", 1, 1, "《中华人民共和国道路运输条例》第四十条",
      [form("机动车维修经营备案表"), BL, m("维修设备设施清单", form="o"), m("技术人员资格证明", form="c")],
      instant=True, visits=0, depth="4"),
    S("jtj", "机动车驾驶员培训经营备案", "10", 1, 1, "《中华人民共和国道路运输条例》第四十条；《机动车驾驶员培训管理规定》",
      [form("机动车驾驶员培训备案表"), BL, m("教练场地证明", form="c"), m("教练员名册", form="o")], instant=True, visits=0),
    S("jtj", "巡游出租汽车经营许可", "01", 20, 10, "《巡游出租汽车经营服务管理规定》第八条、第十一条",
      [form("巡游出租汽车经营申请表"), m("投资人、负责人身份及资信证明", form="c"), m("拟投入车辆承诺书", form="o"),
       m("经营管理制度", form="o")], result="道路运输经营许可证", lic="巡游出租汽车经营许可证", variants="CL"),
    S("jtj", "公路超限运输许可", "01", 5, 2, "《中华人民共和国公路法》第五十条；《公路安全保护条例》第三十五条、第三十六条",
      [form("公路超限运输申请表"), m("车辆行驶证和道路运输证", form="c", e=True), m("货物名称、重量、外廓尺寸说明", form="o")],
      source="entrusted_upper", depth="4", visits=0, result="超限运输车辆通行证"),
    S("jtj", "涉路施工许可", "01", 20, 10, "《中华人民共和国公路法》第四十四条、第四十五条；《公路安全保护条例》第二十七条",
      [form("涉路施工申请书"), m("设计和施工方案", form="o"), m("保障公路、公路附属设施质量和安全的技术评价报告", form="o", src="i")],
      sp=("site_inspection",), result="涉路施工许可决定书"),
    # 县水利局 --------------------------------------------------------------------------------------------
    S("slj", "取水许可", "01", 45, 20, "《中华人民共和国水法》第四十八条；《取水许可和水资源费征收管理条例》第二十一条",
      [form("取水许可申请书"), m("建设项目水资源论证报告", form="o", src="i"), m("与第三者利害关系的相关说明", form="o")],
      unit="day", punit="day", sp=("expert_review",), tpl="special_procedure", result="取水许可证",
      lic="取水许可证", variants="CRL"),
    S("slj", "生产建设项目水土保持方案审批", "01", 20, 10, "《中华人民共和国水土保持法》第二十五条、第二十六条",
      [form("水土保持方案审批申请"), m("水土保持方案报告书（表）", form="o", src="i")], sp=("expert_review",),
      tpl="joint_review", subs=(("生产建设项目水土保持方案变更审批", {"mats": [form("变更申请"), m("变更方案", form="o", src="i")]}),)),
    S("slj", "河道管理范围内建设项目工程建设方案审批", "01", 20, 10,
      "《中华人民共和国水法》第三十八条；《中华人民共和国河道管理条例》第十一条",
      [form("河道管理范围内建设项目申请书"), m("防洪评价报告", form="o", src="i"), m("建设项目所依据的文件", form="c")],
      sp=("expert_review",), tpl="special_procedure"),
    S("slj", "洪水影响评价类审批", "01", 20, 10, "《中华人民共和国防洪法》第十七条、第二十七条、第三十三条",
      [form("洪水影响评价申请书"), m("洪水影响评价报告", form="o", src="i")], sp=("expert_review",), tpl="special_procedure"),
    S("slj", "农村集体经济组织修建水库审批", "01", 20, 15, "《中华人民共和国水法》第二十五条",
      [form("修建水库申请"), m("工程设计文件", form="o", src="i"), m("村民会议决议", form="o")], sp=("expert_review",),
      tpl="special_procedure"),
    # 县农业农村局 ----------------------------------------------------------------------------------------
    S("nyj", "农村村民住宅用地审批", "01", 20, 15, "《中华人民共和国土地管理法》第六十二条",
      [form("农村宅基地和建房（规划许可）申请表"), ID, HUKOU, m("村民小组会议讨论通过并公示的证明", form="o"),
       m("农村宅基地使用承诺书", form="o")], sp=("site_inspection", "publicity"), tpl="special_procedure", target=P, visits=2,
      result="农村宅基地批准书"),
    S("nyj", "农药经营许可", "01", 20, 10, "《农药管理条例》第二十四条、第二十五条；《农药经营许可管理办法》",
      [form("农药经营许可申请表"), BL, m("农学、植保等专业学历或培训证明", form="c"), SITE_PROOF, m("农药经营管理制度", form="o")],
      sp=("site_inspection",), result="农药经营许可证", lic="农药经营许可证", variants="CRLB"),
    S("nyj", "兽药经营许可证核发", "01", 30, 10, "《兽药管理条例》第二十二条、第二十三条",
      [form("兽药经营许可证申请表"), BL, m("兽医或相关专业技术人员证明", form="c"), SITE_PROOF, m("质量管理制度", form="o")],
      sp=("site_inspection",), result="兽药经营许可证", lic="兽药经营许可证", variants="CRL"),
    S("nyj", "动物防疫条件合格证核发", "01", 20, 10, "《中华人民共和国动物防疫法》第二十四条、第二十五条；《动物防疫条件审查办法》",
      [form("动物防疫条件审查申请表"), m("场所地理位置图、各功能区布局平面图", form="o"), m("设施设备清单", form="o"),
       m("管理制度文本", form="o")], sp=("site_inspection",), result="动物防疫条件合格证",
      lic="动物防疫条件合格证", variants="CL"),
    S("nyj", "农作物种子生产经营许可", "01", 20, 10, "《中华人民共和国种子法》第三十一条、第三十二条",
      [form("种子生产经营许可证申请表"), BL, m("种子检验人员、贮藏设施证明", form="c"), m("品种审定或登记证书", form="c")],
      sp=("site_inspection",), result="农作物种子生产经营许可证", lic="农作物种子生产经营许可证", variants="CRL"),
    S("nyj", "拖拉机和联合收割机登记", "01", 2, 1,
      "《中华人民共和国道路交通安全法》第一百二十一条；《农业机械安全监督管理条例》第二十一条",
      [form("拖拉机和联合收割机登记申请表"), ID, m("机具来历证明", form="o"), m("出厂合格证明", form="o")],
      instant=True, target=P, result="拖拉机和联合收割机登记证书、号牌、行驶证", in_hall=False,
      subs=(("拖拉机和联合收割机转移登记", {"mats": [form("转移登记申请表"), ID, m("登记证书", form="o")]}),
            ("拖拉机和联合收割机注销登记", {"mats": [form("注销登记申请表"), ID, m("登记证书和号牌", form="o")]}))),
    S("nyj", "拖拉机和联合收割机驾驶证核发", "01", 20, 1, "《农业机械安全监督管理条例》第二十二条",
      [form("驾驶证申请表"), ID, m("身体条件证明", form="o", src="i")], instant=True, target=P, in_hall=False,
      subs=(("拖拉机和联合收割机驾驶证换证、补证", {"mats": [ID, m("原驾驶证或遗失声明", form="o")]}),)),
    S("nyj", "生鲜乳收购站许可", "01", 20, 10, "《乳品质量安全监督管理条例》第二十条、第二十一条",
      [form("生鲜乳收购许可证申请表"), BL, m("收购站设施设备清单", form="o"), m("检测人员资格证明", form="c")],
      sp=("site_inspection",), result="生鲜乳收购许可证"),
    S("nyj", "渔业捕捞许可", "01", 20, 10, "《中华人民共和国渔业法》第二十三条；《渔业捕捞许可管理规定》",
      [form("渔业捕捞许可证申请书"), ID, m("渔业船舶检验证书和国籍证书", form="c")], target=P, in_hall=False,
      result="渔业捕捞许可证", lic="渔业捕捞许可证", variants="CRL"),
    # 县林业局 --------------------------------------------------------------------------------------------
    S("lyj", "林木采伐许可证核发", "01", 20, 3, "《中华人民共和国森林法》第五十六条、第五十七条",
      [form("林木采伐申请表"), m("林木权属证明", form="c", e=True), m("采伐作业设计", form="o", req=False)],
      sp=("site_inspection",), target=B, depth="4", result="林木采伐许可证", in_hall=False,
      subs=(("林木采伐许可证延期", {"mats": [form("延期申请"), m("原采伐许可证", form="o")], "sp": ()}),)),
    S("lyj", "使用林地审核审批", "01", 20, 10, "《中华人民共和国森林法》第三十七条、第三十八条",
      [form("使用林地申请表"), m("建设项目有关批准文件", form="c"), m("使用林地可行性报告或现状调查表", form="o", src="i")],
      sp=("site_inspection",), source="devolved",
      subs=(("临时使用林地审批", {"mats": [form("临时使用林地申请表"), m("恢复植被和林业生产条件方案", form="o")]}),)),
    S("lyj", "森林植物检疫证书核发", "01", 20, 3, "《植物检疫条例》第七条、第八条",
      [form("植物检疫报检单"), m("产地检疫合格证或复检材料", form="c")], sp=("quarantine",), tpl="special_procedure",
      in_hall=False, target=B, result="植物检疫证书"),
    # 县生态环境局 ----------------------------------------------------------------------------------------
    S("sthj", "排污许可", "01", 20, 10, "《排污许可管理条例》第十一条、第十三条",
      [form("排污许可证申请表"), m("自行监测方案", form="o"), m("守法承诺书", form="o")], depth="4", visits=0,
      result="排污许可证", lic="排污许可证", variants="CRL"),
    S("sthj", "建设项目环境影响报告表审批", "01", 30, 15, "《中华人民共和国环境影响评价法》第二十二条",
      [form("建设项目环境影响评价审批申请"), m("环境影响报告表", form="o", src="i")], unit="day", punit="day",
      sp=("expert_review", "publicity"), tpl="special_procedure", result="环境影响报告表批复",
      subs=(("建设项目环境影响报告书审批", {"legal": 60, "promised": 30, "mats": [form("审批申请"), m("环境影响报告书", form="o", src="i"),
                                                                          m("公众参与说明", form="o")]}),
            ("建设项目环境影响评价文件重新审核", {"legal": 10, "promised": 10, "mats": [form("重新审核申请"), m("原环评批复", form="c")]}))),
    S("sthj", "建设项目环境影响登记表备案", "10", 1, 1, "《中华人民共和国环境影响评价法》第二十二条",
      [m("建设项目环境影响登记表", form="e")], instant=True, visits=0, depth="4"),
    # 县文化广电体育和旅游局 ----------------------------------------------------------------------------------
    S("wlj", "娱乐场所经营许可", "01", 20, 10, "《娱乐场所管理条例》第九条、第十一条",
      [form("娱乐场所经营申请表"), BL, LEGAL_REP, SITE_PROOF, m("消防安全检查合格证明或承诺", form="c")],
      sp=("site_inspection", "hearing"), tpl="special_procedure", result="娱乐经营许可证",
      lic="娱乐经营许可证", variants="CL",
      cond="场所设置符合规定的距离要求；听证程序依《娱乐场所管理条例》第十一条由申请人申请时启动。"),
    S("wlj", "互联网上网服务营业场所经营许可", "01", 20, 10, "《互联网上网服务营业场所管理条例》第十条、第十一条",
      [form("互联网上网服务营业场所经营申请表"), BL, SITE_PROOF, m("网络安全和信息安全管理制度", form="o")],
      sp=("site_inspection",), result="网络文化经营许可证", lic="网络文化经营许可证（上网服务）", variants="CL"),
    S("wlj", "营业性演出审批", "01", 20, 3, "《营业性演出管理条例》第十三条",
      [form("营业性演出申请表"), m("演出节目内容材料", form="o"), m("演员名单和身份证明", form="c"), m("演出场所合格证明", form="c")],
      depth="4", visits=0, result="营业性演出准予许可决定书"),
    S("wlj", "文艺表演团体设立审批", "01", 20, 10, "《营业性演出管理条例》第六条",
      [form("文艺表演团体设立申请表"), m("演职员名单及资格证明", form="c"), m("章程", form="o")],
      result="营业性演出许可证", lic="营业性演出许可证（文艺表演团体）", variants="CL"),
    S("wlj", "高危险性体育项目经营许可", "01", 30, 15, "《全民健身条例》第三十二条；《经营高危险性体育项目许可管理办法》",
      [form("高危险性体育项目经营申请表"), BL, m("体育场所、设施、设备符合国家标准的证明", form="c", src="i"),
       m("社会体育指导人员和救助人员资格证", form="c")], unit="day", punit="day", sp=("site_inspection",),
      result="高危险性体育项目经营许可证", lic="高危险性体育项目经营许可证", variants="CRL"),
    S("wlj", "公共图书馆读者证办理", "20", 1, 1, "《中华人民共和国公共图书馆法》第三十三条",
      [ID], instant=True, target=P, depth="4", visits=0, in_hall=False),
    # 县应急管理局 / 消防 / 气象 / 烟草 / 人防 --------------------------------------------------------------
    S("yjj", "危险化学品经营许可证核发（不带储存设施）", "01", 30, 15, "《危险化学品安全管理条例》第三十三条、第三十五条",
      [form("危险化学品经营许可证申请书"), BL, m("安全生产管理制度和岗位操作规程", form="o"),
       m("主要负责人、安全管理人员安全资格证", form="c"), SITE_PROOF], unit="day", punit="day",
      sp=("site_inspection",), result="危险化学品经营许可证", lic="危险化学品经营许可证", variants="CRL"),
    S("yjj", "烟花爆竹经营（零售）许可", "01", 20, 5, "《烟花爆竹安全管理条例》第十八条、第十九条",
      [form("烟花爆竹经营（零售）许可证申请书"), BL, m("零售场所平面布置图", form="o"), m("主要负责人安全培训合格证明", form="c")],
      sp=("site_inspection",), target=B, result="烟花爆竹经营（零售）许可证",
      lic="烟花爆竹经营（零售）许可证", variants="CRL"),
    S("yjj", "生产经营单位生产安全事故应急预案备案", "10", 1, 1, "《生产安全事故应急条例》第七条；《生产安全事故应急预案管理办法》",
      [form("应急预案备案申报表"), m("应急预案评审意见", form="c"), m("应急预案文本", form="e")], instant=True, visits=0, depth="4"),
    S("xfdd", "公众聚集场所投入使用、营业前消防安全检查", "01", 10, 5, "《中华人民共和国消防法》第十五条",
      [form("公众聚集场所投入使用营业前消防安全检查申请表"), BL, m("消防安全制度、灭火和应急疏散预案", form="o"),
       m("场所平面布置图", form="o")], sp=("site_inspection",), result="公众聚集场所投入使用、营业前消防安全检查合格证",
      subs=(("公众聚集场所投入使用、营业前消防安全检查（告知承诺）", {"promised": 1, "instant": True, "sp": (), "tpl": "instant",
                                                               "mats": [form("消防安全告知承诺书"), BL]}),)),
    S("qxj", "防雷装置设计审核", "01", 20, 5, "《中华人民共和国气象法》第三十一条；《气象灾害防御条例》第二十三条",
      [form("防雷装置设计审核申请书"), m("防雷装置设计说明书和图纸", form="o")], tpl="joint_review",
      result="防雷装置设计核准意见书"),
    S("qxj", "防雷装置竣工验收", "01", 10, 5, "《气象灾害防御条例》第二十四条；《防雷装置设计审核和竣工验收规定》",
      [form("防雷装置竣工验收申请书"), m("防雷装置检测报告", form="o", src="i"), m("竣工图纸", form="o")],
      sp=("testing",), tpl="special_procedure", result="防雷装置验收意见书"),
    S("qxj", "升放无人驾驶自由气球或者系留气球活动审批", "01", 5, 3, "《通用航空飞行管制条例》第三十四条、第三十五条",
      [form("升放气球活动申请表"), m("升放单位资质证明", form="c"), m("作业人员资格证", form="c")],
      result="升放气球活动许可决定书"),
    S("ycj", "烟草专卖零售许可证核发", "01", 20, 5, "《中华人民共和国烟草专卖法》第十六条；《中华人民共和国烟草专卖法实施条例》第十一条",
      [form("烟草专卖零售许可证申请表"), BL, ID, SITE_PROOF], sp=("site_inspection",), target=B,
      result="烟草专卖零售许可证", lic="烟草专卖零售许可证", variants="CRLB"),
    S("rfb", "结合民用建筑修建防空地下室审批", "01", 20, 5, "《中华人民共和国人民防空法》第二十二条",
      [form("防空地下室建设审批申请表"), m("建设工程规划许可证", form="c", e=True), m("人防工程施工图", form="o", src="i")],
      tpl="joint_review", subs=(("防空地下室易地建设审批", {"mats": [form("易地建设申请表"), m("不宜修建防空地下室的说明", form="o")],
                                                           "fees": [fee("防空地下室易地建设费", "按自治区规定标准（元/平方米）",
                                                                        "《中华人民共和国人民防空法》第二十二条及自治区收费标准", waivable=True)]}),)),
    S("rfb", "人民防空工程竣工验收备案", "10", 15, 5, "《人民防空工程质量监督管理规定》",
      [form("人防工程竣工验收备案表"), m("竣工验收报告", form="o")], depth="4", visits=0),
    # 县城市管理综合执法局 ---------------------------------------------------------------------------------------
    S("cgj", "城市建筑垃圾处置核准", "01", 20, 5, "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第101项；《城市建筑垃圾管理规定》",
      [form("城市建筑垃圾处置核准申请表"), m("建筑垃圾处置方案", form="o"), m("运输车辆及驾驶员证明", form="c")],
      result="城市建筑垃圾处置核准证"),
    S("cgj", "设置大型户外广告及在城市建筑物、设施上悬挂、张贴宣传品审批", "01", 20, 5,
      "《城市市容和环境卫生管理条例》第十一条、第十七条",
      [form("户外广告设置申请表"), m("设置效果图和位置图", form="o"), m("场地使用权证明", form="c")],
      sp=("site_inspection",), subs=(("户外广告设置延期", {"mats": [form("延期申请"), m("原批准文件", form="c")]}),)),
    S("cgj", "占用、挖掘城市道路审批", "01", 20, 5, "《城市道路管理条例》第二十九条至第三十一条",
      [form("占用挖掘城市道路申请表"), m("施工方案及安全保障措施", form="o"), m("占用位置平面图", form="o")],
      sp=("site_inspection",), target=B,
      fees=[fee("城市道路占用挖掘修复费", "按自治区价格主管部门核定标准", "《城市道路管理条例》第三十三条、第三十七条", waivable=True)]),
    S("cgj", "城镇生活垃圾经营性清扫、收集、运输服务许可", "01", 20, 10,
      "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第102项；《城市生活垃圾管理办法》",
      [form("生活垃圾经营性服务许可申请书"), BL, m("运输车辆清单及行驶证", form="c"), m("垃圾收集运输作业规范", form="o")],
      sp=("site_inspection",), result="城镇生活垃圾经营性服务许可证", lic="城镇生活垃圾经营性服务许可证", variants="CL"),
    S("cgj", "砍伐城市树木、迁移古树名木审批", "01", 20, 5, "《城市绿化条例》第二十条、第二十五条",
      [form("砍伐迁移城市树木申请表"), m("树木位置图及现状照片", form="o")], sp=("site_inspection",), target=B),
    # 县民族宗教事务局 / 司法局 / 公证处 / 档案馆 / 退役军人事务局 --------------------------------------------------
    S("mzzj", "宗教活动场所筹备设立审核", "01", 30, 20, "《宗教事务条例》第二十一条、第二十二条",
      [form("宗教活动场所筹备设立申请"), m("拟设立场所的信教公民情况说明", form="o"), m("资金来源说明", form="o"),
       m("拟设立场所建设方案", form="o")], unit="day", punit="day", tpl="report_upward", in_hall=False),
    S("mzzj", "宗教临时活动地点审批", "01", 20, 10, "《宗教事务条例》第三十五条",
      [form("临时活动地点申请"), m("信教公民集体宗教活动情况说明", form="o"), m("场所使用证明", form="c")],
      sp=("site_inspection",), in_hall=False),
    S("sfj", "法律援助申请", "20", 7, 3, "《中华人民共和国法律援助法》第四十一条、第四十三条",
      [form("法律援助申请表"), ID, m("经济困难状况说明表", form="o"), m("与所申请事项相关的材料", form="c")],
      target=P, depth="4"),
    S("sfj", "人民调解申请", "20", 30, 30, "《中华人民共和国人民调解法》第十七条、第二十六条",
      [m("调解申请书（可口头申请）", form="o", req=False), ID], target=P, unit="day", punit="day", in_hall=False),
    S("gzc", "出生公证", "20", 15, 5, "《中华人民共和国公证法》第十一条；《公证程序规则》",
      [form("公证申请表"), ID, m("出生医学证明或户籍证明", form="c")], target=P, fees=NOTARY_FEE,
      subs=(("亲属关系公证", {"mats": [form("公证申请表"), ID, m("亲属关系证明材料", form="c")]}),
            ("学历学位公证", {"mats": [form("公证申请表"), ID, m("学历学位证书", form="o")]}),
            ("委托书公证", {"mats": [form("公证申请表"), ID, m("委托书", form="o"), m("委托事项相关材料", form="c")],
                            "promised": 1, "instant": True}),
            ("继承公证", {"promised": 15, "sp": ("publicity",), "tpl": "special_procedure",
                          "mats": [form("公证申请表"), ID, m("被继承人死亡证明", form="c"), m("亲属关系证明", form="c"),
                                   m("遗产权属证明", form="c")]}),
            ("无犯罪记录公证", {"mats": [form("公证申请表"), ID, m("无犯罪记录证明", form="o", src="g")]}))),
    S("dag", "档案查阅利用", "20", 1, 1, "《中华人民共和国档案法》第二十八条",
      [ID, m("单位介绍信（单位查档）", form="o", req=False)], instant=True, target=B, in_hall=False,
      subs=(("婚姻登记档案查询", {"mats": [ID]}), ("出具档案证明", {"mats": [ID, m("查档申请", form="o")], "promised": 1}))),
    S("tyjr", "退役士兵自主就业一次性经济补助金给付", "05", 20, 10,
      "《中华人民共和国退役军人保障法》第三十八条；《退役士兵安置条例》第十九条",
      [m("退出现役登记表", form="c"), ID, BANK], target=P),
    S("tyjr", "伤残人员抚恤待遇发放", "05", 20, 20, "《军人抚恤优待条例》",
      [m("残疾军人证", form="c", e=True), ID, BANK], target=P),
    S("tyjr", "退役军人优待证申领", "20", 20, 15, "《中华人民共和国退役军人保障法》第六十二条",
      [form("优待证申领表"), ID, m("近期免冠照片", form="e")], target=P, depth="4", visits=0),
    # 公共服务企业 ----------------------------------------------------------------------------------------
    S("gdj", "低压居民新装（增容）用电", "20", 5, 3, "《电力供应与使用条例》第十九条；《供电营业规则》",
      [ID, m("房屋产权证明或使用证明", form="c", e=True)], target=P, depth="4", visits=0,
      subs=(("低压非居民新装（增容）用电", {"target": E, "mats": [BL, m("用电地址产权证明", form="c", e=True)], "promised": 4}),
            ("高压新装（增容）用电", {"target": E, "legal": 15, "promised": 10, "sp": ("site_inspection",), "tpl": "site_inspection",
                                      "mats": [BL, m("用电地址产权证明", form="c", e=True), m("用电设备清单", form="o")]}),
            ("用电更名、过户", {"instant": True, "promised": 1, "mats": [ID, m("不动产权证书", form="c", e=True)]}),
            ("用电销户", {"instant": True, "promised": 1, "mats": [ID, m("结清电费凭证", form="c")]}))),
    S("swgs", "用水报装", "20", 10, 5, "《城市供水条例》第二十一条",
      [ID, m("房屋产权或使用证明", form="c", e=True)], target=B, depth="4", visits=0,
      subs=(("用水过户", {"instant": True, "promised": 1, "mats": [ID, m("不动产权证书", form="c", e=True)]}),
            ("水表迁移", {"mats": [ID, m("迁移位置说明", form="o")]}),
            ("用水销户", {"instant": True, "promised": 1, "mats": [ID]}))),
    S("rqgs", "管道燃气报装", "20", 10, 5, "《城镇燃气管理条例》第十七条",
      [ID, m("房屋产权或使用证明", form="c", e=True)], target=B, depth="4", visits=0,
      subs=(("管道燃气过户", {"instant": True, "promised": 1, "mats": [ID, m("不动产权证书", form="c", e=True)]}),
            ("管道燃气停用、销户", {"instant": True, "promised": 1, "mats": [ID]}))),
    # 住房公积金 ------------------------------------------------------------------------------------------
    S("gjj", "住房公积金单位缴存登记", "20", 1, 1, "《住房公积金管理条例》第十四条",
      [form("住房公积金单位缴存登记表"), BL, LEGAL_REP], instant=True, depth="4", visits=0,
      subs=(("住房公积金个人账户设立", {"target": P, "mats": [form("个人账户设立清册"), ID]}),
            ("住房公积金单位缴存信息变更", {"mats": [form("变更登记表"), BL]}))),
    S("gjj", "住房公积金提取", "20", 3, 1, "《住房公积金管理条例》第二十四条、第二十五条",
      [ID, m("提取事由证明材料", form="c", e=True), BANK], instant=True, target=P, depth="4", visits=0,
      subs=(("购买自住住房提取住房公积金", {"mats": [ID, m("购房合同及付款凭证", form="c", e=True), BANK]}),
            ("租赁住房提取住房公积金", {"mats": [ID, m("租赁合同（无自有住房承诺）", form="c", e=True), BANK]}),
            ("离休、退休提取住房公积金", {"mats": [ID, m("退休证明", form="c", e=True), BANK]}),
            ("偿还住房贷款本息提取住房公积金", {"mats": [ID, m("借款合同", form="c", e=True), BANK]}))),
    S("gjj", "住房公积金个人住房贷款", "20", 15, 5, "《住房公积金管理条例》第二十六条",
      [form("住房公积金贷款申请表"), ID, m("购房合同", form="c", e=True), m("婚姻状况证明", form="c", e=True),
       m("收入证明", form="o")], target=P,
      subs=(("住房公积金贷款提前还款", {"instant": True, "promised": 1, "mats": [ID, m("借款合同", form="c")]}),)),
    S("gjj", "住房公积金个人账户转移接续", "20", 1, 1, "《住房公积金管理条例》第十三条",
      [ID], instant=True, target=P, depth="4", visits=0),
]  # fmt: skip


# Sub-items named like these end in a record, not the main item's certificate.
_NO_RESULT_WORDS = (
    "查询",
    "备案",
    "挂失",
    "注销",
    "停业",
    "复业",
    "验旧",
    "缴销",
    "提前还款",
    "异议",
    "查封",
    "停发",
)


def _variant(spec: Spec, letter: str) -> Spec:
    lic = spec.lic
    base_mats = [mt for mt in spec.mats if mt["name"] in {ID["name"], BL["name"], LEGAL_REP["name"]}][:1]
    original = m(f"原{lic}正、副本", form="o")
    if letter == "C":
        return replace(
            spec,
            name=f"{lic}变更",
            promised=max(1, spec.promised // 2),
            mats=[form(f"{lic}变更申请书"), original, m("变更事项的证明材料", form="c"), *base_mats],
            sp=tuple(p for p in spec.sp if p != "hearing"),
            tpl=None if spec.tpl != "joint_review" else "standard",
            visits=0 if spec.depth == "4" else spec.visits,
        )
    if letter == "R":
        return replace(
            spec,
            name=f"{lic}延续",
            mats=[form(f"{lic}延续申请书"), original, *spec.mats[1:4]],
            sp=tuple(p for p in spec.sp if p != "hearing"),
        )
    if letter == "L":
        return replace(
            spec,
            name=f"{lic}注销",
            promised=1,
            unit="workday",
            punit="workday",
            legal=spec.legal if spec.unit == "workday" else 20,
            instant=True,
            visits=0,
            depth="4",
            sp=(),
            tpl="instant",
            fees=[],
            mats=[form(f"{lic}注销申请书"), original, *base_mats],
        )
    if letter == "B":
        return replace(
            spec,
            name=f"{lic}补办",
            promised=min(3, spec.promised),
            sp=(),
            tpl="standard",
            fees=[],
            mats=[form(f"{lic}补办申请书"), m("遗失声明或损毁的原证件", form="o"), *base_mats],
        )
    raise ValueError(letter)


def _template(spec: Spec) -> str:
    if spec.tpl:
        return spec.tpl
    if spec.instant:
        return "instant"
    if "site_inspection" in spec.sp and len(spec.sp) == 1:
        return "site_inspection"
    if spec.sp:
        return "special_procedure"
    return "standard"


def _default_conditions(spec: Spec) -> str:
    subject = {"person": "申请人", "enterprise": "申请单位", "both": "申请人（单位）"}[spec.target]
    if spec.type == "01":
        return f"{subject}符合{spec.basis.split('；')[0]}规定的许可条件，申请材料齐全、符合法定形式。"
    if spec.type == "05":
        return f"{subject}属于规定的给付对象，符合给付条件，材料真实、完整。"
    if spec.type == "04":
        return f"{subject}发生应税行为，按规定如实申报。"
    return f"{subject}符合{spec.basis.split('；')[0]}的规定，提交材料齐全。"


# Co-departments (联审部门) of the items handled by parallel joint review, by main item name; sub-items share them.
JOINT_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "建筑工程施工许可证核发": ("zrj", "xfdd", "rfb"),
    "建设工程消防设计审查": ("xfdd", "qxj"),
    "建设工程质量安全监督手续办理": ("yjj", "sthj"),
    "建设工程规划许可证核发": ("zjj", "sthj", "rfb"),
    "建设用地规划许可证核发": ("fgj", "zjj"),
    "建设项目用地预审与选址意见书核发": ("fgj", "sthj", "lyj"),
    "生产建设项目水土保持方案审批": ("zrj", "sthj", "lyj"),
    "防雷装置设计审核": ("zjj", "xfdd"),
    "结合民用建筑修建防空地下室审批": ("zjj", "zrj"),
}


@dataclass(frozen=True)
class ItemPlan:
    dept: str
    main: int
    sub: int
    fields: dict[str, Any]
    materials: list[dict[str, Any]]
    fees: list[dict[str, Any]]
    # Department keys of the co-departments; set only for items on the joint_review template.
    joint: tuple[str, ...] = ()


def _plan(spec: Spec, main: int, sub: int, joint: tuple[str, ...] = ()) -> ItemPlan:
    instant = spec.instant
    punit = spec.punit or spec.unit
    promised = spec.promised
    if instant and punit in ("workday", "day"):
        promised = min(promised, 1)
    depth = spec.depth
    if spec.visits == 2 and depth == "3":
        # Items needing two visits are the ones not yet open to online application.
        depth = "2"
    fields: dict[str, Any] = {
        "name": spec.name,
        "item_type": spec.type,
        "power_source": spec.source,
        "exercise_level": "county",
        "target": spec.target,
        "legal_basis": spec.basis,
        "acceptance_conditions": spec.cond or _default_conditions(spec),
        "legal_limit": spec.legal,
        "legal_limit_unit": spec.unit,
        "promised_limit": promised,
        "promised_limit_unit": punit,
        "handling_kind": "instant" if instant else "promised",
        "visits": spec.visits,
        "online_depth": depth,
        "in_hall": spec.in_hall,
        "process_template": _template(spec),
        "special_procedures": list(spec.sp),
        "result_name": spec.result,
    }
    materials = [dict(x) for x in spec.mats]
    if len(materials) < 2:
        materials.append(dict(AGENT))
    if fields["process_template"] != "joint_review":
        joint = ()
    return ItemPlan(spec.dept, main, sub, fields, materials, [dict(x) for x in spec.fees], joint)


def item_plans() -> list[ItemPlan]:
    """Every item with its (main, sub) numbers; main numbers run per item type so basic codes stay unique."""
    counters: dict[str, int] = {}
    plans: list[ItemPlan] = []
    for spec in CORE:
        counters[spec.type] = counters.get(spec.type, 0) + 1
        main = counters[spec.type]
        has_subs = bool(spec.variants or spec.subs)
        joint = JOINT_DEPARTMENTS.get(spec.name, ())
        plans.append(_plan(spec, main, 1 if has_subs else 0, joint))
        sub = 1
        for letter in spec.variants:
            sub += 1
            plans.append(_plan(_variant(spec, letter), main, sub, joint))
        for name, overrides in spec.subs:
            sub_spec = replace(spec, name=name, variants="", subs=(), **overrides)
            if "result" not in overrides and any(w in name for w in _NO_RESULT_WORDS):
                sub_spec = replace(sub_spec, result="")
            if "instant" in overrides and "tpl" not in overrides:
                sub_spec = replace(sub_spec, tpl=None if spec.tpl in (None, "instant") else spec.tpl)
            if sub_spec.type != spec.type:
                # A sub-item of another type is its own main item under that type.
                counters[sub_spec.type] = counters.get(sub_spec.type, 0) + 1
                plans.append(_plan(sub_spec, counters[sub_spec.type], 0, joint))
                continue
            sub += 1
            plans.append(_plan(sub_spec, main, sub, joint))
    return plans


def basic_code(item_type: str, main: int, sub: int) -> str:
    return f"00{item_type}{main:05d}{sub:03d}"
