from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet

from govhall.cases.forms import CHECK_CODE_REGEX, check_code_hint
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile

from .choices import ComplaintChannel, ComplaintStatus, Finding, Responsibility

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class OnlineComplaintForm(forms.Form):
    complainant_name = forms.CharField(label="投诉人姓名", max_length=50, required=False)
    anonymous = forms.BooleanField(label="匿名投诉", required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    subject = forms.CharField(label="投诉事由", max_length=200, required=False)
    content = forms.CharField(label="投诉内容", widget=forms.Textarea(attrs={"rows": 5}))
    case_number = forms.CharField(label="涉及办件编号（可选）", max_length=20, required=False)
    check_code = forms.CharField(label="办件查询码", max_length=12, required=False)
    department = forms.ModelChoiceField(
        label="被投诉部门（可选）", queryset=Department.objects.order_by("name"), required=False
    )


class RegisterComplaintForm(OnlineComplaintForm):
    channel = forms.ChoiceField(
        label="投诉渠道",
        choices=[(c.value, c.label) for c in ComplaintChannel if c != ComplaintChannel.ONLINE],
    )
    staff = forms.ModelChoiceField(
        label="被投诉人（可选）",
        queryset=StaffProfile.objects.filter(active=True).order_by("employee_no"),
        required=False,
    )
    field_order = ["channel"]


class ProgressForm(forms.Form):
    number = forms.CharField(label="投诉编号", max_length=20)
    # Every length ever issued: 6 digits before GOVHALL_CHECK_CODE_DIGITS, up to 12 (as for cases).
    check_code = forms.RegexField(
        label="查询码",
        regex=CHECK_CODE_REGEX,
        error_messages={"invalid": check_code_hint()},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": "12"}),
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *ComplaintStatus.choices], required=False)
    channel = forms.ChoiceField(
        label="渠道", choices=[("", "全部"), *ComplaintChannel.choices], required=False
    )
    department = forms.ModelChoiceField(
        label="部门", queryset=Department.objects.order_by("name"), required=False
    )
    q = forms.CharField(label="编号/事由", max_length=50, required=False)


def _supervisors() -> QuerySet[User]:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(groups__name=Role.SUPERVISOR.value, is_active=True)
        .order_by("username")
    )


if TYPE_CHECKING:  # generic for the type checker only
    _ModelChoiceField = forms.ModelChoiceField[User]
else:
    _ModelChoiceField = forms.ModelChoiceField


class SupervisorChoiceField(_ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(getattr(getattr(obj, "staff", None), "name", "") or obj.username)


class AssignForm(forms.Form):
    to = SupervisorChoiceField(label="承办人", queryset=_supervisors())


class InvestigateForm(forms.Form):
    notes = forms.CharField(label="调查情况", widget=forms.Textarea(attrs={"rows": 4}))


class ConcludeForm(forms.Form):
    finding = forms.ChoiceField(label="调查结论", choices=Finding.choices)
    responsibility = forms.ChoiceField(label="责任认定", choices=Responsibility.choices)
    conclusion = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 4}))
