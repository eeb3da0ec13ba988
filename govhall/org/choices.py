from govhall.core.choices import ColoredChoices


class AdminLevel(ColoredChoices):
    CITY = "city", "市"
    COUNTY = "county", "区县"
    TOWNSHIP = "township", "乡镇街道"
    VILLAGE = "village", "村社区"


class SiteKind(ColoredChoices):
    """The three-level network: county center, township centers, village agent points."""

    CENTER = "center", "政务服务中心"
    TOWNSHIP = "township", "乡镇便民服务中心"
    VILLAGE = "village", "村代办点"


SiteKind.set_colors({SiteKind.CENTER: "red", SiteKind.TOWNSHIP: "blue", SiteKind.VILLAGE: "green"})


class WindowKind(ColoredChoices):
    COMPREHENSIVE = "comprehensive", "综合受理窗口"
    SPECIALISED = "specialised", "专业窗口"
    DELIVERY = "delivery", "出件窗口"
    INQUIRY = "inquiry", "咨询导办"
    AGENT = "agent", "代办窗口"


class DepartmentGroup(ColoredChoices):
    """Groups within which departments are ranked in the annual evaluation (domain §10)."""

    COMPREHENSIVE = "comprehensive", "综合服务"
    ECONOMIC = "economic", "经济管理"
    ENFORCEMENT = "enforcement", "执法监察"
    VERTICAL = "vertical", "垂直管理"


DepartmentGroup.set_colors(
    {
        DepartmentGroup.COMPREHENSIVE: "blue",
        DepartmentGroup.ECONOMIC: "green",
        DepartmentGroup.ENFORCEMENT: "orange",
        DepartmentGroup.VERTICAL: "purple",
    }
)


class Role(ColoredChoices):
    """Roles of domain §1. Each is a Django auth Group of the same name (value) carrying its permissions."""

    WINDOW_CLERK = "window_clerk", "窗口工作人员"
    APPROVER = "approver", "审批人员"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    CENTER_ADMIN = "center_admin", "中心管理员"
    SUPERVISOR = "supervisor", "效能监察"
    PERFORMANCE_OFFICER = "performance_officer", "绩效办"
    LEGAL_OFFICER = "legal_officer", "法制办"
    LEADER = "leader", "领导"
    HOTLINE_OPERATOR = "hotline_operator", "热线话务员"
    DISCLOSURE_OFFICER = "disclosure_officer", "政务公开专员"
    AGENT = "agent", "村级代办员"
    APPLICANT = "applicant", "申请人"


STAFF_ROLES = [role for role in Role if role != Role.APPLICANT]
