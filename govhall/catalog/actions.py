"""The only way catalog state changes: each action validates, writes, snapshots a version and audits, in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from govhall.core.audit import record_event
from govhall.core.models import AuditEventType
from govhall.org.models import Department

from .choices import ItemStatus, ProcessTemplate, TimeUnit
from .models import Bundle, BundleItem, Fee, FormField, ItemVersion, Material, ServiceItem, Synonym
from .search import item_search_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

ITEM_FIELDS = [
    "basic_code",
    "impl_code",
    "name",
    "item_type",
    "power_source",
    "exercise_level",
    "target",
    "legal_basis",
    "acceptance_conditions",
    "legal_limit",
    "legal_limit_unit",
    "promised_limit",
    "promised_limit_unit",
    "handling_kind",
    "visits",
    "online_depth",
    "in_hall",
    "process_template",
    "join_rule",
    "join_ratio",
    "special_procedures",
    "handling_place",
    "consult_phone",
    "complaint_phone",
    "result_name",
    "aliases",
]
MATERIAL_FIELDS = ["seq", "name", "required", "form", "copies", "source", "e_license_ok", "notes"]
FEE_FIELDS = ["seq", "name", "standard", "basis", "waivable"]
FORM_FIELD_FIELDS = ["seq", "key", "label", "kind", "required", "choices", "prefill", "help_text"]

# Moves an administrator may make; abolished items stay abolished (a new item is created instead).
STATUS_TRANSITIONS: dict[str, set[str]] = {
    ItemStatus.DRAFT: {ItemStatus.PUBLISHED, ItemStatus.ABOLISHED},
    ItemStatus.PUBLISHED: {ItemStatus.SUSPENDED, ItemStatus.ABOLISHED},
    ItemStatus.SUSPENDED: {ItemStatus.PUBLISHED, ItemStatus.ABOLISHED},
    ItemStatus.ABOLISHED: set(),
}


def item_snapshot(item: ServiceItem) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(item, f) for f in ITEM_FIELDS}
    data["department"] = item.department.name
    data["department_id"] = item.department_id
    data["window_id"] = item.window_id
    data["status"] = item.status
    # Names, sorted: the Excel sheet carries names, so a round trip compares equal whatever the pks are.
    data["joint_departments"] = sorted(d.name for d in item.joint_departments.all())
    data["materials"] = [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in item.materials.all()]
    data["fees"] = [{f: getattr(fee, f) for f in FEE_FIELDS} for fee in item.fees.all()]
    data["form_fields"] = [{f: getattr(ff, f) for f in FORM_FIELD_FIELDS} for ff in item.form_fields.all()]
    return data


def clean_joint_departments(
    departments: Iterable[Department | int | str],
    *,
    department: Department | None,
    process_template: str,
    current: Iterable[Department] = (),
) -> list[Department]:
    """The co-departments (联审部门) of an item, checked; returns them as Department objects, duplicates dropped.

    Each must exist and be active — unless it is already among `current`: a department deactivated after it was
    chosen stays until someone removes it, so unrelated edits and Excel round trips of the item still work. The
    item's own (lead) department cannot also be a co-department, and a joint-review item needs at least one.
    Raises ValidationError keyed "joint_departments"."""
    wanted = list(departments)
    # Forms and JSON hand pks over as text.
    pks = [d.pk if isinstance(d, Department) else int(d) if str(d).isdigit() else d for d in wanted]
    errors: list[str] = []
    found = Department.objects.in_bulk([pk for pk in pks if isinstance(pk, int)])
    missing = [str(pk) for pk in pks if not isinstance(pk, int) or pk not in found]
    if missing:
        errors.append(f"联审部门不存在（编号：{'、'.join(missing)}）。")
    result: list[Department] = []
    for pk in pks:
        if pk in found and found[pk] not in result:
            result.append(found[pk])
    kept = {d.pk for d in current}
    inactive = [d.name for d in result if not d.active and d.pk not in kept]
    if inactive:
        errors.append(f"部门“{'、'.join(inactive)}”已停用，不能作为联审部门。")
    if department is not None and any(d.pk == department.pk for d in result):
        errors.append(f"联审部门不能包含实施部门“{department.name}”本身。")
    if process_template == ProcessTemplate.JOINT_REVIEW and not result and not missing:
        errors.append(f"办理流程为“{ProcessTemplate.JOINT_REVIEW.label}”时，应至少选择一个联审部门。")
    if errors:
        raise ValidationError({"joint_departments": errors})
    return result


def _save_version(item: ServiceItem, actor: User | None, note: str) -> ItemVersion:
    return ItemVersion.objects.create(
        item=item,
        version=item.version,
        status=item.status,
        snapshot=item_snapshot(item),
        note=note[:300],
        changed_by=actor if getattr(actor, "pk", None) else None,
    )


MATERIAL_FILE_FIELDS = ["blank_form", "sample"]


def _replace_form_fields(item: ServiceItem, form_fields: Iterable[Mapping[str, Any]]) -> None:
    item.form_fields.all().delete()
    rows = [
        FormField(item=item, **{k: v for k, v in f.items() if k in FORM_FIELD_FIELDS}) for f in form_fields
    ]
    errors: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    for index, row in enumerate(rows, start=1):
        row.seq = row.seq or index
        try:
            row.full_clean(exclude=["item"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for message in exc.messages:
                errors.setdefault("form_fields", []).append(f"申请表字段“{row.label or row.key}”：{message}")
        if row.key in keys:
            errors.setdefault("form_fields", []).append(
                f"申请表字段“{row.label}”的字段代码“{row.key}”与“{keys[row.key]}”重复。"
            )
        keys.setdefault(row.key, row.label)
    if errors:
        raise ValidationError(errors)
    FormField.objects.bulk_create(rows)


def _replace_children(
    item: ServiceItem,
    materials: Iterable[Mapping[str, Any]] | None,
    fees: Iterable[Mapping[str, Any]] | None,
    form_fields: Iterable[Mapping[str, Any]] | None = None,
) -> None:
    if form_fields is not None:
        _replace_form_fields(item, form_fields)
    if materials is not None:
        # Blank forms and samples are uploaded in the admin, never carried by the Excel sheet: a material
        # of the same name keeps its files unless the caller passes new ones.
        kept_files = {m.name: {f: getattr(m, f) for f in MATERIAL_FILE_FIELDS} for m in item.materials.all()}
        item.materials.all().delete()
        allowed = set(MATERIAL_FIELDS) | set(MATERIAL_FILE_FIELDS)
        rows = []
        for m in materials:
            values = {**kept_files.get(m.get("name", ""), {}), **{k: v for k, v in m.items() if k in allowed}}
            for file_field in MATERIAL_FILE_FIELDS:
                if values.get(file_field) is False:  # the admin's "clear" checkbox
                    values[file_field] = ""
            rows.append(Material(item=item, **values))
        for index, row in enumerate(rows, start=1):
            row.seq = row.seq or index
            row.full_clean(exclude=["item"])
        Material.objects.bulk_create(rows)
    if fees is not None:
        item.fees.all().delete()
        fee_rows = [Fee(item=item, **{k: v for k, v in f.items() if k in FEE_FIELDS}) for f in fees]
        for index, fee in enumerate(fee_rows, start=1):
            fee.seq = fee.seq or index
            fee.full_clean(exclude=["item"])
        Fee.objects.bulk_create(fee_rows)


@transaction.atomic
def create_item(
    *,
    actor: User | None = None,
    materials: Iterable[Mapping[str, Any]] = (),
    fees: Iterable[Mapping[str, Any]] = (),
    form_fields: Iterable[Mapping[str, Any]] = (),
    status: str = ItemStatus.DRAFT,
    note: str = "新建事项",
    joint_departments: Iterable[Department | int | str] | None = None,
    **fields: Any,
) -> ServiceItem:
    """Create an item with its materials, fees and co-departments (Department objects or pks).

    Raises ValidationError (Chinese messages per field). A draft may leave `joint_departments` out and get them
    later; a published joint-review item must have them (also checked when a draft is published)."""
    item = ServiceItem(**fields)
    item.status = status
    item.full_clean(exclude=["search_text"])
    joint = None
    if joint_departments is not None or status == ItemStatus.PUBLISHED:
        joint = clean_joint_departments(
            joint_departments or [], department=item.department, process_template=item.process_template
        )
    item.search_text = item_search_text(item)
    if status == ItemStatus.PUBLISHED:
        item.published_at = timezone.now()
    item.save()
    if joint:
        item.joint_departments.set(joint)
    _replace_children(item, list(materials), list(fees), list(form_fields))
    _save_version(item, actor, note)
    record_event(AuditEventType.ITEM_CREATED, actor=actor, obj=item, after={"impl_code": item.impl_code})
    return item


@transaction.atomic
def update_item(
    item: ServiceItem,
    *,
    actor: User | None = None,
    materials: Iterable[Mapping[str, Any]] | None = None,
    fees: Iterable[Mapping[str, Any]] | None = None,
    form_fields: Iterable[Mapping[str, Any]] | None = None,
    note: str = "修改事项",
    joint_departments: Iterable[Department | int | str] | None = None,
    **changes: Any,
) -> ServiceItem:
    """Change an item; the version number goes up only when something actually changed.

    `joint_departments` (Department objects or pks) replaces the co-departments; None keeps them. Either way
    the result is checked, so changing the lead department or the process template can be refused too."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    before = item_snapshot(item)
    current = list(item.joint_departments.all())
    for name, value in changes.items():
        if name not in ITEM_FIELDS and name not in {"department", "department_id", "window", "window_id"}:
            raise ValidationError({name: "该字段不能通过修改事项变更。"})
        setattr(item, name, value)
    item.full_clean(exclude=["search_text"])
    joint = clean_joint_departments(
        current if joint_departments is None else joint_departments,
        department=item.department,
        process_template=item.process_template,
        current=current,
    )
    item.search_text = item_search_text(item)
    item.save()
    if {d.pk for d in joint} != {d.pk for d in current}:
        item.joint_departments.set(joint)
    _replace_children(
        item,
        None if materials is None else list(materials),
        None if fees is None else list(fees),
        None if form_fields is None else list(form_fields),
    )
    after = item_snapshot(item)
    if after == before:
        return item
    item.version += 1
    item.save(update_fields=["version", "updated_at"])
    _save_version(item, actor, note)
    changed = {k: after[k] for k in after if before.get(k) != after[k]}
    record_event(
        AuditEventType.ITEM_UPDATED,
        actor=actor,
        obj=item,
        before={k: before.get(k) for k in changed},
        after=changed,
        note=note,
    )
    return item


