"""The grades and rotation limits a county starts with (the migration writes the same rows)."""

from __future__ import annotations

from .models import RiskLevel, RotationLimit

# The grades a county starts with (Xinle's: A high, B medium, C low). Operations on A-level powers are disclosed
# on at least two public channels, B and C on at least one.
DEFAULT_LEVELS = (
    ("A", "高风险", "red", 1, 2),
    ("B", "中风险", "yellow", 2, 1),
    ("C", "低风险", "blue", 3, 1),
)
# Same post at most 10 years, key posts at most 5 (the rotation rule of the county's working-mechanism reform).
DEFAULT_LIMITS = ((False, 10, 90), (True, 5, 90))


def ensure_levels() -> dict[str, RiskLevel]:
    """The risk grades by code, creating the county's defaults when none are configured."""
    levels = {level.code: level for level in RiskLevel.objects.all()}
    if not levels:
        for code, name, color, rank, channels in DEFAULT_LEVELS:
            levels[code] = RiskLevel.objects.create(
                code=code, name=name, color=color, rank=rank, channels_required=channels
            )
    return levels


def ensure_rotation_limits() -> dict[bool, RotationLimit]:
    limits = {limit.key_post: limit for limit in RotationLimit.objects.all()}
    for key_post, years, alert_days in DEFAULT_LIMITS:
        if key_post not in limits:
            limits[key_post] = RotationLimit.objects.create(
                key_post=key_post, max_years=years, alert_days=alert_days
            )
    return limits
