"""Forms of the rating pages; every rule is checked again by the actions."""

from __future__ import annotations

from typing import Any

from django import forms

from .choices import AppealGround, CallbackResult, Dimension, Level, ReviewFinding

LEVEL_CHOICES = [
    (level.value, f"{'★' * level.stars}{'☆' * (5 - level.stars)} {level.label}") for level in Level
]


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label="总体评价",
        choices=LEVEL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评价等级"},
    )
    comment = forms.CharField(
        label="评价意见（选填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(label="匿名评价（不接受回访）", required=False)

    def __init__(self, *args: Any, dimensions: tuple[Dimension, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in dimensions:
            if dim == Dimension.OVERALL:
                continue
            self.fields[f"dim_{dim.value}"] = forms.ChoiceField(
                label=str(dim.label), choices=[("", "（不评）"), *LEVEL_CHOICES], required=False
            )
        self.dimension_codes = [d.value for d in dimensions if d != Dimension.OVERALL]

    def dimensions(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"dim_{code}") or "" for code in self.dimension_codes}


class HotlineRatingForm(RatingForm):
    case_number = forms.CharField(label="办件编号", max_length=20)
    check_code = forms.CharField(label="查询码（来电人报出）", max_length=12)
    field_order = ["case_number", "check_code", "level", "comment", "anonymous"]


class VerifyForm(forms.Form):
    finding = forms.ChoiceField(label="核实结论", choices=[("", "请选择"), *ReviewFinding.choices])
    verification = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(forms.Form):
    result = forms.ChoiceField(label="回访结果", choices=[("", "请选择"), *CallbackResult.choices])
    notes = forms.CharField(label="回访记录", widget=forms.Textarea(attrs={"rows": 2}))


class RectifyForm(forms.Form):
    rectification = forms.CharField(label="整改措施（或解释说明）", widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(forms.Form):
    feedback = forms.CharField(label="反馈评价人的内容", widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    ground = forms.ChoiceField(label="申诉理由类别", choices=[("", "请选择"), *AppealGround.choices])
    reason = forms.CharField(label="申诉理由", widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label="证据说明", widget=forms.Textarea(attrs={"rows": 2}))
    evidence_file = forms.FileField(label="证据材料（选填）", required=False)


class DecideAppealForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="复核结论",
        choices=[("", "请选择"), ("1", "申诉成立（不计入统计）"), ("0", "申诉不成立")],
        coerce=lambda v: v == "1",
    )
    decision = forms.CharField(label="复核意见", widget=forms.Textarea(attrs={"rows": 3}))
