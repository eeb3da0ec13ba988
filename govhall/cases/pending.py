"""Files of an apply form kept on the server across a failed submit (已上传的材料不必重新选择).

A browser never re-sends a chosen file after the page comes back with an error, so each file that passed its
checks is kept under the form's one-time token and the signed-in account: the next submit of the same form uses
it unless the applicant chooses another. The place is a hash of the secret key, the account and the token, so
neither another account nor a guessed token reaches it. Kept files are removed when the application is created
and, whatever happens, after a day."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from govhall.core.auth import signed_in

from . import form_tokens
from .uploads import Upload

MAX_AGE_SECONDS = 24 * 3600


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "pending"


def _dir(user_id: int, token: str) -> Path:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{user_id}:{token}".encode()).hexdigest()[:40]
    return _root() / digest


def _sweep() -> None:
    root = _root()
    if not root.is_dir():
        return
    limit = time.time() - MAX_AGE_SECONDS
    for entry in root.iterdir():
        try:
            if entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
        except FileNotFoundError:
            continue


def keep(user_id: int, token: str, uploads: dict[str, Upload]) -> None:
    """Keep the checked files of one submit, by form field (a later file for the same field replaces it)."""
    if not uploads:
        return
    _sweep()
    place = _dir(user_id, token)
    place.mkdir(parents=True, exist_ok=True)
    for field, upload in uploads.items():
        (place / f"{field}.bin").write_bytes(upload.content)
        meta = {"filename": upload.filename, "material_id": upload.material_id}
        (place / f"{field}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def kept(user_id: int, token: str) -> dict[str, Upload]:
    place = _dir(user_id, token)
    if not place.is_dir():
        return {}
    found: dict[str, Upload] = {}
    for meta_file in sorted(place.glob("*.json")):
        field = meta_file.stem
        data_file = place / f"{field}.bin"
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            content = data_file.read_bytes()
        except (OSError, ValueError):
            continue
        found[field] = Upload(
            filename=str(meta["filename"]), content=content, material_id=meta.get("material_id")
        )
    return found


def drop(user_id: int, token: str, fields: list[str] | None = None) -> None:
    """Forget kept files: the named fields, or all of the form's."""
    place = _dir(user_id, token)
    if fields is None:
        shutil.rmtree(place, ignore_errors=True)
        return
    for field in fields:
        for suffix in (".bin", ".json"):
            (place / f"{field}{suffix}").unlink(missing_ok=True)


def kept_files(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """The form token of a posted apply form and the files kept from its earlier submits (cases.pending), less
    those the applicant chose to drop."""
    me = signed_in(request)
    token = str(request.POST.get(form_tokens.TOKEN_FIELD, ""))
    if form_tokens.posted_key(request) is None:
        return token, {}
    found = kept(me.pk, token)
    dropped = [name for name in found if request.POST.get(f"drop_{name}")]
    if dropped:
        drop(me.pk, token, dropped)
    return token, {name: upload for name, upload in found.items() if name not in dropped}


def keep_files(request: HttpRequest, token: str, form: Any) -> None:
    """After a failed submit: keep the files that passed their checks for the next submit of the same form."""
    if form_tokens.posted_key(request) is None:
        return
    checked = form.checked_uploads()
    keep(signed_in(request).pk, token, checked)
    form.kept.update(checked)
