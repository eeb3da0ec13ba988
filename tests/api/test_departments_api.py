from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_departments_with_item_counts(client, catalog):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/departments")
    assert response.status_code == 200
    assert len(queries) == 1
    rows = {row["short_name"]: row for row in response.json()}
    # Drafts and suspended items do not count: the public sees only published ones.
    assert {k: v["item_count"] for k, v in rows.items()} == {
        "市场监管局": 4,
        "人社局": 2,
        "民政局": 2,
        "公安局": 1,
        "住建局": 2,
        "司法局": 0,
    }
    scjg = rows["市场监管局"]
    dept = catalog.departments["scjg"]
    assert scjg == {
        "id": dept.pk,
        "name": "县市场监督管理局",
        "short_name": "市场监管局",
        "uscc": dept.uscc,
        "group": "economic",
        "group_label": "经济管理",
        "in_hall": True,
        "item_count": 4,
    }


def test_inactive_departments_hidden(client, catalog):
    catalog.departments["sfj"].active = False
    catalog.departments["sfj"].save()
    assert "司法局" not in {row["short_name"] for row in client.get("/api/v1/departments").json()}


def test_department_ids_filter_items(client, catalog):
    dept = next(row for row in client.get("/api/v1/departments").json() if row["short_name"] == "公安局")
    items = client.get("/api/v1/items", {"department": dept["id"]}).json()
    assert [row["name"] for row in items["items"]] == ["居民身份证申领"]
