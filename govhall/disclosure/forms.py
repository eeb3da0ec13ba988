"""Forms of the public request page and the officer's pages; the actions do the validation that matters."""

from __future__ import annotations

from django import forms

from govhall.org.models import Department

from .choices import DisclosureCategory, RequesterKind, RequestOutcome, Validity


class InfoRequestForm(forms.Form):
    organ = forms.ModelChoiceField(Department.objects.filter(active=True), label="向哪个机关申请")
    requester_kind = forms.ChoiceField(
        choices=RequesterKind.choices, label="申请人类型", initial=RequesterKind.PERSON
    )
    requester_name = forms.CharField(label="姓名或名称", max_length=100)
    requester_id_number = forms.CharField(label="身份证号码或统一社会信用代码", max_length=18)
    phone = forms.CharField(label="联系电话", max_length=20)
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    description = forms.CharField(
        label="所需信息的描述（名称、文号或其他特征）", widget=forms.Textarea(attrs={"rows": 4})
    )


class ProgressForm(forms.Form):
    number = forms.CharField(label="申请编号", max_length=20)
    code = forms.CharField(label="查询码", max_length=12)


class RecordForm(forms.Form):
    organ = forms.ModelChoiceField(Department.objects.none(), label="发布机构")
    title = forms.CharField(label="标题", max_length=300)
    category = forms.ChoiceField(choices=DisclosureCategory.choices, label="主题分类")
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    formed_on = forms.DateField(
        label="生成日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    validity = forms.ChoiceField(choices=Validity.choices, label="效力状态", initial=Validity.NOT_APPLICABLE)
    summary = forms.CharField(label="内容概述", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    draft = forms.BooleanField(label="先登记，稍后公开（开始20个工作日计时）", required=False)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(choices=RequestOutcome.choices, label="答复类型")
    reason_category = forms.CharField(
        label="理由类别（不予公开、部分公开、不予处理）", required=False, max_length=20
    )
    where_public = forms.CharField(label="已公开信息的获取途径", required=False, max_length=300)
    right_agency = forms.CharField(label="负责公开的机关及联系方式", required=False, max_length=200)
    answer_text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)