@transaction.atomic
def set_item_status(
    item: ServiceItem, status: str, *, actor: User | None = None, note: str = ""
) -> ServiceItem:
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if status == item.status:
        return item
    if status not in STATUS_TRANSITIONS[ItemStatus(item.status)]:
        raise ValidationError(
            {"status": f"事项状态不能从“{ItemStatus(item.status).label}”变为“{ItemStatus(status).label}”。"}
        )
    if (
        status == ItemStatus.PUBLISHED
        and item.process_template == ProcessTemplate.JOINT_REVIEW
        and not item.joint_departments.exists()
    ):
        raise ValidationError(
            {
                "joint_departments": f"办理流程为“{ProcessTemplate.JOINT_REVIEW.label}”时，应至少选择一个联审部门后才能发布。"
            }
        )
    old = item.status
    item.status = status
    if status == ItemStatus.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    item.version += 1
    item.save(update_fields=["status", "published_at", "version", "updated_at"])
    _save_version(item, actor, note or f"状态变更为{ItemStatus(status).label}")
    record_event(
        AuditEventType.ITEM_STATUS_CHANGED,
        actor=actor,
        obj=item,
        before={"status": old},
        after={"status": status},
    )
    return item


def publish_item(item: ServiceItem, *, actor: User | None = None) -> ServiceItem:
    return set_item_status(item, ItemStatus.PUBLISHED, actor=actor, note="发布事项")


