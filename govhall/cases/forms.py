"""Applicant-side forms: online application, correction upload, withdrawal and the public progress query.

The forms only shape input; every rule about cases lives in the case actions, whose Chinese errors are put back
next to the field they concern (`add_action_errors`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from govhall.catalog.choices import FieldKind
from govhall.catalog.formfields import clean_value, prefill_values
from govhall.catalog.models import Bundle, FormField, Material, ServiceItem
from govhall.core.identifiers import validate_resident_id, validate_uscc

from .actions import ApplicantData
from .bundles import form_materials
from .choices import ApplicantKind
from .models import Case, CorrectionNotice
from .uploads import Upload, max_upload_bytes, shown_name

# The applicant block of an action's error dict ("applicant.id_number") maps onto these form fields.
APPLICANT_FIELDS = ("kind", "name", "id_number", "phone", "legal_representative", "address")
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd"


def _file_widget() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT})


def _entry_field(item_field: FormField) -> forms.Field:
    """The input of one entry of the item's form; the value is checked by catalog.formfields.clean_value."""
    label, required, help_text = item_field.label, item_field.required, item_field.help_text
    errors = {"required": f"请填写“{label}”"}
    kind = item_field.kind
    if kind == FieldKind.CHOICE:
        choices = [("", "请选择"), *[(c, c) for c in item_field.choice_list()]]
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=choices,
            help_text=help_text,
            error_messages={"required": f"请选择“{label}”", "invalid_choice": f"“{label}”的选项无效"},
        )
    if kind == FieldKind.YES_NO:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("是", "是"), ("否", "否")],
            widget=forms.RadioSelect,
            help_text=help_text,
            error_messages={"required": f"请选择“{label}”", "invalid_choice": f"“{label}”应为“是”或“否”"},
        )
    attrs: dict[str, str] = {}
    widget: forms.Widget
    if kind == FieldKind.LONG_TEXT:
        widget = forms.Textarea(attrs={"rows": 3})
    elif kind == FieldKind.DATE:
        widget = forms.DateInput(attrs={"type": "date"})
    else:
        if kind == FieldKind.NUMBER:
            attrs["inputmode"] = "decimal"
        elif kind == FieldKind.PHONE:
            attrs.update(inputmode="tel", autocomplete="tel")
        elif kind in (FieldKind.ID_NUMBER, FieldKind.USCC):
            attrs.update(maxlength="18", autocomplete="off")
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=widget,
        help_text=help_text,
        error_messages=errors,
    )


def read_upload(file: UploadedFile, material_id: int | None, field: str, label: str = "") -> Upload:
    """Read one posted file into an `Upload`, checked (type by content, size) with the error on `field`."""
    if file.size is not None and file.size > max_upload_bytes():
        # Checked before reading so an oversized file is never pulled into memory.
        raise ValidationError(f"文件“{file.name}”超过 {max_upload_bytes() // (1024 * 1024)} MB 的大小限制")
    upload = Upload(filename=file.name or "", content=file.read(), material_id=material_id, label=label)
    try:
        upload.check(field)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None
    return upload


