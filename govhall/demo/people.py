"""The demo county's staff (domain §1 roles, §2 scale): fixed demo logins plus ~140 generated people.

Names, ID numbers and phone numbers are generated from a fixed seed; ID numbers carry a correct GB 11643
check character and a 容县 (450921) address code, and belong to nobody."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from govhall.core.identifiers import resident_id_check_char

from .county import COUNTY, TOWNSHIPS, windows

# Demo only: every fixed account shares this password. Never load the demo data on a production system.
DEMO_PASSWORD = "govhall-demo"


@dataclass(frozen=True)
class StaffPlan:
    username: str
    name: str
    employee_no: str
    roles: tuple[str, ...]
    depts: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()  # township names; an agent serves that township and its villages
    window: str | None = None
    title: str = ""
    phone: str = ""
    id_number: str = ""
    password: str | None = None
    superuser: bool = False


# (username, name, roles, department, window, title); the password of each is DEMO_PASSWORD.
DEMO_ACCOUNTS: list[tuple[str, str, tuple[str, ...], str, str | None, str]] = [
    ("admin", "系统管理员", ("center_admin",), "zwj", None, "中心管理员"),
    ("clerk", "陈晓燕", ("window_clerk",), "scj", "A06", "窗口工作人员"),
    ("approver", "黄志强", ("approver",), "scj", None, "审批股股长"),
    ("head", "梁建华", ("department_head",), "scj", None, "分管副局长"),
    ("supervisor", "李明", ("supervisor",), "zwj", None, "效能监察股股长"),
    ("leader", "覃海燕", ("leader",), "zfb", None, "副县长"),
    # A citizen's account for trying online application, "my cases" and the correction upload. Not staff: it is
    # created by ensure_demo_applicant(), never by staff_plans() (org.actions.create_staff refuses the role).
    ("applicant", "张三", ("applicant",), "", None, "网上办事申请人（演示身份证号 450921199001011234）"),
]
# The joint demo item: its lead department (住建局) and each co-department get a named approver and head, so a
# whole binding joint review (并联审批, 联审协调) can be walked through with fixed logins.
JOINT_DEMO_ITEM = "建筑工程施工许可证核发"
JOINT_DEMO_ACCOUNTS: list[tuple[str, str, tuple[str, ...], str, str | None, str]] = [
    ("zj_approver", "周卫东", ("approver",), "zjj", None, "住建局审批人员（并联审批牵头部门）"),
    (
        "zj_head",
        "蒙立群",
        ("department_head",),
        "zjj",
        None,
        "住建局分管副局长（并联审批作出决定、联审协调）",
    ),
    ("zr_approver", "韦思远", ("approver",), "zrj", None, "自然资源局审批人员（并联审批协办部门）"),
    ("zr_head", "覃国栋", ("department_head",), "zrj", None, "自然资源局分管副局长（并联审批协办部门）"),
    ("xf_approver", "庞志远", ("approver",), "xfdd", None, "消防救援大队审批人员（并联审批协办部门）"),
    ("xf_head", "钟振邦", ("department_head",), "xfdd", None, "消防救援大队副大队长（并联审批协办部门）"),
    ("rf_approver", "甘露", ("approver",), "rfb", None, "人防办审批人员（并联审批协办部门）"),
    ("rf_head", "冯启明", ("department_head",), "rfb", None, "人防办副主任（并联审批协办部门）"),
]
DEMO_ACCOUNTS += JOINT_DEMO_ACCOUNTS
# The 12345 hotline operator, added after the others and drawn last so that every other account stays as it was.
DEMO_ACCOUNTS.append(("hotline", "韦丽萍", ("hotline_operator",), "zwj", None, "12345热线话务员"))
# The offices whose pages came later (公开、监督检查、法制、绩效), appended and drawn last for the same reason. The
# disclosure officer belongs to 政务服务局, one of the eight agencies the disclosure simulation files records and
# requests for, which then acts through this login; the inspector belongs to 市场监管局, whose inspector pool the
# inspections simulation tops up around it, so the login is drawn for 双随机 inspections.
LATE_DEMO_ACCOUNTS: list[tuple[str, str, tuple[str, ...], str, str | None, str]] = [
    ("gk_officer", "农秀兰", ("disclosure_officer",), "zwj", None, "政府信息公开工作人员"),
    ("inspector", "陆文斌", ("inspector",), "scj", None, "市场监管局执法检查人员"),
    ("legal", "骆志远", ("legal_officer",), "sfj", None, "司法局法制股（行政复议应诉、规范性文件备案）"),
    ("performance", "宁晓梅", ("performance_officer",), "zwj", None, "绩效办考评员"),
]
DEMO_ACCOUNTS += LATE_DEMO_ACCOUNTS
# 450921 (容县) + 1990-01-01 + 123 (odd: male) + the GB 11643 check character; belongs to nobody.
DEMO_APPLICANT_ID = "45092119900101123" + resident_id_check_char("45092119900101123")

_SURNAMES = "陈陈陈李李李黄黄黄梁梁梁刘刘杨杨何何覃覃罗罗莫莫韦钟林苏谢冯封庞卢朱周吴张王邓徐潘蒙甘劳"
_MALE = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "华", "建华", "志强", "俊杰", "文博", "宇", "鹏",
    "凯", "斌", "海波", "国强", "永康", "家豪", "振宇", "子轩", "浩然", "立新", "春生", "德明", "荣光",
]  # fmt: skip
_FEMALE = [
    "芳", "娜", "秀英", "敏", "静", "丽", "艳", "娟", "霞", "平", "桂英", "晓燕", "海燕", "丽华", "婷婷",
    "雨涵", "嘉欣", "春梅", "玉兰", "雪", "琳", "瑶", "秋菊", "美玲", "慧", "晓红", "小燕", "丽萍", "思琪", "佳怡",
]  # fmt: skip
_MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "178", "180", "182",
                    "183", "187", "188", "189", "199"]  # fmt: skip

# Windows busy enough for a second clerk.
_SECOND_CLERK = ("A02", "A03", "A09", "D01")
_APPROVER_DEPTS = (
    "scj", "scj", "zjj", "zjj", "zrj", "zrj", "wjj", "jtj", "sthj", "nyj", "wlj", "jyj", "yjj", "slj", "gaj",
    "mzj", "rsj", "lyj", "bdc",
)  # fmt: skip
_HEAD_DEPTS = ("scj", "zjj", "zrj", "wjj", "jtj", "nyj", "gaj", "mzj", "rsj", "swju", "bdc", "sthj")
_AGENT_TOWNS = [name for _, name in TOWNSHIPS if not name.endswith("街道")][:10]


class _People:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: set[str] = {name for _, name, *_ in DEMO_ACCOUNTS}
        self.phones: set[str] = set()
        self.ids: set[str] = set()

    def person(self) -> tuple[str, str, str]:
        rng = self.rng
        while True:
            male = rng.random() < 0.5
            name = rng.choice(_SURNAMES) + rng.choice(_MALE if male else _FEMALE)
            if name not in self.names:
                break
        self.names.add(name)
        while True:
            birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 34))
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)  # GB 11643: odd for men, even for women
            first17 = f"{COUNTY[0][:6]}{birth:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.ids:
                break
        self.ids.add(number)
        while True:
            phone = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if phone not in self.phones:
                break
        self.phones.add(phone)
        return name, number, phone


def staff_plans(seed: int = 43) -> list[StaffPlan]:
    people = _People(seed)
    plans: list[StaffPlan] = []
    joint = {a[0] for a in JOINT_DEMO_ACCOUNTS + LATE_DEMO_ACCOUNTS} | {"hotline"}

    def fixed(i: int, account: tuple[str, str, tuple[str, ...], str, str | None, str]) -> None:
        username, name, roles, dept, window, title = account
        _, id_number, phone = people.person()
        plans.append(
            StaffPlan(
                username=username,
                name=name,
                employee_no=f"DEMO{i:02d}",
                roles=roles,
                depts=(dept,),
                window=window,
                title=title,
                phone=phone,
                id_number=id_number,
                password=DEMO_PASSWORD,
                superuser=username == "admin",
            )
        )

    for i, account in enumerate(DEMO_ACCOUNTS, start=1):
        # The applicant is not staff; the joint review accounts draw their people last. Both are skipped before
        # drawing a person, so the generated staff stay as they were.
        if "applicant" not in account[2] and account[0] not in joint:
            fixed(i, account)

    counter = 0

    def add(roles: tuple[str, ...], **kwargs: object) -> None:
        nonlocal counter
        counter += 1
        name, id_number, phone = people.person()
        plans.append(
            StaffPlan(
                username=f"rx{counter:04d}",
                name=name,
                employee_no=f"RX{counter:04d}",
                roles=roles,
                phone=phone,
                id_number=id_number,
                **kwargs,  # type: ignore[arg-type]
            )
        )

    for counter_window in windows():
        title = "导办员" if counter_window.kind == "inquiry" else "窗口工作人员"
        copies = 2 if counter_window.number in _SECOND_CLERK else 1
        for _ in range(copies):
            add(
                ("window_clerk",), depts=(counter_window.dept_key,), window=counter_window.number, title=title
            )
    for dept in _APPROVER_DEPTS:
        add(("approver",), depts=(dept,), title="审批人员")
    for dept in _HEAD_DEPTS:
        add(("department_head",), depts=(dept,), title="分管审批副局长")
    for title in ("中心主任", "中心副主任", "信息化股股长"):
        add(("center_admin",), depts=("zwj",), title=title)
    for title in ("效能监察股副股长", "效能监察员", "派驻纪检监察组干部"):
        add(("supervisor",), depts=("zwj",), title=title)
    for title in ("绩效办主任", "绩效考评员"):
        add(("performance_officer",), depts=("zwj",), title=title)
    for title in ("法制股股长", "行政复议应诉专员"):
        add(("legal_officer",), depts=("sfj",), title=title)
    add(("leader",), depts=("zfb",), title="县政府办公室主任")
    add(("leader",), depts=("zwj",), title="县政务服务和大数据发展局局长")
    add(("leader", "department_head"), depts=("zwj",), title="县政务服务和大数据发展局副局长")
    for town in _AGENT_TOWNS:
        add(("agent",), sites=(town,), title=f"{town}便民服务中心代办员")
    for i, account in enumerate(DEMO_ACCOUNTS, start=1):
        if account[0] in joint:
            fixed(i, account)
    return plans


def ensure_demo_applicant() -> tuple[object, bool]:
    """The demo applicant's login: an ordinary account in the applicant role, password DEMO_PASSWORD.
    Idempotent; returns (user, created). A password changed since is left alone."""
    from django.contrib.auth import get_user_model

    from govhall.org.choices import Role
    from govhall.org.roles import ensure_role_groups

    username, name, *_ = next(a for a in DEMO_ACCOUNTS if Role.APPLICANT in a[2])
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    group = ensure_role_groups(roles=[Role.APPLICANT])[Role.APPLICANT.value]
    user.groups.add(group)
    return user, created
