"""Display helpers for the public pages: translated choice labels, time limits with units, badges."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, ngettext

from govhall.catalog.choices import HandlingKind, ItemStatus, OnlineDepth, TimeUnit
from govhall.core.choices import ColoredChoices
from govhall.org.choices import DepartmentGroup

register = template.Library()

_COLORED: dict[str, type[ColoredChoices]] = {
    "HandlingKind": HandlingKind,
    "OnlineDepth": OnlineDepth,
    "ItemStatus": ItemStatus,
    "DepartmentGroup": DepartmentGroup,
}
_VISIT_COLORS = {0: "green", 1: "blue", 2: "gray"}


@register.filter
def tr(label: object) -> str:
    """A choice label in the active language (choice_labels.py puts the labels into the catalog)."""
    return gettext(str(label)) if label not in (None, "") else ""


@register.simple_tag
def time_limit(amount: int | None, unit: str) -> str:
    if amount is None:
        return ""
    # Whole phrases, not "number + unit", so English gets its plurals and Chinese its measure word.
    if unit == TimeUnit.WORKDAY:
        text = ngettext("%(n)s个工作日", "%(n)s个工作日", amount)
    elif unit == TimeUnit.DAY:
        text = ngettext("%(n)s个自然日", "%(n)s个自然日", amount)
    elif unit == TimeUnit.HOUR:
        text = ngettext("%(n)s小时", "%(n)s小时", amount)
    elif unit == TimeUnit.MINUTE:
        text = ngettext("%(n)s分钟", "%(n)s分钟", amount)
    else:
        return f"{amount} {unit}"
    return text % {"n": amount}


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%"


@register.filter
def color_of(value: object, choice_class: str) -> str:
    return _COLORED[choice_class].color_of(str(value))


@register.filter
def visits_color(value: int) -> str:
    return _VISIT_COLORS.get(value, "gray")
