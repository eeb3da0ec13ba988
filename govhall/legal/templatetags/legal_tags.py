"""`{% case_corrections case %}`: the reconsideration decisions and judgments that set aside or changed an act made
in this case, for the staff case page."""

from __future__ import annotations

from typing import Any

from django import template

from govhall.legal.queries import corrections_for_case

register = template.Library()


@register.inclusion_tag("legal/_case_corrections.html")
def case_corrections(case: Any) -> dict[str, Any]:
    return {"corrections": list(corrections_for_case(case.pk)) if case is not None and case.pk else []}
