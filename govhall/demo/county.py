"""The demo county's places, departments and windows, as plain data.

The real 容县 has 15 towns; domain §2 speaks of 27 township centers and 345 village points, so 12
plausible townships are added to reach that scale. Village names are generated from local naming
patterns (垌, 岭, 塘, 坡 …) with a fixed seed, so every run produces the same county."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from govhall.core.identifiers import USCC_ALPHABET, uscc_check_char

CITY = ("450900000000", "玉林市")
COUNTY = ("450921000000", "容县")
CENTER_NAME = "容县政务服务中心"
CENTER_ADDRESS = "广西壮族自治区玉林市容县容州镇城南新区政务服务中心"
AREA_CODE = "0775"
VILLAGE_TOTAL = 345

# (region code digits 7–9, name); 街道 001–, 镇 100–, 乡 200– as in the statistical division codes.
TOWNSHIPS: list[tuple[str, str]] = [
    ("001", "城东街道"),
    ("002", "城南街道"),
    ("003", "城西街道"),
    ("100", "容州镇"),
    ("101", "杨梅镇"),
    ("102", "灵山镇"),
    ("103", "六王镇"),
    ("104", "黎村镇"),
    ("105", "杨村镇"),
    ("106", "县底镇"),
    ("107", "自良镇"),
    ("108", "松山镇"),
    ("109", "罗江镇"),
    ("110", "石头镇"),
    ("111", "石寨镇"),
    ("112", "十里镇"),
    ("113", "容西镇"),
    ("114", "浪水镇"),
    ("115", "大坡镇"),
    ("116", "平山镇"),
    ("117", "江口镇"),
    ("118", "新圩镇"),
    ("119", "长塘镇"),
    ("200", "沙田乡"),
    ("201", "黄竹乡"),
    ("202", "白沙乡"),
    ("203", "龙湾乡"),
]

_COMMUNITY_NAMES = [
    "东门", "南门", "西街", "北街", "城中", "解放", "人民", "中山", "新华", "江滨", "绣江", "都峤",
    "真武", "经略", "朝阳", "胜利", "河东", "河西", "桥头", "城北", "沿江", "和平", "建设", "文昌",
    "育才", "龙江", "西山", "凤凰", "南山", "东升",
]  # fmt: skip
_VILLAGE_FIRST = [
    "大", "小", "上", "下", "东", "西", "南", "北", "新", "石", "龙", "黄", "白", "水", "山", "沙",
    "塘", "竹", "松", "桂", "莲", "花", "平", "高", "长", "古", "马", "牛", "凤", "樟", "榕", "杨",
    "黎", "陈", "罗", "梁", "覃", "莫", "六", "三", "双", "金", "银", "福", "安", "太", "坭", "蒙",
]  # fmt: skip
_VILLAGE_SECOND = [
    "垌", "岭", "塘", "坡", "冲", "湾", "寨", "桥", "坪", "口", "坑", "岗", "田", "江", "山", "水",
    "洞", "埇", "头", "岸", "堡", "和", "安", "丰", "兴", "合", "光", "平", "良", "旺", "盛", "垠",
]  # fmt: skip


@dataclass(frozen=True)
class Village:
    code: str
    name: str  # e.g. 龙湾村, 东门社区
    township: str


def villages(seed: int = 921) -> list[Village]:
    """345 villages and communities, each township getting a share; names unique in the county."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for _digits, name in TOWNSHIPS:
        counts[name] = 6 if name.endswith("街道") else rng.randint(10, 15)
    # Spread the remainder so the total is exactly VILLAGE_TOTAL.
    towns = [n for _, n in TOWNSHIPS if not n.endswith("街道")]
    diff = VILLAGE_TOTAL - sum(counts.values())
    i = 0
    while diff:
        town = towns[i % len(towns)]
        step = 1 if diff > 0 else -1
        if step > 0 or counts[town] > 8:
            counts[town] += step
            diff -= step
        i += 1

    used: set[str] = set()
    community_pool = list(_COMMUNITY_NAMES)
    rng.shuffle(community_pool)
    out: list[Village] = []
    for digits, town in TOWNSHIPS:
        prefix = COUNTY[0][:6] + digits
        n_communities = counts[town] if town.endswith("街道") else (2 if town == "容州镇" else 1)
        for k in range(counts[town]):
            if k < n_communities:
                base = community_pool.pop() if town.endswith("街道") or town == "容州镇" else town[:-1]
                name = f"{base}社区"
                code = f"{prefix}{k + 1:03d}"
            else:
                while True:
                    name = rng.choice(_VILLAGE_FIRST) + rng.choice(_VILLAGE_SECOND) + "村"
                    if name not in used:
                        break
                code = f"{prefix}{200 + k:03d}"
            used.add(name)
            out.append(Village(code=code, name=name, township=town))
    return out


