from govhall.core.choices import ColoredChoices


class ClockKind(ColoredChoices):
    """What a clock measures. Issue #4 adds complaint and supervision-order clocks to the same table."""

    INTAKE = "intake", "受理时限（5个工作日）"
    CASE = "case", "承诺办结时限"
    LEGAL = "legal", "法定办结时限"
    STEP = "step", "环节时限"
    DELIVERY = "delivery", "送达时限"
    ORDER = "order", "督办时限"
    COMPLAINT = "complaint", "投诉办理时限"
    RECTIFY = "rectify", "差评整改反馈时限"
    HOTLINE = "hotline", "热线工单办理时限"
    INSP_RECTIFY = "insp_rectify", "监督检查责令整改时限"
    DISCLOSURE = "disclosure", "主动公开时限（20个工作日）"
    INFO_REQUEST = "info_request", "依申请公开答复时限"
    GOAL_REPORT = "goal_report", "目标月报报送时限"
    INTEGRITY = "integrity", "廉政预警整改时限"
    COURT_REPORT = "court_report", "应诉通知报告时限（3日）"
    DEFENCE = "defence", "答辩举证期限（15日）"
    ABSENCE_NOTE = "absence_note", "负责人不能出庭书面说明期限"
    JUDGMENT_FILING = "judgment_filing", "裁判文书备案时限（10个工作日）"
    APPEAL = "appeal", "上诉期限"
    RECON_REVIEW = "recon_review", "复议受理审查时限（5个工作日）"
    RECON_DECISION = "recon_decision", "复议决定期限"
    NORMATIVE_COMMENT = "norm_comment", "规范性文件征求意见期"
    NORMATIVE_FILING = "norm_filing", "规范性文件报送备案时限"
    NORMATIVE_VALIDITY = "norm_validity", "规范性文件有效期"
    NORMATIVE_REVIEW = "norm_review", "规范性文件审查申请办理时限"
    DECISION_COMMENT = "decision_comment", "重大行政决策征求意见期"


class ClockUnit(ColoredChoices):
    """Budget units (domain §3). Hours are kept as office minutes."""

    WORKDAY = "workday", "工作日"
    DAY = "day", "自然日"
    MINUTE = "minute", "分钟（办公时间）"


class ClockState(ColoredChoices):
    RUNNING = "running", "计时中"
    PAUSED = "paused", "暂停计时"
    STOPPED = "stopped", "已停止"


ClockState.set_colors({ClockState.RUNNING: "blue", ClockState.PAUSED: "gray", ClockState.STOPPED: "green"})


class Light(ColoredChoices):
    """电子监察 lights (domain §8)."""

    GREEN = "green", "绿灯（正常）"
    YELLOW = "yellow", "黄灯（预警）"
    RED = "red", "红灯（超期）"


Light.set_colors({Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "red"})
