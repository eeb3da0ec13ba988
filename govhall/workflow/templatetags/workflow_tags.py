"""`{% load workflow_tags %}{% item_flowchart item %}`: an item's process flowchart, inline."""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe

from govhall.workflow.charts import item_flowchart_svg

register = template.Library()
log = logging.getLogger(__name__)


@register.simple_tag
def item_flowchart(item: Any, current: Any = None, done: Any = None) -> SafeString:
    """The item's flowchart; current / done are step keys (a key or an iterable of keys) to highlight."""
    try:
        svg = item_flowchart_svg(item, current=_keys(current), done=_keys(done))
    except ValidationError as exc:
        # A guide page must still open when the template is not configured: say so instead of failing.
        log.warning("no flowchart for item %s: %s", getattr(item, "pk", None), exc.messages)
        return mark_safe('<p class="workflow-chart-missing">暂未配置办理流程图。</p>')
    # render_svg escapes every text it writes.
    return mark_safe(svg)


def _keys(value: Any) -> frozenset[str]:
    if not value:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)
