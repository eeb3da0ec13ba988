"""The case audit chain (办件审计链): every case event, append-only, each entry chained to the one before by an SM3 hash.

Entries are written only by `govhall.ledger.actions.append`, inside the case action's transaction, *unlinked*
(`seq` empty, sealed by a keyed MAC of their content); the linker (`actions.link`, run by `run_jobs` and
`manage.py link_audit`) gives them their `seq` and hashes a fraction of a second later. `verify()` (and
`manage.py verify_audit`) recomputes the chain and checks the unlinked entries' MACs. See docs/audit.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.hashchain import GENESIS_HASH

__all__ = ["GENESIS_HASH", "LedgerEntry", "LedgerHead"]


class LedgerEntry(models.Model):
    # Empty until the linker chains the entry (docs/audit.md); then never changed again.
    seq = models.PositiveBigIntegerField("序号", unique=True, null=True, blank=True)
    at = models.DateTimeField("时间")
    # Never SET_NULL or CASCADE: deleting a user must not rewrite (or remove) hashed rows, so the column keeps
    # the old id with no database constraint behind it; actor_name keeps the name as it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人账号",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=64, blank=True)
    actor_role = models.CharField("操作人角色", max_length=64, blank=True)
    subject = models.CharField("办件编号", max_length=64, db_index=True)
    subject_id = models.BigIntegerField("办件标识", null=True, blank=True, db_index=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    opinion = models.TextField("意见", blank=True)
    prev_hash = models.CharField("前序哈希", max_length=64, blank=True, default="")
    hash = models.CharField("哈希", max_length=64, blank=True, default="")
    # HMAC-SM3 of `hash` under GOVHALL_AUDIT_MAC_KEY (govhall/core/hashchain.py), a key not in the database: an entry
    # appended with SQL has a correct hash but no valid MAC. Blank only on rows no migration has filled.
    mac = models.CharField("校验码", max_length=64, blank=True, default="")
    # Written with the entry, before it is linked (blank on entries older than unlinked writing): a random nonce,
    # the writer (one database connection's random name) and the writer's own gap-free number, and the HMAC-SM3 of
    # all the content under the same key. The MAC proves an unlinked entry is the application's and unaltered; the
    # writer's numbers show an entry deleted before it was linked (docs/audit.md).
    nonce = models.CharField("随机数", max_length=32, blank=True, default="")
    writer = models.CharField("写入者", max_length=32, blank=True, default="")
    writer_seq = models.PositiveBigIntegerField("写入者序号", null=True, blank=True)
    body_mac = models.CharField("内容校验码", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "办件审计记录"
        ordering = ["seq"]
        indexes = [
            # What the linker reads: the unlinked entries in insertion order; empty once they are linked.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="ledger_unlinked_idx"),
        ]
        constraints = [
            # A copied row (an entry replayed with its valid MAC) is refused by the database.
            models.UniqueConstraint(fields=["nonce"], condition=~Q(nonce=""), name="ledger_nonce_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq if self.seq is not None else '（待链接）'} {self.subject} {self.action}"


class LedgerHead(models.Model):
    """One row (pk=1) holding the last linked entry's seq and hash: without it, deleting the newest entries would
    leave a chain that is still perfectly linked. Only the linker locks this row (the actions never touch it)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField("最后序号", default=0)
    hash = models.CharField("最后哈希", max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链头 #{self.seq}"
