"""Files of an intake form kept between a rejected submission and the clerk's correction of it.

A browser cannot re-fill a file input, so when the form comes back with an error (a mistyped ID number, say) the
files that were fine are kept here and reused, and the clerk only re-enters what was wrong. Each batch belongs to
one login session (the token is recorded in the session, so a token guessed or copied from another session is
ignored) and lives under MEDIA_ROOT, which several application servers share."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from govhall.cases.uploads import Upload

SESSION_KEY = "workbench_intake_staging"
DIRECTORY = "workbench-staging"
STALE_SECONDS = 24 * 3600
MAX_BATCHES = 20
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / DIRECTORY


def new_token(request: Any) -> str:
    token = secrets.token_urlsafe(18)
    batches = dict(request.session.get(SESSION_KEY, {}))
    # Each opened form gets a token; only the newest few are kept so the session stays small.
    while len(batches) >= MAX_BATCHES:
        oldest = next(iter(batches))
        batches.pop(oldest)
        if _TOKEN_RE.match(oldest):
            shutil.rmtree(_root() / oldest, ignore_errors=True)
    batches[token] = {}
    request.session[SESSION_KEY] = batches
    return token


def owned(request: Any, token: str | None) -> bool:
    return (
        bool(token)
        and _TOKEN_RE.match(token or "") is not None
        and token in request.session.get(SESSION_KEY, {})
    )


def staged(request: Any, token: str) -> dict[int, str]:
    """material id → original file name of the files kept for this form."""
    if not owned(request, token):
        return {}
    return {int(k): v for k, v in request.session[SESSION_KEY][token].items()}


def stage(request: Any, token: str, upload: Upload) -> None:
    if not owned(request, token) or upload.material_id is None:
        return
    folder = _root() / token
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(upload.material_id)).write_bytes(upload.content)
    batches = dict(request.session[SESSION_KEY])
    batches[token] = {**batches[token], str(upload.material_id): upload.filename}
    request.session[SESSION_KEY] = batches


def load(request: Any, token: str) -> dict[int, Upload]:
    uploads: dict[int, Upload] = {}
    for material_id, filename in staged(request, token).items():
        path = _root() / token / str(material_id)
        if path.is_file():
            uploads[material_id] = Upload(
                filename=filename, content=path.read_bytes(), material_id=material_id
            )
    return uploads


def discard(request: Any, token: str) -> None:
    if not owned(request, token):
        return
    shutil.rmtree(_root() / token, ignore_errors=True)
    batches = dict(request.session[SESSION_KEY])
    batches.pop(token, None)
    request.session[SESSION_KEY] = batches


def purge_stale(max_age_seconds: int = STALE_SECONDS) -> int:
    """Remove batches of abandoned forms; returns how many were removed."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
