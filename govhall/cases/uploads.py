"""Uploaded application materials: type and size checks, content hash, storage."""

from __future__ import annotations

import hashlib
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

    @property
    def suffix(self) -> str:
        return PurePath(self.filename).suffix.lower()

    def check(self, field: str = "materials") -> None:
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

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=PurePath(self.filename).name[-100:])
