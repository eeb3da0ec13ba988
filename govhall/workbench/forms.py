"""Workbench forms. They check what can be checked before calling an action (so the clerk sees each error next to
its field); the case actions check everything again and stay the authority."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from govhall.cases.actions import ApplicantData
from govhall.cases.bundles import form_materials
from govhall.cases.choices import ApplicantKind, CaseStatus, Channel, PauseKind, TaskAction
from govhall.cases.uploads import Upload, max_upload_bytes
from govhall.catalog.models import Bundle, Material, ServiceItem

PAGE_SIZE = 20
ACCEPT_ATTR = ".pdf,.jpg,.jpeg,.png,.ofd"

# Keys of the case actions' ValidationError dicts → intake form fields.
INTAKE_ERROR_FIELDS = {
    "applicant.kind": "applicant_kind",
    "applicant.name": "name",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
    "applicant.legal_representative": "legal_representative",
    "form_data": "form_text",
}


def apply_errors(form: forms.Form, exc: ValidationError, mapping: dict[str, str] | None = None) -> None:
    """Put an action's ValidationError on the form: keyed errors next to their field, the rest on top."""
    mapping = mapping or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            target: str | None = mapping.get(key, key)
            if target not in form.fields:
                target = None
            form.add_error(target, [message for error in errors for message in error.messages])
    else:
        form.add_error(None, exc.messages)


def read_upload(file: UploadedFile, material_id: int | None, field: str, label: str = "") -> Upload:
    """The file as an Upload, checked (type by its first bytes, size) without reading an oversize file into memory."""
    name = file.name or ""
    if file.size is not None and file.size > max_upload_bytes():
        raise ValidationError(
            {field: f"文件“{name}”超过 {max_upload_bytes() // (1024 * 1024)} MB 的大小限制"}
        )
    file.seek(0)
    upload = Upload(filename=name, content=file.read(), material_id=material_id, label=label)
    upload.check(field)
    return upload


def parse_form_text(text: str) -> dict[str, str]:
    """`key: value` lines (half- or full-width colon) → dict; blank lines are skipped."""
    data: dict[str, str] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        cut = min((i for i in (line.find(":"), line.find("：")) if i >= 0), default=-1)
        key = line[:cut].strip() if cut > 0 else ""
        if not key:
            errors.append(f"第 {number} 行应为“项目: 内容”的格式")
            continue
        if key in data:
            errors.append(f"第 {number} 行的项目“{key}”重复")
            continue
        data[key] = line[cut + 1 :].strip()
    if errors:
        raise ValidationError(errors)
    return data


class ItemSearchForm(forms.Form):
    q = forms.CharField(
        label="事项名称",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "输入事项名称或关键词", "autocomplete": "off"}
        ),
    )


