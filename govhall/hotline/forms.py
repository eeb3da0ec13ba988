from __future__ import annotations

from django import forms

from govhall.org.models import Department

from .choices import Category, OrderStatus, Satisfaction, Urgency


class NewOrderForm(forms.Form):
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.ORDINARY)
    caller_name = forms.CharField(label="来电人", max_length=50, required=False)
    caller_phone = forms.CharField(label="来电号码", max_length=20, required=False)
    subject = forms.CharField(label="标题", max_length=200, required=False)
    content = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label="地址", max_length=200, required=False)
    case_number = forms.CharField(label="关联办件编号", max_length=40, required=False)
    item_code = forms.CharField(label="关联事项实施编码", max_length=31, required=False)


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(label="承办部门", queryset=Department.objects.order_by("name"))
    reason = forms.CharField(label="派单/改派说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退单理由", widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(forms.Form):
    reached = forms.TypedChoiceField(
        label="是否联系上来电人",
        choices=[("1", "已联系上"), ("0", "未联系上")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    solved = forms.TypedChoiceField(
        label="问题是否解决",
        choices=[("", "—"), ("1", "已解决"), ("0", "未解决")],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label="满意度", choices=[("", "—"), *Satisfaction.choices], required=False
    )
    note = forms.CharField(label="回访记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(
        label="被投诉部门", queryset=Department.objects.order_by("name"), required=False
    )
    reason = forms.CharField(label="说明", required=False)


class FilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *OrderStatus.choices], required=False)
    category = forms.ChoiceField(label="类别", choices=[("", "全部"), *Category.choices], required=False)
    q = forms.CharField(label="编号/标题", required=False)


class MonthForm(forms.Form):
    month = forms.RegexField(
        label="月份",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": "月份格式应为 YYYY-MM"},
    )
