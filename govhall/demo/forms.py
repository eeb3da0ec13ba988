"""The demo county's application forms (申请表字段), popular names (俗称) and search synonyms, as data.

Forms follow the printed application forms of county halls: what the form asks beyond the applicant block
(name, ID number, phone and address are asked once, in the applicant block). A field with a prefill source
starts with the signed-in applicant's value. The simulator fills the same fields with `sample_value`."""

from __future__ import annotations

import datetime
import random
from typing import Any


def f(
    key: str,
    label: str,
    kind: str = "text",
    *,
    req: bool = True,
    choices: str = "",
    prefill: str = "",
    help: str = "",
) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "kind": kind,
        "required": req,
        "choices": choices,
        "prefill": prefill,
        "help_text": help,
    }


_PREMISES = f("premises_address", "经营场所地址", help="与经营场所使用证明上的地址一致")
_AREA = f("premises_area", "经营场所面积（平方米）", "number")
_WAIVED = f(
    "site_inspection_waived",
    "已适用告知承诺，申请免于现场勘查",
    "yes_no",
    req=False,
    help="选“是”即承诺经营条件与申请材料一致，部门在审查后直接作出决定，事后核查",
)
_REASON = f("reason", "申请事由", "long_text", req=False, help="简要说明申请的原因和具体请求")

# By item name (the main items of govhall/demo/items.py; sub-items get the generic form).
FORMS: dict[str, list[dict[str, Any]]] = {
    "企业设立登记": [
        f("company_name", "拟设立企业名称", help="已通过企业名称自主申报的名称"),
        f("company_type", "企业类型", "choice", choices="有限责任公司、股份有限公司、个人独资企业、合伙企业"),
        f("registered_capital", "注册资本（万元）", "number"),
        f("business_scope", "经营范围", "long_text"),
        f("legal_rep_name", "法定代表人姓名", prefill="legal_representative"),
        f("legal_rep_id", "法定代表人身份证号码", "id_number"),
        f("contact_phone", "联络员电话", "phone", prefill="phone"),
    ],
    "个体工商户设立登记": [
        f("operator_name", "经营者姓名", prefill="name"),
        f("operator_id", "经营者身份证号码", "id_number", prefill="id_number"),
        f("shop_name", "个体工商户名称", req=False, help="可不起字号"),
        f("business_scope", "经营范围", "long_text"),
        _PREMISES,
        f("capital", "资金数额（万元）", "number"),
    ],
    "食品经营许可证核发": [
        f("operator_name", "经营者名称", prefill="name"),
        f("business_form", "主体业态", "choice", choices="食品销售经营者、餐饮服务经营者、单位食堂"),
        f("business_items", "经营项目", "long_text", help="如：热食类食品制售、冷食类食品制售"),
        _PREMISES,
        _AREA,
        f("safety_manager", "食品安全管理人员"),
        _WAIVED,
    ],
    "药品零售企业许可": [
        f("operator_name", "企业名称", prefill="name"),
        _PREMISES,
        _AREA,
        f("pharmacist", "执业药师姓名"),
        _WAIVED,
    ],
    "社会保障卡申领": [
        f("holder_name", "持卡人姓名", prefill="name"),
        f("holder_id", "持卡人身份证号码", "id_number", prefill="id_number"),
        f("holder_phone", "持卡人手机号码", "phone", prefill="phone"),
        f("apply_reason", "申领原因", "choice", choices="首次申领、到期换领、损坏换领"),
        f(
            "bank",
            "金融账户开户银行",
            "choice",
            choices="中国工商银行、中国农业银行、中国银行、中国建设银行、广西农村信用社",
        ),
    ],
    "生育登记": [
        f("mother_name", "女方姓名", prefill="name"),
        f("mother_id", "女方身份证号码", "id_number", prefill="id_number"),
        f("father_name", "男方姓名"),
        f("father_id", "男方身份证号码", "id_number"),
        f("marriage_date", "结婚登记日期", "date"),
        f("child_order", "本次登记孩次", "choice", choices="一孩、二孩、三孩"),
        f("due_date", "预产期", "date", req=False),
    ],
    "城乡居民养老保险参保登记": [
        f("insured_name", "参保人姓名", prefill="name"),
        f("insured_id", "参保人身份证号码", "id_number", prefill="id_number"),
        f("level", "缴费档次（元/年）", "choice", choices="300、500、1000、2000、3000"),
        f("hukou", "户籍所在地"),
    ],
}

# Popular names (俗称) under which people ask for an item.
ALIASES: dict[str, str] = {
    "生育登记": "准生证、生育服务证、生育证",
    "社会保障卡申领": "社保卡、医保卡、办社保卡",
    "企业设立登记": "开公司、注册公司、办营业执照",
    "个体工商户设立登记": "开店、个体户执照",
    "食品经营许可证核发": "餐饮许可证、食品许可证、开饭店",
}

# Everyday words → the catalog's words (搜索同义词), editable in the admin.
SYNONYMS: dict[str, str] = {
    "开办企业": "企业设立登记、营业执照",
    "开公司": "企业设立登记",
    "注册公司": "企业设立登记",
    "开饭店": "食品经营许可、个体工商户设立",
    "开餐馆": "食品经营许可、个体工商户设立",
    "社保卡": "社会保障卡",
    "准生证": "生育登记",
    "生育证": "生育登记",
    "身份证": "居民身份证",
    "补办": "补领、补发、换领",
    "驾照": "机动车驾驶证",
    "房产证": "不动产",
    "医保": "医疗保险、医疗保障",
    "医保卡": "社会保障卡",
}


def form_fields(item_name: str) -> list[dict[str, Any]]:
    """The form of a demo item: its own fields, else the one optional 申请事由 of a printed generic form."""
    return [dict(x) for x in FORMS.get(item_name, [_REASON])]


_SAMPLE_TEXT = {
    "company_name": "容县{}商贸有限公司",
    "shop_name": "容县{}小吃店",
    "business_scope": "日用百货、预包装食品销售",
    "business_items": "热食类食品制售",
    "premises_address": "容县容州镇城东路{}号",
    "safety_manager": "陈小明",
    "legal_rep_name": "王建国",
    "pharmacist": "黄丽",
    "father_name": "李伟",
    "hukou": "容县容州镇",
    "reason": "本人申请办理",
}


def sample_value(field: Any, applicant: Any, rng: random.Random) -> Any:
    """A plausible value of one field for a simulated applicant (prefilled fields take the applicant's)."""
    if field.prefill:
        value = getattr(applicant, field.prefill, "") or ""
        if value and not (field.kind == "id_number" and getattr(applicant, "kind", "") != "person"):
            return value
    kind = field.kind
    if kind == "choice":
        return rng.choice(field.choice_list())
    if kind == "yes_no":
        return rng.random() < 0.3
    if kind == "number":
        return rng.choice([20, 35, 50, 80, 120, 200])
    if kind == "date":
        return (datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))).isoformat()
    if kind == "phone":
        return f"139{rng.randint(10000000, 99999999)}"
    if kind == "id_number":
        return _resident_id(rng)
    if kind == "uscc":
        return getattr(applicant, "id_number", "")
    text = _SAMPLE_TEXT.get(field.key, field.label.split("（")[0])
    return text.format(rng.randint(1, 199)) if "{}" in text else text


def _resident_id(rng: random.Random) -> str:
    from govhall.core.identifiers import resident_id_check_char

    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(0, 11000))
    first17 = f"450921{born:%Y%m%d}{rng.randint(100, 999)}"
    return first17 + resident_id_check_char(first17)
