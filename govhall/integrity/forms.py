"""Forms of the staff pages: posts, assignments, risk points, key departments, the risk-point upload.

The forms only read and check input; every write is an action of `integrity.actions`, and an action's
ValidationError is put back on the field it names (`attach`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from govhall.org.models import Department, StaffProfile

from .choices import Discovery
from .models import Post, Power, PowerStep, RiskLevel


class ChineseForm(forms.Form):
    """Required and choice errors that name the field: 请填写岗位名称。 / 所选部门无效。"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label or "")
            field.error_messages["required"] = f"请填写{label}。"
            field.error_messages["invalid_choice"] = f"所选{label}无效。"
            field.error_messages["invalid"] = f"{label}格式不正确。"


def attach(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's error on the form field it names (or on the form when the field is not on it)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for e in errors:
                form.add_error(name if name in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


def departments_choice(department: Department | None) -> QuerySet[Department]:
    qs = Department.objects.order_by("sort_order", "pk")
    return qs.filter(pk=department.pk) if department is not None else qs


class PostForm(ChineseForm):
    department = forms.ModelChoiceField(label="部门", queryset=Department.objects.none())
    name = forms.CharField(label="岗位名称", max_length=64)
    is_key = forms.BooleanField(label="重点岗位", required=False)
    specialised = forms.BooleanField(label="专业性强（不受轮岗年限限制）", required=False)
    duties = forms.CharField(label="岗位职责", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args: Any, scope: Department | None, post: Post | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.post = post
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments_choice(scope)
        if post is not None:
            # The department of a post stays (its points and assignments were recorded against it).
            field.disabled = True
            field.initial = post.department_id
        else:
            del self.fields["active"]
        self.fields["name"].error_messages["max_length"] = "岗位名称不能超过64个字。"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department, name = data.get("department"), (data.get("name") or "").strip()
        if (
            self.post is None
            and department is not None
            and name
            and Post.objects.filter(department=department, name=name).exists()
        ):
            self.add_error("name", f"{department.name}已有名为“{name}”的岗位。")
        return data


class AssignForm(ChineseForm):
    staff = forms.ModelChoiceField(label="人员", queryset=StaffProfile.objects.none())
    start_date = forms.DateField(label="到岗日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, post: Post, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelChoiceField)
        # Staff of the post's department (a transfer in is first recorded in the org module).
        field.queryset = StaffProfile.objects.filter(departments=post.department_id, active=True).order_by(
            "name", "pk"
        )


class EndAssignmentForm(ChineseForm):
    end_date = forms.DateField(label="离岗日期", widget=forms.DateInput(attrs={"type": "date"}))


class RiskPointForm(ChineseForm):
    power = forms.CharField(label="职权编码", max_length=40, required=False)
    step = forms.CharField(label="运行环节编码", max_length=40, required=False)
    post = forms.ModelChoiceField(label="岗位", queryset=Post.objects.none(), required=False)
    description = forms.CharField(label="风险点描述", widget=forms.Textarea(attrs={"rows": 3}))
    discovery = forms.ChoiceField(label="查找方式", choices=Discovery.choices)
    level = forms.ModelChoiceField(
        label="风险等级", queryset=RiskLevel.objects.order_by("rank"), to_field_name="code"
    )
    measures = forms.CharField(label="防控措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, scope: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        field = self.fields["post"]
        assert isinstance(field, forms.ModelChoiceField)
        posts = Post.objects.filter(active=True).select_related("department")
        field.queryset = posts.filter(department=scope) if scope is not None else posts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, key, post = data.get("power", "").strip(), data.get("step", "").strip(), data.get("post")
        power = step = None
        if code:
            power = Power.objects.filter(code=code).first()
            if power is None:
                self.add_error("power", f"找不到职权“{code}”。")
            elif self.scope is not None and power.department_id != self.scope.pk:
                self.add_error("power", f"职权“{code}”不属于{self.scope.name}。")
                power = None
        if key:
            if not code:
                self.add_error("step", "填写运行环节时须同时填写职权编码。")
            elif power is not None:
                step = PowerStep.objects.filter(power=power, key=key).first()
                if step is None:
                    self.add_error("step", f"职权“{code}”没有环节“{key}”。")
        if post is not None and power is not None and post.department_id != power.department_id:
            self.add_error("post", "岗位应属于该职权的实施部门。")
        if not code and post is None and "post" not in self.errors:
            self.add_error("power", "风险点应落在某项职权、某个环节或某个岗位上：请填写职权编码或选择岗位。")
        data["power_obj"], data["step_obj"] = power, step
        return data


class KeyDepartmentForm(ChineseForm):
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.filter(integrity_key__isnull=True).order_by("sort_order", "pk"),
    )
    reason = forms.CharField(label="列为重点的理由", max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["max_length"] = "列为重点的理由不能超过200个字。"


class RiskImportForm(ChineseForm):
    file = forms.FileField(label="Excel 文件")