# core.AuditEventType has no bundle events yet (asked of the lead); the column is a plain CharField, so the
# value is stored as it is until the members exist, and the names stay the same afterwards.
BUNDLE_FIELDS = ["code", "name", "description", "promised_limit", "promised_limit_unit"]


def validate_bundle_items(items: Iterable[ServiceItem]) -> list[ServiceItem]:
    """A bundle needs at least two distinct items, all published (one intake cannot accept a suspended item).

    Returns the items re-read from the database, in the given order."""
    items = list(items)
    seen: set[int] = set()
    dupes: list[str] = []
    for item in items:
        if item.pk in seen:
            dupes.append(item.name)
        seen.add(item.pk)
    if dupes:
        raise ValidationError({"items": f"一件事中的事项不能重复：{'、'.join(dupes)}。"})
    if len(items) < 2:
        raise ValidationError({"items": "一件事至少应包含2个事项。"})
    fresh = ServiceItem.objects.in_bulk([i.pk for i in items])
    unpublished = [i.name for i in items if i.pk not in fresh or fresh[i.pk].status != ItemStatus.PUBLISHED]
    if unpublished:
        raise ValidationError(
            {"items": f"以下事项未发布（草稿、暂停办理或已取消），不能纳入一件事：{'、'.join(unpublished)}。"}
        )
    return [fresh[i.pk] for i in items]


