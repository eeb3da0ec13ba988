"""The answer limit of a work order by category and urgency (国办发〔2020〕53号 leaves them to local rules).

Defaults below are typical of local 12345 rules: an urgent order is answered within office hours, an ordinary one
within working days. A centre changes them in the admin (`HotlineLimit`, one row per category and urgency)."""

from __future__ import annotations

from .choices import Category, LimitUnit, Urgency
from .models import HotlineLimit

DEFAULTS: dict[tuple[str, str], tuple[int, str]] = {
    (Category.CONSULT, Urgency.URGENT): (2, LimitUnit.HOUR),
    (Category.CONSULT, Urgency.ORDINARY): (1, LimitUnit.WORKDAY),
    (Category.HELP, Urgency.URGENT): (2, LimitUnit.HOUR),
    (Category.HELP, Urgency.ORDINARY): (3, LimitUnit.WORKDAY),
    (Category.COMPLAINT, Urgency.URGENT): (4, LimitUnit.HOUR),
    (Category.COMPLAINT, Urgency.ORDINARY): (5, LimitUnit.WORKDAY),
    (Category.REPORT, Urgency.URGENT): (4, LimitUnit.HOUR),
    (Category.REPORT, Urgency.ORDINARY): (5, LimitUnit.WORKDAY),
    (Category.SUGGESTION, Urgency.URGENT): (1, LimitUnit.WORKDAY),
    (Category.SUGGESTION, Urgency.ORDINARY): (10, LimitUnit.WORKDAY),
}


def limit_for(category: str, urgency: str) -> tuple[int, str]:
    """(amount, unit) with unit "hour" or "workday": the configured row, else the default."""
    row = (
        HotlineLimit.objects.filter(category=category, urgency=urgency).values_list("amount", "unit").first()
    )
    if row is not None:
        return int(row[0]), str(row[1])
    amount, unit = DEFAULTS[(category, urgency)]
    return amount, str(unit)


def limit_text(category: str, urgency: str) -> str:
    amount, unit = limit_for(category, urgency)
    return f"{amount}{'个办公小时' if unit == LimitUnit.HOUR else '个工作日'}"
