from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from govhall.core.identifiers import validate_resident_id, validate_uscc
from govhall.core.models import TimestampedModel

from .choices import AdminLevel, DepartmentGroup, SiteKind, WindowKind


def uscc_validator(value: str) -> None:
    validate_uscc(value)


def resident_id_validator(value: str) -> None:
    validate_resident_id(value)


class Region(models.Model):
    """An administrative division (统计用区划代码, 12 digits)."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("行政层级", max_length=16, choices=AdminLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.code.isdigit() and len(self.code) == 12):
            raise ValidationError({"code": "区划代码应为12位数字。"})


class Site(TimestampedModel):
    """A place where the public is served: the county center, a township center or a village agent point."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("站点层级", max_length=16, choices=SiteKind.choices, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="sites"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级站点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=32, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务站点"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_parent = {SiteKind.TOWNSHIP: SiteKind.CENTER, SiteKind.VILLAGE: SiteKind.TOWNSHIP}.get(
            SiteKind(self.kind)
        )
        if expected_parent and (self.parent is None or self.parent.kind != expected_parent):
            raise ValidationError(
                {"parent": f"{SiteKind(self.kind).label}的上级站点应为{expected_parent.label}。"}
            )


class Hall(models.Model):
    site = models.ForeignKey(Site, verbose_name="站点", on_delete=models.CASCADE, related_name="halls")
    name = models.CharField("大厅名称", max_length=100)
    floors = models.PositiveSmallIntegerField("楼层数", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "服务大厅"
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="uniq_hall_name_per_site")]

    def __str__(self) -> str:
        return f"{self.site.name}·{self.name}"

    def office_sessions(self) -> list[tuple[dt.time, dt.time]]:
        """(start, end) pairs of the hall's office hours, for the office-minute clock."""
        return [(s.start, s.end) for s in self.sessions.all()]


class OfficeSession(models.Model):
    """One block of office hours on working days (e.g. 09:00–12:00); short clocks run only inside them."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="sessions")
    start = models.TimeField("开始")
    end = models.TimeField("结束")

    class Meta:
        verbose_name = verbose_name_plural = "办公时段"
        ordering = ["hall", "start"]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise ValidationError({"end": "结束时间必须晚于开始时间。"})


class Department(TimestampedModel):
    name = models.CharField("部门名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=32, blank=True)
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, null=True, blank=True, validators=[uscc_validator]
    )
    group = models.CharField("考评分组", max_length=16, choices=DepartmentGroup.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="所属区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
    )
    in_hall = models.BooleanField("进驻中心", default=True)
    phone = models.CharField("咨询电话", max_length=32, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.uscc:
            self.uscc = self.uscc.strip().upper()
        else:
            self.uscc = None
        super().save(*args, **kwargs)


class Window(models.Model):
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="windows")
    floor = models.PositiveSmallIntegerField("楼层", default=1)
    number = models.CharField("窗口号", max_length=16)
    name = models.CharField("窗口名称", max_length=100)
    kind = models.CharField("窗口类型", max_length=16, choices=WindowKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="进驻部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
    )
    # A comprehensive window (综合受理窗口, "一窗受理") takes applications on behalf of the departments named here and
    # makes their intake decisions; every other window decides only for its own department (actions.intake).
    acts_for = models.ManyToManyField(
        Department,
        verbose_name="代为受理的部门",
        blank=True,
        related_name="comprehensive_windows",
        help_text="仅综合受理窗口有效：该窗口可对这些部门的申请作出受理、补正告知、不予受理决定。",
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["hall", "floor", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="uniq_window_number_per_hall")]

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"


class StaffProfile(TimestampedModel):
    """A staff member's record beside the Django user; roles are the user's groups (see org.roles)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField("姓名", max_length=32)
    employee_no = models.CharField("工号", max_length=32, unique=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, blank=True, validators=[resident_id_validator])
    title = models.CharField("职务", max_length=64, blank=True)
    departments = models.ManyToManyField(
        Department, verbose_name="所属部门", blank=True, related_name="staff"
    )
    sites = models.ManyToManyField(Site, verbose_name="服务站点", blank=True, related_name="staff")
    window = models.ForeignKey(
        Window,
        verbose_name="所在窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"
        ordering = ["employee_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"
