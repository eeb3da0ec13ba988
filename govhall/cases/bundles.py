"""Reads of 一件事 (bundles): the combined material list of a bundle and where a bundle application stands.

"The same material" of several member items is recognised by its normalised name (Unicode NFKC, whitespace
removed, case folded): the demo and real implementation lists reuse the exact names ("营业执照", "法定代表人身份证明")
for the same document, and a name that differs even by its bracketed remark is a different material. The
combined form asks for each such material once; the file is then stored for every member item that needs it."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from govhall.catalog.choices import ItemStatus
from govhall.catalog.models import Bundle, Material, ServiceItem

from .choices import BundleStatus, CaseStatus
from .models import Case, CaseGroup, CorrectionNotice

REFUSED = (CaseStatus.NOT_ACCEPTED, CaseStatus.REDIRECTED)


def material_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


@dataclass
class BundleMaterial:
    """One entry of the combined form: a material as asked once, standing for each member item's own copy."""

    key: str
    name: str
    materials: list[Material] = field(default_factory=list)
    items: list[str] = field(default_factory=list)

    @property
    def representative(self) -> Material:
        return self.materials[0]

    @property
    def required(self) -> bool:
        """Required unless every member item that needs it accepts an electronic licence instead."""
        return any(m.required and not m.e_license_ok for m in self.materials)

    @property
    def optional_for_all(self) -> bool:
        return not any(m.required for m in self.materials)

    @property
    def e_license_ok(self) -> bool:
        return all(m.e_license_ok for m in self.materials)

    @property
    def shared(self) -> bool:
        return len(self.items) > 1

    @property
    def notes(self) -> str:
        return "；".join(dict.fromkeys(m.notes for m in self.materials if m.notes))


def published_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(status=ItemStatus.PUBLISHED).select_related("lead_department")


def bundle_items(bundle: Bundle) -> list[ServiceItem]:
    return list(
        bundle.items.select_related("department")
        .prefetch_related("materials")
        .order_by("bundle_entries__order")
    )


def bundle_materials(bundle: Bundle, items: Sequence[ServiceItem] | None = None) -> list[BundleMaterial]:
    """The union of the member items' materials, each shared material once, in the order first met."""
    combined: dict[str, BundleMaterial] = {}
    for item in items if items is not None else bundle_items(bundle):
        for material in item.materials.all():
            key = material_key(material.name)
            entry = combined.setdefault(key, BundleMaterial(key=key, name=material.name))
            entry.materials.append(material)
            if item.name not in entry.items:
                entry.items.append(item.name)
    return list(combined.values())


def form_materials(bundle: Bundle) -> list[tuple[Material, BundleMaterial]]:
    """The combined form's file inputs: one (unsaved, adjusted) member material per entry, standing for all of
    them: its name, whether it is required and whether an e-licence replaces it are the entry's, not one item's."""
    rows = []
    for entry in bundle_materials(bundle):
        material = entry.representative
        material.name = entry.name.strip()
        material.required = any(m.required for m in entry.materials)
        material.e_license_ok = entry.e_license_ok
        rows.append((material, entry))
    return rows


def members(group: CaseGroup) -> list[Case]:
    return list(
        Case.objects.filter(group=group)
        .select_related("item", "department", "applicant", "clock", "intake_clock", "delivery_clock")
        .order_by("pk")
    )


def lead_member(group: CaseGroup, cases: Sequence[Case]) -> Case:
    """The member of the bundle's lead department (牵头部门), else the first: free-text correction items go there."""
    return next((c for c in cases if c.department_id == group.bundle.lead_department_id), cases[0])


def group_status(group: CaseGroup, cases: Sequence[Case]) -> BundleStatus:
    statuses = {c.status for c in cases}
    if statuses and statuses <= set(REFUSED):
        return BundleStatus.NOT_ACCEPTED
    if statuses == {CaseStatus.WITHDRAWN}:
        return BundleStatus.WITHDRAWN
    if group.delivered_at is not None:
        return BundleStatus.DELIVERED
    if group.concluded_at is not None:
        return BundleStatus.CONCLUDED
    if any(c.accepted_at is not None for c in cases):
        return BundleStatus.IN_PROGRESS
    if CaseStatus.CORRECTION in statuses:
        return BundleStatus.CORRECTION
    return BundleStatus.SUBMITTED


def correction_list(cases: Sequence[Case]) -> list[dict[str, Any]]:
    """What the bundle's one correction notice asks for, each shared material once: [{material, name, reason}]
    (`material` is one member's material id; submit_bundle_correction hands the file to every member listing it)."""
    entries: dict[str, dict[str, Any]] = {}
    for case in cases:
        notice = CorrectionNotice.objects.filter(case=case).first()
        if case.status != CaseStatus.CORRECTION or notice is None:
            continue
        names = dict(case.item.materials.values_list("pk", "name"))
        for entry in notice.items:
            material_id = entry.get("material")
            name = str(
                names.get(material_id, "") if material_id is not None else entry.get("name", "")
            ).strip()
            key = material_key(name) if material_id is not None else "\0" + name
            entries.setdefault(
                key, {"material": material_id, "name": name, "reason": entry.get("reason", "")}
            )
    return list(entries.values())


def deliverable(group: CaseGroup, cases: Sequence[Case]) -> bool:
    return (
        group.concluded_at is not None
        and group.delivered_at is None
        and any(c.decided_at is not None and c.delivered_at is None for c in cases)
    )


__all__ = [
    "BundleMaterial",
    "bundle_items",
    "bundle_materials",
    "correction_list",
    "deliverable",
    "form_materials",
    "group_status",
    "lead_member",
    "material_key",
    "members",
    "published_bundles",
]
