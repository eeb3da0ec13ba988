"""catalog.kept: an item's materials, form fields and co-departments are read once for the item as it stands and
given again without a statement; a change through catalog.actions (which saves the item) is seen at once by a
caller holding the item as it is now, including an edit that gives equal materials new keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.cases import actions
from govhall.cases.models import CaseMaterial
from govhall.catalog import kept
from govhall.catalog.actions import MATERIAL_FIELDS, update_item
from govhall.catalog.models import Material, ServiceItem

from .conftest import PERSON, uploads_for

pytestmark = pytest.mark.django_db

PERMIT = "建筑工程施工许可证核发"  # joint review: 住建 leads, 市场监管 and 民政 co-review
CANCEL = "企业营业执照注销登记"  # with required materials


def _reads_of(queries: Any, table: str) -> int:
    return sum(
        1 for q in queries.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    )


def _submit(hall: Any, item: ServiceItem, uploads: Any = None) -> Any:
    return actions.submit_application(
        item=item,
        applicant=PERSON,
        channel="window",
        by=hall["clerk"],
        uploads=uploads_for(item) if uploads is None else uploads,
    )


def test_a_second_application_reads_no_materials_or_form_and_a_catalog_edit_is_seen_at_once(hall, at) -> None:
    with at(2026, 3, 2, 10):
        item = ServiceItem.objects.get(pk=hall.item(CANCEL).pk)
        _submit(hall, item)
        again, uploads = (
            ServiceItem.objects.get(pk=item.pk),
            uploads_for(item),
        )  # a request's own read of the item
        with CaptureQueriesContext(connection) as second:
            case = _submit(hall, again, uploads)
        assert uploads
        assert _reads_of(second, "catalog_material") == 0 and _reads_of(second, "catalog_formfield") == 0
        assert CaseMaterial.objects.filter(case=case, material__isnull=False).count() > 0
    with at(2026, 3, 2, 11):
        # Equal materials, replaced: new keys, the same version number; the item's updated_at moves.
        same = [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in item.materials.all()]
        old_keys = set(item.materials.values_list("pk", flat=True))
        assert update_item(item, materials=same).version == item.version
        fresh = ServiceItem.objects.get(pk=item.pk)
        assert {m.pk for m in kept.materials(fresh)} == set(
            Material.objects.filter(item=fresh).values_list("pk", flat=True)
        )
        assert not old_keys & {m.pk for m in kept.materials(fresh)}
        case = _submit(hall, fresh)  # the new materials' keys: the rows point at materials that exist
        assert set(CaseMaterial.objects.filter(case=case).values_list("material__item", flat=True)) == {
            item.pk
        }
        # A caller holding an older copy of the item reads afresh (and gets what the item has now).
        now = {m.pk for m in kept.materials(fresh)}
        with CaptureQueriesContext(connection) as older:
            assert {m.pk for m in kept.materials(item)} == now
        assert _reads_of(older, "catalog_material") == 1


def test_acceptance_captures_the_co_departments_the_item_has_now(hall, at) -> None:
    with at(2026, 3, 2, 10):
        item = ServiceItem.objects.get(pk=hall.item(PERMIT).pk)
        first = _submit(hall, item)
        actions.accept_case(first, by=hall["clerk"])
        before = sorted(item.joint_departments.values_list("pk", flat=True))
        assert first.joint_department_ids == before and len(before) == 2
    with at(2026, 3, 2, 11):
        update_item(item, joint_departments=before[:1])
        second = _submit(hall, ServiceItem.objects.get(pk=item.pk))
        actions.accept_case(second, by=hall["clerk"])
    assert second.joint_department_ids == before[:1]
