"""Uploaded application materials: type and size checks, content hash, storage."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

# Formats a hall accepts for scanned materials; checked by extension AND by the file's first bytes.
ALLOWED = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".ofd": (b"PK\x03\x04",),  # OFD (GB/T 33190) is a zip container
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ofd": "application/ofd",
}


# C0/C1 controls and the Unicode bidi controls: an RTLO (U+202E) shows "invoice\u202efdp.exe" as "invoiceexe.pdf",
# a classic way to disguise a file's type to the clerk who opens it.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown_name(filename: str) -> str:
    """The filename safe to echo in a message: hidden characters written out as U+XXXX."""
    return _HIDDEN.sub(lambda m: f"U+{ord(m.group(0)):04X}", filename)


def max_upload_bytes() -> int:
    return int(settings.GOVHALL_MAX_UPLOAD_MB) * 1024 * 1024


def sm3_hex(data: bytes) -> str:
    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError:  # OpenSSL without SM3
        from gmssl import func, sm3

        return str(sm3.sm3_hash(func.bytes_to_list(data)))


@dataclass(frozen=True)
class Upload:
    """One file handed in for a material of the item (material_id) or as an extra document (None)."""

    filename: str
    content: bytes
    material_id: int | None = None
    # What the file is, for a file that answers no material of the item (a correction notice's extra entry,
    # e.g. 申请表申请人签字页); shown instead of the file name.
    label: str = ""

    @property
    def suffix(self) -> str:
        return PurePath(self.filename).suffix.lower()

    def check(self, field: str = "materials") -> None:
        if _HIDDEN.search(self.filename):
            raise ValidationError(
                {
                    field: f"文件名“{shown_name(self.filename)}”含有不可见的控制字符（如从右到左覆盖符 U+202E），"
                    "可能伪装文件类型，请重命名后上传"
                }
            )
        if "/" in self.filename or "\\" in self.filename:
            raise ValidationError({field: f"文件名“{self.filename}”不能包含路径（/ 或 \\），请只填写文件名"})
        if not self.filename or not self.content:
            raise ValidationError({field: f"文件“{self.filename or '（无名）'}”为空"})
        if self.suffix not in ALLOWED:
            raise ValidationError({field: f"文件“{self.filename}”格式不支持，只接受 PDF、JPG、PNG、OFD"})
        if len(self.content) > max_upload_bytes():
            raise ValidationError(
                {field: f"文件“{self.filename}”超过 {max_upload_bytes() // (1024 * 1024)} MB 的大小限制"}
            )
        if not any(self.content.startswith(magic) for magic in ALLOWED[self.suffix]):
            raise ValidationError({field: f"文件“{self.filename}”的内容与扩展名不符"})

    def as_file(self) -> ContentFile[bytes]:
        return ContentFile(self.content, name=PurePath(self.filename).name[-100:])
