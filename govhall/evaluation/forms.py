"""Forms of the yearly pages: a goal (created or changed by the 绩效办) and a review of a department on a goal.
They only check the shape of the input; the rules live in `actions`, whose field errors are put back on the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from govhall.org.models import Department

from .choices import GoalCategory, ReviewKind

REQUIRED = {"required": "此项为必填项。", "invalid": "格式不正确。", "invalid_choice": "请从列表中选择。"}
NUMBER = REQUIRED | {"max_value": "不能大于%(limit_value)s。", "min_value": "不能小于%(limit_value)s。"}


def _departments() -> Any:
    return Department.objects.filter(active=True).order_by("sort_order", "name")


class GoalForm(forms.Form):
    title = forms.CharField(label="目标名称", max_length=200, error_messages=REQUIRED)
    category = forms.ChoiceField(label="类别", choices=GoalCategory.choices, error_messages=REQUIRED)
    weight = forms.DecimalField(
        label="分值",
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        error_messages=NUMBER | {"max_decimal_places": "最多两位小数。"},
    )
    key_work = forms.BooleanField(label="重点工作", required=False)
    lead = forms.ModelChoiceField(
        label="牵头部门",
        queryset=Department.objects.none(),
        required=False,
        empty_label="（共性目标不选）",
        error_messages=REQUIRED,
    )
    assisting = forms.ModelMultipleChoiceField(
        label="配合部门",
        queryset=Department.objects.none(),
        required=False,
        error_messages=REQUIRED | {"invalid_pk_value": "部门不存在。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        assisting = self.fields["assisting"]
        assert isinstance(lead, forms.ModelChoiceField) and isinstance(assisting, forms.ModelChoiceField)
        lead.queryset = assisting.queryset = _departments()

    def put_errors(self, exc: ValidationError) -> None:
        """Put an action's field errors back on the form (unknown fields become form-wide errors)."""
        for name, texts in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, texts)


class ReviewForm(forms.Form):
    department = forms.ModelChoiceField(
        label="部门", queryset=Department.objects.none(), error_messages=REQUIRED
    )
    kind = forms.ChoiceField(label="类型", choices=ReviewKind.choices, error_messages=REQUIRED)
    period = forms.IntegerField(
        label="期次", min_value=0, max_value=4, initial=0, error_messages=NUMBER, required=False
    )
    score = forms.DecimalField(
        label="得分（百分制）",
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        error_messages=NUMBER | {"max_decimal_places": "最多两位小数。"},
    )
    note = forms.CharField(
        label="情况说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _departments()

    def put_errors(self, exc: ValidationError) -> None:
        for name, texts in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, texts)
