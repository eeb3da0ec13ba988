"""Display helpers for the staff workbench: lights, coloured badges, Chinese labels, masked identities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from govhall.cases.choices import (
    ApplicantKind,
    CaseStatus,
    Channel,
    Decision,
    PauseKind,
    TaskAction,
    TaskStatus,
)
from govhall.clocks.actions import ClockStatus
from govhall.clocks.choices import ClockState, ClockUnit, Light
from govhall.core.choices import ColoredChoices
from govhall.core.identifiers import mask_phone, mask_resident_id
from govhall.documents.choices import DocumentKind, DocumentStatus
from govhall.org.choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from govhall.cases.models import Applicant
    from govhall.clocks.models import Clock

register = template.Library()

_CHOICES: dict[str, type[ColoredChoices]] = {
    "CaseStatus": CaseStatus,
    "Channel": Channel,
    "Decision": Decision,
    "TaskStatus": TaskStatus,
    "TaskAction": TaskAction,
    "PauseKind": PauseKind,
    "DocumentKind": DocumentKind,
    "DocumentStatus": DocumentStatus,
    "ClockState": ClockState,
    "Light": Light,
}

ROLE_LABELS = {"system": "系统", "user": "用户", "": ""}


@register.simple_tag
def light(clock_status: ClockStatus | None) -> SafeString | str:
    """A coloured dot with its meaning as text for screen readers and on hover."""
    if clock_status is None:
        return ""
    lamp = Light(clock_status.light)
    return format_html(
        '<span class="light light-{}" role="img" aria-label="{}" title="{}"></span>',
        lamp.color,
        lamp.label,
        lamp.label,
    )


@register.simple_tag
def badge(value: Any, choice_class: str) -> SafeString | str:
    if value in (None, ""):
        return ""
    choices = _CHOICES[choice_class]
    try:
        label = choices(str(value)).label
    except ValueError:
        label = str(value)
    return format_html('<span class="badge badge-{}">{}</span>', choices.color_of(str(value)), label)


@register.filter
def choice_label(value: Any, choice_class: str) -> str:
    try:
        return str(_CHOICES[choice_class](str(value)).label)
    except ValueError:
        return str(value)


@register.filter
def role_label(value: Any) -> str:
    text = str(value or "")
    if text in ROLE_LABELS:
        return ROLE_LABELS[text]
    try:
        return str(Role(text).label)
    except ValueError:
        return text


@register.filter
def masked_id(applicant: Applicant | None) -> str:
    """A person's ID number is personal information: region and last four only. A credit code is public."""
    if applicant is None:
        return ""
    if applicant.kind == ApplicantKind.PERSON:
        return mask_resident_id(applicant.id_number)
    return str(applicant.id_number)


@register.filter
def masked_phone(value: Any) -> str:
    return mask_phone(str(value or ""))


@register.filter
def staff_name(user: User | AnonymousUser | None) -> str:
    if user is None:
        return ""
    profile = getattr(user, "staff", None)
    # A person's name, never a login name (an applicant's account has only its real name, if any).
    full_name = str(getattr(user, "get_full_name", lambda: "")()).strip()
    return str(getattr(profile, "name", "") or full_name or user.get_username())


@register.filter(name="has_role")
def has_role_filter(user: User | AnonymousUser | None, role: str) -> bool:
    from govhall.org.access import has_role

    return has_role(user, role)


@register.filter
def due_text(clock: Clock | None) -> str:
    """Day clocks expire at 24:00 of their last day (shown as that day, not as 00:00 of the next)."""
    if clock is None or clock.due_at is None:
        return ""
    if clock.unit == ClockUnit.MINUTE:
        return timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
    if clock.due_day is None:
        return ""
    return f"{clock.due_day:%Y-%m-%d} 24:00"
