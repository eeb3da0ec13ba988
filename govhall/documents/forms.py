from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

# A notice is tens of kilobytes; anything this large is not one of ours and is not read into memory.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label="待验证的文书（PDF 文件）",
        error_messages={
            "required": "请选择要验证的 PDF 文件。",
            "empty": "上传的文件是空的。",
            "invalid": "没有收到文件，请重新选择后上传。",
            "missing": "没有收到文件，请重新选择后上传。",
        },
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("文件超过 20 MB，不是本平台出具的文书。")
        data: bytes = upload.read()
        if not data.startswith(b"%PDF-"):
            raise ValidationError("上传的文件不是 PDF 文件。")
        return data