# --- departments ---------------------------------------------------------------------------------------


def _org_code_check(body: str) -> str:
    """GB 11714 check character of the 8-character organisation code body (USCC positions 9–17)."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(kind: str, serial: int) -> str:
    """A valid credit code registered in 容县, its organisation-code part carrying its own GB 11714 check."""
    body_prefix = "MA5" if kind == "91" else "MB1"
    body = f"{body_prefix}{(52000 + serial * 379) % 100000:05d}"
    first17 = f"{kind}{COUNTY[0][:6]}{body}{_org_code_check(body)}"
    assert all(c in USCC_ALPHABET for c in first17), first17
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True)
class Dept:
    key: str
    name: str
    short: str
    group: str  # DepartmentGroup value
    # USCC positions 1–2: 11 机关, 12 事业单位, 13 编制管理的群团组织, 91 企业.
    kind: str = "11"
    in_hall: bool = True
    parent: str | None = None
    windows: tuple[str, ...] = field(default=())  # window numbers it staffs


# Window numbers: A = 综合服务大厅 1F, B = 2F, C = 3F, D = 不动产登记大厅, E = 社保医保大厅.
DEPARTMENTS: list[Dept] = [
    Dept("zwj", "县政务服务和大数据发展局", "政务服务局", "comprehensive",
         windows=("A01", "A02", "A03", "A04", "A05", "A21", "A22", "B23", "B24")),
    Dept("fgj", "县发展和改革局", "发改局", "economic", windows=("B01",)),
    Dept("gxj", "县工业和信息化局", "工信局", "economic", windows=("B02",)),
    Dept("jyj", "县教育局", "教育局", "comprehensive", windows=("C01",)),
    Dept("kjj", "县科学技术局", "科技局", "economic", windows=("C14",)),
    Dept("gaj", "县公安局", "公安局", "enforcement", windows=("A15", "A16", "A17")),
    Dept("jjdd", "县公安局交通管理大队", "交警大队", "enforcement", parent="gaj", windows=("A18", "A19")),
    Dept("mzj", "县民政局", "民政局", "comprehensive", windows=("C02", "C03")),
    Dept("sfj", "县司法局", "司法局", "enforcement", windows=("C10",)),
    Dept("czj", "县财政局", "财政局", "economic", windows=("C15",)),
    Dept("rsj", "县人力资源和社会保障局", "人社局", "comprehensive", windows=("C16", "C17", "E10")),
    Dept("sbzx", "县社会保险事业管理中心", "社保中心", "comprehensive", kind="12", parent="rsj",
         windows=("E01", "E02", "E03", "E04")),
    Dept("zrj", "县自然资源局", "自然资源局", "economic", windows=("B04", "B05")),
    Dept("bdc", "县不动产登记中心", "不动产登记中心", "economic", kind="12", parent="zrj",
         windows=("D01", "D02", "D03", "D04", "D05", "D06", "D07")),
    Dept("sthj", "县生态环境局", "生态环境局", "enforcement", windows=("B14",)),
    Dept("zjj", "县住房和城乡建设局", "住建局", "economic", windows=("B06", "B07", "B08", "D10")),
    Dept("jtj", "县交通运输局", "交通运输局", "economic", windows=("B09", "B10")),
    Dept("slj", "县水利局", "水利局", "economic", windows=("B11",)),
    Dept("nyj", "县农业农村局", "农业农村局", "economic", windows=("B12",)),
    Dept("swj", "县商务局", "商务局", "economic", windows=("B03",)),
    Dept("wlj", "县文化广电体育和旅游局", "文广体旅局", "comprehensive", windows=("C06",)),
    Dept("wjj", "县卫生健康局", "卫健局", "comprehensive", windows=("C04", "C05")),
    Dept("tyjr", "县退役军人事务局", "退役军人局", "comprehensive", windows=("C07",)),
    Dept("yjj", "县应急管理局", "应急局", "enforcement", windows=("B15",)),
    Dept("scj", "县市场监督管理局", "市场监管局", "enforcement", windows=("A06", "A07", "A08")),
    Dept("ybj", "县医疗保障局", "医保局", "comprehensive", windows=("E05", "E06", "E07")),
    Dept("lyj", "县林业局", "林业局", "economic", windows=("B13",)),
    Dept("cgj", "县城市管理综合执法局", "城管局", "enforcement", windows=("B19",)),
    Dept("mzzj", "县民族宗教事务局", "民宗局", "comprehensive", windows=("C09",)),
    Dept("dag", "县档案馆", "档案馆", "comprehensive", kind="12", in_hall=False),
    Dept("clj", "县残疾人联合会", "残联", "comprehensive", kind="13", windows=("C08",)),
    Dept("rfb", "县人民防空办公室", "人防办", "economic", windows=("B18",)),
    Dept("gzc", "县公证处", "公证处", "comprehensive", kind="12", windows=("C11",)),
    Dept("swju", "国家税务总局容县税务局", "税务局", "vertical",
         windows=("A09", "A10", "A11", "A12", "A13", "A14", "D08", "D09")),
    Dept("qxj", "县气象局", "气象局", "vertical", kind="12", windows=("B17",)),
    Dept("xfdd", "县消防救援大队", "消防救援大队", "vertical", windows=("B16",)),
    Dept("ycj", "县烟草专卖局", "烟草专卖局", "vertical", windows=("C13",)),
    Dept("gjj", "玉林市住房公积金管理中心容县管理部", "公积金管理部", "vertical", kind="12",
         windows=("E08", "E09")),
    Dept("gdj", "广西电网有限责任公司容县供电局", "供电局", "vertical", kind="91", windows=("B20",)),
    Dept("swgs", "县水务有限责任公司", "水务公司", "comprehensive", kind="91", windows=("B21",)),
    Dept("rqgs", "县燃气有限公司", "燃气公司", "comprehensive", kind="91", windows=("B22",)),
    Dept("yjzx", "县医疗保障事业管理中心", "医保中心", "comprehensive", kind="12", parent="ybj"),
    Dept("zfb", "县人民政府办公室", "政府办", "comprehensive", in_hall=False),
]  # fmt: skip
DEPT_BY_KEY = {d.key: d for d in DEPARTMENTS}


def dept_uscc(dept: Dept) -> str:
    return make_uscc(dept.kind, DEPARTMENTS.index(dept) + 1)


def dept_phone(dept: Dept) -> str:
    return f"{AREA_CODE}-53{(21000 + DEPARTMENTS.index(dept) * 113) % 100000:05d}"


# --- halls and windows ---------------------------------------------------------------------------------

HALLS: list[tuple[str, str, int]] = [
    ("综合服务大厅", "ABC", 3),
    ("不动产登记大厅", "D", 1),
    ("社保医保大厅", "E", 1),
]
SESSIONS = [((9, 0), (12, 0)), ((13, 30), (17, 30))]
TOWNSHIP_HALL = "便民服务大厅"

# Windows run by the center itself (政务服务局): the comprehensive intake model (综窗).
_CENTER_WINDOWS = {
    "A01": ("咨询导办台", "inquiry"),
    "A02": ("企业开办综合受理窗口", "comprehensive"),
    "A03": ("企业开办综合受理窗口", "comprehensive"),
    "A04": ("“一件事”综合受理窗口", "comprehensive"),
    "A05": ("帮办代办窗口", "agent"),
    "A21": ("综合出件窗口", "delivery"),
    "A22": ("综合出件窗口", "delivery"),
    "B23": ("工程建设项目综合受理窗口", "comprehensive"),
    "B24": ("工程建设项目综合受理窗口", "comprehensive"),
}


# The departments each comprehensive window takes applications and makes intake decisions for (Window.acts_for).
COMPREHENSIVE_ACTS_FOR: dict[str, tuple[str, ...]] = {
    "A02": ("scj", "swju", "gaj"),  # 企业开办: registration, tax, seal engraving
    "A03": ("scj", "swju", "gaj"),
    "A04": ("scj", "wjj", "rsj", "bdc"),  # 一件事: the bundles' lead departments
    "B23": ("zjj", "zrj", "xfdd", "rfb", "fgj", "sthj"),  # 工程建设项目: the joint review departments
    "B24": ("zjj", "zrj", "xfdd", "rfb", "fgj", "sthj"),
}


@dataclass(frozen=True)
class WindowPlan:
    hall: str
    floor: int
    number: str
    name: str
    kind: str
    dept_key: str


def windows() -> list[WindowPlan]:
    out: list[WindowPlan] = []
    for dept in DEPARTMENTS:
        for number in dept.windows:
            letter = number[0]
            hall = next(h for h, letters, _ in HALLS if letter in letters)
            floor = "ABC".index(letter) + 1 if letter in "ABC" else 1
            name, kind = _CENTER_WINDOWS.get(number, (f"{dept.short}窗口", "specialised"))
            out.append(WindowPlan(hall, floor, number, name, kind, dept.key))
    return sorted(out, key=lambda w: w.number)
