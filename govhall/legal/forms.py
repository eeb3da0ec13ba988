"""Forms of the legal office's pages; they only parse input — the actions validate and write."""

from __future__ import annotations

from django import forms

from govhall.org.models import Department

from .choices import (
    AbsenceReason,
    ActSource,
    Instrument,
    NamedBy,
    Outcome,
    ReconOutcome,
    ReconProcedure,
    RefusalGround,
    Stage,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LawsuitForm(forms.Form):
    department = forms.ModelChoiceField(Department.objects.filter(active=True), label="被告机关")
    court = forms.CharField(label="受理法院", max_length=100, initial="县人民法院")
    case_number = forms.CharField(label="案号", max_length=60)
    stage = forms.ChoiceField(label="审级", choices=Stage.choices)
    parent_id = forms.IntegerField(label="前一审级案件编号", required=False)
    plaintiffs = forms.CharField(label="原告（每行一名）", widget=forms.Textarea(attrs={"rows": 2}))
    plaintiff_count = forms.IntegerField(label="原告人数", min_value=1, required=False)
    cause = forms.CharField(label="案由", max_length=200)
    act_source = forms.ChoiceField(label="被诉行政行为来源", choices=ActSource.choices)
    act_case_number = forms.CharField(label="办件编号", max_length=20, required=False)
    act_request_number = forms.CharField(label="信息公开申请编号", max_length=20, required=False)
    act_description = forms.CharField(label="被诉行政行为", max_length=300, required=False)
    notice_received_on = forms.DateField(label="收到应诉通知日", widget=DATE)
    complaint_received_on = forms.DateField(label="收到起诉状副本日", widget=DATE, required=False)
    major_impact = forms.BooleanField(label="社会影响重大", required=False)
    state_compensation = forms.BooleanField(label="国家赔偿案件", required=False)
    named_by = forms.ChoiceField(label="要求负责人出庭", choices=NamedBy.choices, required=False)


class FlagsForm(forms.Form):
    major_impact = forms.BooleanField(label="社会影响重大", required=False)
    state_compensation = forms.BooleanField(label="国家赔偿案件", required=False)
    named_by = forms.ChoiceField(label="要求负责人出庭", choices=NamedBy.choices, required=False)


class HearingForm(forms.Form):
    scheduled_for = forms.DateTimeField(label="开庭时间", widget=DATETIME)
    place = forms.CharField(label="地点", max_length=100, required=False)


class ConfirmForm(forms.Form):
    hearing = forms.IntegerField(widget=forms.HiddenInput)
    head_name = forms.CharField(label="出庭负责人", max_length=50)
    head_title = forms.CharField(label="职务", max_length=50, required=False)


class AbsenceForm(forms.Form):
    hearing = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label="不能出庭理由", choices=AbsenceReason.choices)
    explanation = forms.CharField(label="书面说明", widget=forms.Textarea(attrs={"rows": 2}))


class RecordHearingForm(forms.Form):
    hearing = forms.IntegerField(widget=forms.HiddenInput)
    head_appeared = forms.BooleanField(label="负责人出庭", required=False)
    head_name = forms.CharField(label="出庭负责人", max_length=50, required=False)
    head_title = forms.CharField(label="职务", max_length=50, required=False)


class JudgmentForm(forms.Form):
    instrument = forms.ChoiceField(label="裁判文书", choices=Instrument.choices)
    outcome = forms.ChoiceField(label="裁判结果", choices=Outcome.choices)
    served_on = forms.DateField(label="送达日", widget=DATE)
    summary = forms.CharField(label="裁判要旨", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AppealForm(forms.Form):
    appeal = forms.TypedChoiceField(
        label="是否上诉", choices=[("0", "服判息诉，不上诉"), ("1", "提起上诉")], coerce=lambda v: v == "1"
    )


class ReconForm(forms.Form):
    department = forms.ModelChoiceField(Department.objects.filter(active=True), label="被申请人")
    applicant_name = forms.CharField(label="申请人", max_length=200)
    applicant_count = forms.IntegerField(label="申请人人数", min_value=1, initial=1)
    act_source = forms.ChoiceField(label="被申请行政行为来源", choices=ActSource.choices)
    act_case_number = forms.CharField(label="办件编号", max_length=20, required=False)
    act_request_number = forms.CharField(label="信息公开申请编号", max_length=20, required=False)
    act_description = forms.CharField(label="被申请行政行为", max_length=300, required=False)
    request = forms.CharField(label="复议请求", widget=forms.Textarea(attrs={"rows": 2}))
    known_on = forms.DateField(label="知道该行政行为之日", widget=DATE, required=False)


class AcceptForm(forms.Form):
    procedure = forms.ChoiceField(label="审理程序", choices=ReconProcedure.choices)


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(label="不予受理依据", choices=RefusalGround.choices)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class HearForm(forms.Form):
    note = forms.CharField(label="审理情况", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="延长日数", min_value=1, max_value=30, initial=30)
    reason = forms.CharField(label="理由", max_length=200)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label="复议决定", choices=ReconOutcome.choices)
    text = forms.CharField(label="决定内容", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SummaryForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label="季度", min_value=1, max_value=4)
