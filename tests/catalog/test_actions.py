import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from govhall.catalog.actions import (
    create_bundle,
    create_item,
    publish_item,
    set_bundle_status,
    set_item_status,
    update_bundle,
    update_item,
)
from govhall.catalog.models import ItemVersion, ServiceItem
from govhall.core.models import AuditEvent, AuditEventType

from .conftest import basic, item_fields, uscc


def _events(item, event_type):
    return AuditEvent.objects.filter(event_type=event_type, object_id=str(item.pk))


def test_create_item_writes_version_snapshot_and_audit(make_item, admin_user):
    item = make_item(materials=[{"name": "申请书"}, {"name": "身份证", "form": "copy"}])
    assert item.version == 1 and item.status == "draft"
    version = item.versions.get()
    assert version.snapshot["name"] == "测试事项1"
    assert [m["name"] for m in version.snapshot["materials"]] == ["申请书", "身份证"]
    assert [m["seq"] for m in version.snapshot["materials"]] == [1, 2]
    assert _events(item, AuditEventType.ITEM_CREATED).count() == 1
    assert item.search_text


def test_create_item_refuses_bad_fields_in_chinese(departments):
    fields = item_fields(departments["scjg"], promised_limit=30)
    with pytest.raises(ValidationError) as exc:
        create_item(**fields)
    assert exc.value.message_dict["promised_limit"] == ["承诺办结时限不能超过法定办结时限。"]
    fields = item_fields(departments["scjg"], impl_code=f"{uscc(1002)}4{basic('01', 1)}")
    with pytest.raises(ValidationError, match="实施部门的统一社会信用代码"):
        create_item(**fields)
    assert not ServiceItem.objects.exists()


def test_update_bumps_version_only_on_change(make_item, admin_user):
    item = make_item()
    same = update_item(item, name=item.name, actor=admin_user)
    assert same.version == 1
    assert not _events(item, AuditEventType.ITEM_UPDATED).exists()

    changed = update_item(item, promised_limit=3, actor=admin_user, note="压缩时限")
    assert changed.version == 2
    v2 = ItemVersion.objects.get(item=item, version=2)
    assert v2.snapshot["promised_limit"] == 3 and v2.note == "压缩时限" and v2.changed_by == admin_user
    event = _events(item, AuditEventType.ITEM_UPDATED).get()
    assert event.before == {"promised_limit": 5} and event.after == {"promised_limit": 3}
    assert event.actor == admin_user
    # The old version still shows what an applicant saw before.
    assert ItemVersion.objects.get(item=item, version=1).snapshot["promised_limit"] == 5


def test_update_of_materials_alone_is_a_change(make_item):
    item = make_item(materials=[{"name": "申请书"}])
    assert update_item(item, materials=[{"name": "申请书"}]).version == 1
    assert update_item(item, materials=[{"name": "申请书", "copies": 2}]).version == 2


def test_update_refuses_status_and_unknown_fields(make_item):
    item = make_item()
    with pytest.raises(ValidationError, match="不能通过修改事项变更"):
        update_item(item, status="published")


def test_material_files_survive_replacement(make_item, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(materials=[{"name": "申请书"}])
    material = item.materials.get()
    material.blank_form.save("form.docx", ContentFile(b"x"))
    update_item(item, materials=[{"name": "申请书", "copies": 2}, {"name": "新材料"}])
    kept = item.materials.get(name="申请书")
    assert kept.copies == 2 and kept.blank_form.name == material.blank_form.name


def test_status_transitions(make_item, admin_user):
    item = make_item()
    item = publish_item(item, actor=admin_user)
    assert item.status == "published" and item.published_at and item.version == 2
    item = set_item_status(item, "suspended")
    item = set_item_status(item, "published")
    item = set_item_status(item, "abolished")
    assert item.version == 5
    assert list(item.versions.values_list("status", flat=True)) == [
        "abolished",
        "published",
        "suspended",
        "published",
        "draft",
    ]
    assert _events(item, AuditEventType.ITEM_STATUS_CHANGED).count() == 4
    with pytest.raises(ValidationError) as exc:
        set_item_status(item, "published")
    assert exc.value.message_dict["status"] == ["事项状态不能从“已取消”变为“已发布”。"]


def test_draft_cannot_be_suspended(make_item):
    item = make_item()
    with pytest.raises(ValidationError, match="不能从“草稿”变为“暂停办理”"):
        set_item_status(item, "suspended")
    item.refresh_from_db()
    assert item.status == "draft" and item.version == 1


# ------------------------------------------------------------------------------------------------ bundles


@pytest.fixture
def published(make_item):
    return [make_item(main=n, status="published") for n in (1, 2, 3)]


def test_create_bundle(published, departments, admin_user):
    bundle = create_bundle(
        code="YJS-1",
        name="开办餐馆",
        lead_department=departments["scjg"],
        items=published[:2],
        promised_limit=5,
        actor=admin_user,
    )
    assert [e.item for e in bundle.entries.order_by("order")] == published[:2]
    event = AuditEvent.objects.get(object_type="catalog.bundle", object_id=str(bundle.pk))
    assert event.event_type == "bundle_created" and event.actor == admin_user


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (lambda items: items[:1], "至少应包含2个事项"),
        (lambda items: [items[0], items[0]], "不能重复"),
    ],
)
def test_create_bundle_refusals(published, departments, pick, message):
    with pytest.raises(ValidationError, match=message):
        create_bundle(
            code="YJS-1",
            name="x",
            lead_department=departments["scjg"],
            items=pick(published),
            promised_limit=5,
        )


def test_bundle_needs_published_items(published, make_item, departments):
    draft = make_item(main=9)
    with pytest.raises(ValidationError, match="测试事项9"):
        create_bundle(
            code="YJS-1",
            name="x",
            lead_department=departments["scjg"],
            items=[published[0], draft],
            promised_limit=5,
        )


def test_update_and_publish_bundle(published, departments):
    bundle = create_bundle(
        code="YJS-1", name="x", lead_department=departments["scjg"], items=published[:2], promised_limit=5
    )
    update_bundle(bundle, items=[published[2], published[0]], name="开办餐馆")
    bundle.refresh_from_db()
    assert bundle.name == "开办餐馆"
    assert [e.item_id for e in bundle.entries.order_by("order")] == [published[2].pk, published[0].pk]
    assert set_bundle_status(bundle, "published").status == "published"
    with pytest.raises(ValidationError, match="一件事状态不能"):
        set_bundle_status(bundle, "draft")
