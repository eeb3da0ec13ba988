"""File storage that keeps a file only when the transaction that wrote it commits.

A FileField writes its file when the row is saved, inside the action's transaction; when that transaction (or the
savepoint around the write) rolls back, the row is gone but the file would stay in the media directory for good.
Each file written inside a transaction registers an on-commit callback; Django drops the callbacks of a rolled-back
transaction or savepoint, so a file whose callback is neither run nor still queued belongs to a rollback and is
deleted. The check runs when each request finishes (and whenever `discard_uncommitted()` is called)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.dispatch import receiver

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class _Written:
    storage: Storage
    name: str
    keep: Callable[[], None] = field(default=lambda: None)


class _Pending(threading.local):
    def __init__(self) -> None:
        self.files: list[_Written] = []


_pending = _Pending()


def _track(storage: Storage, name: str) -> None:
    written = _Written(storage, name)

    def keep() -> None:
        if written in _pending.files:
            _pending.files.remove(written)

    written.keep = keep
    _pending.files.append(written)
    transaction.on_commit(keep)


def discard_uncommitted(using: str = DEFAULT_DB_ALIAS) -> int:
    """Delete the files of rolled-back transactions written by this thread; returns how many."""
    if not _pending.files:
        return 0
    queued = {id(entry[1]) for entry in connections[using].run_on_commit}  # (savepoint ids, func, robust)
    removed = 0
    for written in list(_pending.files):
        if id(written.keep) not in queued:
            _pending.files.remove(written)
            try:
                written.storage.delete(written.name)
            except OSError as exc:  # the request's answer is already out; an operator can remove it by hand
                logger.warning(
                    "could not delete the file %s of a rolled-back transaction: %s", written.name, exc
                )
                continue
            removed += 1
    return removed


@receiver(request_finished, dispatch_uid="govhall.core.storage.discard_uncommitted")
def _after_request(sender: Any, **kwargs: Any) -> None:
    discard_uncommitted()


class TransactionalFileSystemStorage(FileSystemStorage):
    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        name = super().save(name, content, max_length=max_length)
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            _track(self, name)
        return name
