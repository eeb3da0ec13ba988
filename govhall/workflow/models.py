from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from govhall.catalog.choices import ProcessTemplate
from govhall.core import clock


class ProcessDefinition(models.Model):
    """One immutable version of a process template; cases keep the version they started on.

    A change is a new version (actions.save_definition); only the `active` flag of an old version ever changes."""

    code = models.CharField("流程编码", max_length=24, choices=ProcessTemplate.choices)
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=100)
    spec = models.JSONField("流程定义")
    active = models.BooleanField("启用", default=False)
    created_at = models.DateTimeField("创建时间", default=clock.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "办理流程"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_process_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(active=True), name="one_active_process_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and set(kwargs.get("update_fields") or ()) != {"active"}:
            # Cases started on this version must keep running on exactly what they started on.
            raise ValidationError("流程版本创建后不能修改，请保存为新版本。")
        super().save(*args, **kwargs)