def bundle_snapshot(bundle: Bundle) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(bundle, f) for f in BUNDLE_FIELDS}
    data["lead_department_id"] = bundle.lead_department_id
    data["status"] = bundle.status
    data["items"] = [e.item.impl_code for e in bundle.entries.select_related("item").order_by("order")]
    return data


def _set_bundle_items(bundle: Bundle, items: list[ServiceItem]) -> None:
    bundle.entries.all().delete()
    BundleItem.objects.bulk_create(
        [BundleItem(bundle=bundle, item=item, order=order) for order, item in enumerate(items, start=1)]
    )


@transaction.atomic
def create_bundle(
    *,
    code: str,
    name: str,
    lead_department: Department,
    items: Iterable[ServiceItem],
    promised_limit: int,
    promised_limit_unit: str = TimeUnit.WORKDAY,
    description: str = "",
    status: str = ItemStatus.DRAFT,
    actor: User | None = None,
) -> Bundle:
    """Create a 一件事 of at least two distinct published items, in the given order."""
    item_list = validate_bundle_items(items)
    bundle = Bundle(
        code=(code or "").strip(),
        name=name,
        lead_department=lead_department,
        promised_limit=promised_limit,
        promised_limit_unit=promised_limit_unit,
        description=description,
        status=status,
    )
    bundle.full_clean()
    bundle.save()
    _set_bundle_items(bundle, item_list)
    record_event(AuditEventType.BUNDLE_CREATED, actor=actor, obj=bundle, after=bundle_snapshot(bundle))
    return bundle


@transaction.atomic
def update_bundle(
    bundle: Bundle,
    *,
    items: Iterable[ServiceItem] | None = None,
    actor: User | None = None,
    note: str = "修改一件事",
    **changes: Any,
) -> Bundle:
    """Change a bundle's fields and/or its items; audited only when something changed."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    before = bundle_snapshot(bundle)
    for field_name, value in changes.items():
        if field_name not in BUNDLE_FIELDS and field_name not in {"lead_department", "lead_department_id"}:
            raise ValidationError({field_name: "该字段不能通过修改一件事变更。"})
        setattr(bundle, field_name, value)
    bundle.full_clean()
    item_list = validate_bundle_items(items) if items is not None else None
    bundle.save()
    if item_list is not None:
        _set_bundle_items(bundle, item_list)
    after = bundle_snapshot(bundle)
    if after != before:
        changed = {k: after[k] for k in after if before.get(k) != after[k]}
        record_event(
            AuditEventType.BUNDLE_UPDATED,
            actor=actor,
            obj=bundle,
            before={k: before.get(k) for k in changed},
            after=changed,
            note=note,
        )
    return bundle


@transaction.atomic
def set_bundle_status(bundle: Bundle, status: str, *, actor: User | None = None, note: str = "") -> Bundle:
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    if status == bundle.status:
        return bundle
    if status not in STATUS_TRANSITIONS[ItemStatus(bundle.status)]:
        raise ValidationError(
            {
                "status": f"一件事状态不能从“{ItemStatus(bundle.status).label}”变为“{ItemStatus(status).label}”。"
            }
        )
    if status == ItemStatus.PUBLISHED:
        validate_bundle_items([e.item for e in bundle.entries.select_related("item")])
    old = bundle.status
    bundle.status = status
    bundle.save(update_fields=["status", "updated_at"])
    record_event(
        AuditEventType.BUNDLE_STATUS_CHANGED,
        actor=actor,
        obj=bundle,
        before={"status": old},
        after={"status": status},
        note=note,
    )
    return bundle


@transaction.atomic
def save_synonym(
    *, word: str, means: str, synonym: Synonym | None = None, actor: User | None = None
) -> Synonym:
    """Create or change a search synonym (群众用语 → 规范用语); effective for the next search."""
    row = synonym or Synonym()
    before = {"word": row.word, "means": row.means} if synonym is not None else None
    row.word, row.means = word.strip(), "、".join(Synonym(means=means).terms())
    row.full_clean()
    row.save()
    logger.info("search synonym %s saved by %s (before %s)", row.word, getattr(actor, "pk", None), before)
    return row


@transaction.atomic
def delete_synonym(synonym: Synonym, *, actor: User | None = None) -> None:
    logger.info("search synonym %s deleted by %s", synonym.word, getattr(actor, "pk", None))
    synonym.delete()