def add_action_errors(
    form: forms.Form, exc: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Attach an action's ValidationError to the form: keyed messages to their field, the rest to the form."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.error_dict.items():
        name = aliases.get(key, key.removeprefix("applicant."))
        messages = [m for e in errors for m in e.messages]
        form.add_error(name if name in form.fields else None, messages)


class ApplyForm(forms.Form):
    """网上申请: who applies, the application form's entries and one file per material of the item."""

    kind = forms.ChoiceField(
        label="申请人类型",
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label="申请人姓名/单位名称", max_length=100)
    id_number = forms.CharField(
        label="证件号码",
        max_length=18,
        help_text="自然人填写居民身份证号码，法人及其他组织填写统一社会信用代码。",
    )
    legal_representative = forms.CharField(
        label="法定代表人", max_length=50, required=False, help_text="法人及其他组织申请时必填。"
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="联系地址", max_length=200, required=False)
    # The form's one-time token (form_tokens): a second submit of the same form shows the first one's case.
    submission_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, item: ServiceItem, kept: Mapping[str, Upload] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self._add_form_fields(list(item.form_fields.all()))
        self._add_materials(list(item.materials.all()), kept=kept)

    # -- the item's application form (catalog.FormField) ----------------------------------------------------

    def _add_form_fields(self, item_fields: list[FormField]) -> None:
        self.item_fields = item_fields
        for item_field in item_fields:
            self.fields[self.entry_field(item_field)] = _entry_field(item_field)
        if not item_fields:
            # An item without a form of its own: one optional note, never a pseudo-form to fill in by hand.
            self.fields["note"] = forms.CharField(
                label="补充说明",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="选填：需要向受理部门说明的情况。",
            )

    def prefill(self, identity: Mapping[str, Any]) -> None:
        """Start the entries that take a value from the applicant (FormField.prefill) with the account's."""
        for key, value in prefill_values(self.item_fields, identity).items():
            self.initial.setdefault(f"f_{key}", value)

    @staticmethod
    def entry_field(item_field: FormField) -> str:
        return f"f_{item_field.key}"

    def entry_rows(self) -> list[forms.BoundField]:
        names = [self.entry_field(f) for f in self.item_fields] or ["note"]
        return [self[name] for name in names]

    def _clean_entries(self, cleaned: dict[str, Any]) -> None:
        self._form_data: dict[str, Any] = {}
        for item_field in self.item_fields:
            name = self.entry_field(item_field)
            if name not in cleaned:
                continue  # the field already has its error
            value = cleaned[name]
            if value in (None, ""):
                continue
            try:
                self._form_data[item_field.key] = clean_value(item_field, value)
            except ValidationError as exc:
                self.add_error(name, exc)
        if not self.item_fields and cleaned.get("note"):
            self._form_data["补充说明"] = str(cleaned["note"]).strip()

    def _add_materials(
        self,
        materials: list[Material],
        notes_for: Mapping[int, list[str]] | None = None,
        kept: Mapping[str, Upload] | None = None,
    ) -> None:
        self.materials: list[Material] = materials
        # Files that passed their checks in an earlier submit of this form (cases.pending), by field.
        self.kept: dict[str, Upload] = dict(kept or {})
        for material in self.materials:
            notes = [("必要" if material.required else "非必要")]
            if material.e_license_ok:
                notes.append("可用电子证照替代")
            if material.notes:
                notes.append(material.notes)
            notes += (notes_for or {}).get(material.pk, [])
            self.fields[self.material_field(material)] = forms.FileField(
                label=material.name, required=False, widget=_file_widget(), help_text="；".join(notes)
            )

    @staticmethod
    def material_field(material: Material) -> str:
        return f"material_{material.pk}"

    def material_rows(self) -> list[tuple[Material, forms.BoundField, str]]:
        """Each material with its file input and the name of the file kept from an earlier submit ("" if none)."""
        rows = []
        for material in self.materials:
            name = self.material_field(material)
            kept = self.kept.get(name)
            rows.append((material, self[name], shown_name(kept.filename) if kept else ""))
        return rows

    def applicant_rows(self) -> list[forms.BoundField]:
        return [self[name] for name in APPLICANT_FIELDS if name != "kind"]

    def clean_id_number(self) -> str:
        # Checked here too, so a wrong number is reported even while other applicant fields are still missing.
        number = str(self.cleaned_data["id_number"]).strip().upper()
        if self.cleaned_data.get("kind") == ApplicantKind.ENTERPRISE:
            return validate_uscc(number)
        return validate_resident_id(number)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._clean_entries(cleaned)
        self._uploads: list[Upload] = []
        self.new_uploads: dict[str, Upload] = {}
        for material in self.materials:
            field = self.material_field(material)
            file = cleaned.get(field)
            if not file:
                if field in self.kept:
                    self._uploads.append(self.kept[field])
                continue
            try:
                upload = read_upload(file, material.pk, field)
            except ValidationError as exc:
                self.add_error(field, exc)
                if field in self.kept:
                    self._uploads.append(self.kept[field])
            else:
                self._uploads.append(upload)
                self.new_uploads[field] = upload
        if all(name in cleaned for name in ("kind", "name", "id_number")):
            try:
                self._applicant = self._applicant_data(cleaned).validated()
            except ValidationError as exc:
                add_action_errors(self, exc)
        return cleaned

    @staticmethod
    def _applicant_data(cleaned: Mapping[str, Any]) -> ApplicantData:
        return ApplicantData(
            kind=cleaned["kind"],
            name=cleaned["name"],
            id_number=cleaned["id_number"],
            phone=cleaned.get("phone") or "",
            legal_representative=cleaned.get("legal_representative") or "",
            address=cleaned.get("address") or "",
        )

    def applicant(self) -> ApplicantData:
        return self._applicant

    def form_data(self) -> dict[str, Any]:
        return dict(self._form_data)

    def checked_uploads(self) -> dict[str, Upload]:
        """The files of this submit that passed their checks, by field: kept for the next submit on an error."""
        return dict(getattr(self, "new_uploads", {}))

    def uploads(self) -> list[Upload]:
        return list(self._uploads)


class BundleApplyForm(ApplyForm):
    """一件事: the same applicant block and one form, and each material of the combined list once (a shared
    material stands for every member item that needs it: `submit_bundle` stores the file for each of them)."""

    def __init__(
        self, *args: Any, bundle: Bundle, kept: Mapping[str, Upload] | None = None, **kwargs: Any
    ) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.bundle = bundle
        # One form for the bundle: every member item's fields, each key once (in the order of the items).
        item_fields: dict[str, FormField] = {}
        for item in bundle.items.order_by("bundle_entries__order").prefetch_related("form_fields"):
            for item_field in item.form_fields.all():
                item_fields.setdefault(item_field.key, item_field)
        self._add_form_fields(list(item_fields.values()))
        shown = []
        notes: dict[int, list[str]] = {}
        for material, entry in form_materials(bundle):
            shown.append(material)
            notes[material.pk] = [f"{'、'.join(entry.items)}共用，只需提交一次"] if entry.shared else []
        self._add_materials(shown, notes, kept=kept)


class CorrectionForm(forms.Form):
    """补正: one file input per entry of the one-time correction notice (entries without a material take any file)."""

    def __init__(self, *args: Any, case: Case, notice: CorrectionNotice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.notice = notice
        delivered = set(
            case.materials.filter(for_correction=True)
            .exclude(material=None)
            .values_list("material_id", flat=True)
        )
        self.entries: list[dict[str, Any]] = []
        for index, entry in enumerate(notice.items):
            material_id = entry.get("material")
            name = f"material_{material_id}" if material_id is not None else f"extra_{index}"
            self.fields[name] = forms.FileField(
                label=entry.get("name") or "补正材料",
                required=False,
                widget=_file_widget(),
                help_text=entry.get("reason") or "",
            )
            self.entries.append(
                {
                    "field": name,
                    "material": material_id,
                    "name": entry.get("name", ""),
                    "reason": entry.get("reason", ""),
                    "delivered": material_id is not None and material_id in delivered,
                }
            )

    def rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(entry, self[entry["field"]]) for entry in self.entries]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._uploads: list[Upload] = []
        for entry in self.entries:
            file = cleaned.get(entry["field"])
            if not file:
                continue
            try:
                self._uploads.append(read_upload(file, entry["material"], entry["field"], entry["name"]))
            except ValidationError as exc:
                self.add_error(entry["field"], exc)
        if not self.errors and not self._uploads:
            raise ValidationError("请至少选择一份需补正的材料")
        return cleaned

    def uploads(self) -> list[Upload]:
        return list(self._uploads)

    def field_for(self, material_id: int | None) -> str | None:
        return next((e["field"] for e in self.entries if e["material"] == material_id), None)


class BundleCorrectionForm(forms.Form):
    """补正 of a 一件事: one file input per entry of the bundle's one notice (a shared material once)."""

    def __init__(self, *args: Any, listed: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries: list[dict[str, Any]] = []
        for index, entry in enumerate(listed):
            name = f"material_{entry['material']}" if entry["material"] is not None else f"extra_{index}"
            self.fields[name] = forms.FileField(
                label=entry["name"],
                required=False,
                widget=_file_widget(),
                help_text=entry.get("reason") or "",
            )
            self.entries.append({**entry, "field": name})

    def rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(entry, self[entry["field"]]) for entry in self.entries]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._uploads: list[Upload] = []
        for entry in self.entries:
            file = cleaned.get(entry["field"])
            if file:
                try:
                    self._uploads.append(
                        read_upload(file, entry["material"], entry["field"], entry.get("name") or "")
                    )
                except ValidationError as exc:
                    self.add_error(entry["field"], exc)
        if not self.errors and not self._uploads:
            raise ValidationError("请至少选择一份需补正的材料")
        return cleaned

    def uploads(self) -> list[Upload]:
        return list(self._uploads)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回理由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# Every length ever issued is accepted: 6 digits before GOVHALL_CHECK_CODE_DIGITS existed, up to 12.
CHECK_CODE_REGEX = r"^\d{6,12}$"


def check_code_hint() -> str:
    digits = settings.GOVHALL_CHECK_CODE_DIGITS
    return "查询码为 6 位数字" if digits == 6 else f"查询码为 6 位数字或 {digits} 位数字（以受理回执为准）"


class ProgressForm(forms.Form):
    """办件进度查询: the case number and the 6-digit check code printed on the receipt and the acceptance notice."""

    number = forms.CharField(
        label="办件编号",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "placeholder": "如 20260302000001"}
        ),
    )
    check_code = forms.RegexField(
        label="查询码",
        regex=CHECK_CODE_REGEX,
        error_messages={"invalid": check_code_hint()},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": "12"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


def initial_identity(applicants: Iterable[Any], profile: Any, user: Any = None) -> dict[str, str]:
    """Prefill the applicant block from the account's last application, else from its staff profile, else the
    account's own name."""
    for applicant in applicants:
        return {name: getattr(applicant, name) for name in APPLICANT_FIELDS}
    if profile is not None:
        return {
            "kind": ApplicantKind.PERSON,
            "name": profile.name,
            "id_number": profile.id_number,
            "phone": profile.phone,
        }
    name = (user.get_full_name() or user.first_name) if user is not None else ""
    return {"kind": ApplicantKind.PERSON, "name": name} if name else {}