class IntakeForm(forms.Form):
    """窗口收件: the applicant, the application form as free key/value lines, and one file per material."""

    applicant_kind = forms.ChoiceField(
        label="申请人类型",
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    id_number = forms.CharField(
        label="证件号码",
        max_length=18,
        help_text="自然人填写18位居民身份证号码，法人填写18位统一社会信用代码",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label="姓名/名称", max_length=100)
    phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    legal_representative = forms.CharField(
        label="法定代表人", max_length=50, required=False, help_text="法人申请必填"
    )
    address = forms.CharField(label="联系地址", max_length=200, required=False)
    form_text = forms.CharField(
        label="申请表内容",
        required=False,
        max_length=20000,
        help_text="每行一项，格式为“项目: 内容”，如“经营场所: 示范县人民路1号”",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    green_channel = forms.BooleanField(
        label="绿色通道", required=False, help_text="重大项目优先办理、缩短时限"
    )
    appointment_at = forms.DateTimeField(
        label="预约时间",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    staging = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, materials: Sequence[Material], staged: dict[int, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        self.staged = staged or {}
        self.uploads: dict[int, Upload] = {}
        self.applicant: ApplicantData | None = None
        for material in self.materials:
            help_text = "必要材料" if material.required and not material.e_license_ok else "非必要材料"
            if material.e_license_ok:
                help_text = "可用电子证照替代"
            self.fields[self.material_field(material)] = forms.FileField(
                label=material.name,
                required=False,
                help_text=help_text,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
            )

    @staticmethod
    def material_field(material: Material) -> str:
        return f"material_{material.pk}"

    def material_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "material": m,
                "field": self[self.material_field(m)],
                "required": m.required and not m.e_license_ok,
                "staged": self.staged.get(m.pk),
            }
            for m in self.materials
        ]

    def clean_form_text(self) -> dict[str, str]:
        return parse_form_text(self.cleaned_data.get("form_text") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for material in self.materials:
            name = self.material_field(material)
            file = cleaned.get(name)
            if not file:
                continue
            try:
                self.uploads[material.pk] = read_upload(file, material.pk, name)
            except ValidationError as exc:
                self.add_error(None, exc)
        if {"applicant_kind", "id_number", "name"} <= set(cleaned):
            try:
                self.applicant = self.applicant_data().validated()
            except ValidationError as exc:
                apply_errors(self, exc, INTAKE_ERROR_FIELDS)
        return cleaned

    def applicant_data(self) -> ApplicantData:
        data = self.cleaned_data
        return ApplicantData(
            kind=data["applicant_kind"],
            name=data["name"],
            id_number=data["id_number"],
            phone=data.get("phone") or "",
            legal_representative=data.get("legal_representative") or "",
            address=data.get("address") or "",
        )

    @property
    def appointment(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("appointment_at")
        return value


class AcceptForm(forms.Form):
    pass


class CorrectionForm(forms.Form):
    """一次性告知: every material to supplement, in one notice."""

    materials = forms.TypedMultipleChoiceField(
        label="需补正的材料", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label="补正原因",
        max_length=200,
        required=False,
        help_text="适用于上面勾选的材料，如“缺少原件”“未签字盖章”",
    )
    extra_items = forms.CharField(
        label="其他需补正内容",
        required=False,
        max_length=4000,
        help_text="每行一项，可写“名称: 原因”",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label="说明", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, item: ServiceItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["materials"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(m.pk, m.name + ("（必要）" if m.required else "")) for m in item.materials.all()]

    def missing(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        reason = (data.get("reason") or "").strip()
        items: list[dict[str, Any]] = [
            {"material": pk, "name": "", "reason": reason} for pk in data.get("materials") or []
        ]
        for raw in (data.get("extra_items") or "").splitlines():
            line = raw.strip()
            if not line:
                continue
            cut = min((i for i in (line.find(":"), line.find("：")) if i >= 0), default=-1)
            if cut > 0:
                items.append(
                    {"material": None, "name": line[:cut].strip(), "reason": line[cut + 1 :].strip()}
                )
            else:
                items.append({"material": None, "name": line, "reason": ""})
        return items

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.missing():
            raise ValidationError("请勾选或填写需要补正的全部材料（一次性告知）")
        return cleaned


class SubmitCorrectionForm(forms.Form):
    """The materials listed in the correction notice, handed in at the window for the applicant."""

    extra = forms.FileField(
        label="其他补正材料", required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR})
    )

    def __init__(self, *args: Any, listed: Sequence[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed = [entry for entry in listed if entry.get("material") is not None]
        for entry in self.listed:
            self.fields[f"material_{entry['material']}"] = forms.FileField(
                label=entry["name"],
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
            )
        # The notice's entries without a material (e.g. 申请表申请人签字页) name the extra file.
        self.extra_names = [str(e.get("name") or "") for e in listed if e.get("material") is None]
        if self.extra_names:
            self.fields["extra"].label = "、".join(n for n in self.extra_names if n) or "其他补正材料"
        elif self.listed:
            self.fields["extra"].label = "其他材料（可选）"
        self.uploads: list[Upload] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for entry in self.listed:
            name = f"material_{entry['material']}"
            if cleaned.get(name):
                try:
                    self.uploads.append(read_upload(cleaned[name], int(entry["material"]), name))
                except ValidationError as exc:
                    self.add_error(None, exc)
        if cleaned.get("extra"):
            try:
                label = "、".join(n for n in self.extra_names if n) or "其他补正材料"
                self.uploads.append(read_upload(cleaned["extra"], None, "extra", label))
            except ValidationError as exc:
                self.add_error(None, exc)
        if not self.errors and not self.uploads:
            raise ValidationError("请选择要提交的补正材料")
        return cleaned


class RefuseApplicationForm(forms.Form):
    reasons = forms.CharField(label="不予受理理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    remedies = forms.CharField(
        label="救济途径",
        required=False,
        max_length=1000,
        help_text="留空则使用法定的复议、诉讼告知",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RedirectForm(forms.Form):
    agency = forms.CharField(label="有权受理的行政机关", max_length=200)
    reason = forms.CharField(label="说明", max_length=1000, required=False)


class InstantForm(forms.Form):
    opinion = forms.CharField(label="办理意见", max_length=1000, required=False, initial="当场办结")


class TaskActForm(forms.Form):
    """同意 / 退回 / 不同意 at a step, as far as the step allows."""

    action = forms.ChoiceField(label="办理意见", widget=forms.RadioSelect)
    opinion = forms.CharField(
        label="意见",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="退回或不同意必须填写",
    )
    return_to = forms.ChoiceField(label="退回到", required=False)
    attachment = forms.FileField(
        label="附件", required=False, widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR})
    )

    def __init__(
        self, *args: Any, actions: Sequence[str], return_choices: Sequence[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        order = [a.value for a in TaskAction]
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [(a, TaskAction(a).label) for a in order if a in actions]
        if TaskAction.APPROVE in actions:
            action_field.initial = TaskAction.APPROVE
        return_field = self.fields["return_to"]
        assert isinstance(return_field, forms.ChoiceField)
        if TaskAction.RETURN in actions and return_choices:
            return_field.choices = [("", "请选择"), *return_choices]
        else:
            del self.fields["return_to"]
        self.attachments: list[Upload] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        opinion = (cleaned.get("opinion") or "").strip()
        if action in (TaskAction.RETURN, TaskAction.REFUSE) and not opinion:
            self.add_error("opinion", "退回或不同意必须填写意见")
        if action == TaskAction.RETURN and "return_to" in self.fields and not cleaned.get("return_to"):
            self.add_error("return_to", "请选择退回到哪个环节")
        if cleaned.get("attachment"):
            try:
                self.attachments.append(read_upload(cleaned["attachment"], None, "attachment"))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class SpecialStartForm(forms.Form):
    kind = forms.ChoiceField(label="特别程序类型")
    reason = forms.CharField(label="事由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    expected_days = forms.IntegerField(label="预计所需时间（工作日）", min_value=1, max_value=365)

    def __init__(self, *args: Any, item: ServiceItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [
            k for k in (item.special_procedures or []) if k in PauseKind.values and k != PauseKind.CORRECTION
        ]
        kinds = allowed or [k.value for k in PauseKind if k != PauseKind.CORRECTION]
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, PauseKind(k).label) for k in kinds]


class SpecialEndForm(forms.Form):
    result = forms.CharField(
        label="结果", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    amount = forms.IntegerField(label="延长工作日", min_value=1)
    reason = forms.CharField(
        label="延期理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="将书面告知申请人",
    )

    def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["amount"]
        assert isinstance(field, forms.IntegerField)
        field.max_value = limit
        field.validators.append(_max_validator(limit))
        field.widget.attrs["max"] = str(limit)
        field.help_text = f"最多 {limit} 个工作日"


def _max_validator(limit: int) -> Any:
    from django.core.validators import MaxValueValidator

    return MaxValueValidator(limit, message=f"延长期限最多 {limit} 个工作日")


class CoordinationForm(forms.Form):
    opinion = forms.CharField(
        label="协调事项",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="联合审查未通过：写明协调会议或协调意见，不同意的部门将重新提出审查意见。",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回理由", max_length=1000, required=False)


DELIVERY_METHODS = [("窗口领取", "窗口领取"), ("邮寄送达", "邮寄送达"), ("电子送达", "电子送达")]


class DeliverForm(forms.Form):
    method = forms.ChoiceField(label="送达方式", choices=DELIVERY_METHODS, initial="窗口领取")


LIGHT_CHOICES = [("", "全部"), ("red", "红灯（超期）"), ("yellow", "黄灯（预警）"), ("green", "绿灯（正常）")]


class CaseFilterForm(forms.Form):
    """办件查询. Applicant name, ID number and phone match exactly (personal information is looked up, never
    browsed by fragments) and are shown masked in the results."""

    number = forms.CharField(label="办件编号", required=False, max_length=20)
    item = forms.CharField(label="事项名称", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *CaseStatus.choices])
    applicant_name = forms.CharField(label="申请人姓名/名称（完整）", required=False, max_length=100)
    id_number = forms.CharField(label="证件号码（完整）", required=False, max_length=18)
    phone = forms.CharField(label="联系电话（完整）", required=False, max_length=20)
    received_from = forms.DateField(
        label="收件日期起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label="收件日期止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    concluded_from = forms.DateField(
        label="办结日期起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    concluded_to = forms.DateField(
        label="办结日期止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    department = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部"), *Channel.choices])
    light = forms.ChoiceField(label="时限灯", required=False, choices=LIGHT_CHOICES)
    overdue = forms.BooleanField(label="只看超期", required=False)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        rows = (
            list(departments.order_by("sort_order", "name").values_list("pk", "name")) if departments else []
        )
        field.choices = [("", "全部"), *rows]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end, label in (
            ("received_from", "received_to", "收件日期"),
            ("concluded_from", "concluded_to", "办结日期"),
        ):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, f"{label}止不能早于起")
        id_number = (data.get("id_number") or "").strip().upper()
        data["id_number"] = id_number
        return data


class BundleCorrectionRequestForm(CorrectionForm):
    """一次性告知 for a 一件事: the combined material list (a shared material once) plus free-text entries."""

    def __init__(self, *args: Any, bundle: Bundle, **kwargs: Any) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        field = self.fields["materials"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (
                m.pk,
                m.name
                + ("（必要）" if m.required else "")
                + (f"（{'、'.join(e.items)}共用）" if e.shared else ""),
            )
            for m, e in form_materials(bundle)
        ]
