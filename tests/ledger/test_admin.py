from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from govhall.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_ledger_admin_lists_and_shows_but_never_changes(client: Client, chain: list[LedgerEntry]) -> None:
    admin = User.objects.create_superuser("auditor", password="x-very-secret-1")
    client.force_login(admin)
    entry = chain[1]

    listing = client.get("/admin/ledger/ledgerentry/")
    assert listing.status_code == 200
    assert "RX2026030200001" in listing.content.decode()

    detail = client.get(f"/admin/ledger/ledgerentry/{entry.pk}/change/")
    assert detail.status_code == 200
    assert "材料齐全，予以受理" in detail.content.decode()
    assert 'name="opinion"' not in detail.content.decode()  # no form fields: everything read-only

    client.post(f"/admin/ledger/ledgerentry/{entry.pk}/change/", {"opinion": "篡改"})
    client.post(f"/admin/ledger/ledgerentry/{entry.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/ledger/ledgerentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert client.get("/admin/ledger/ledgerentry/add/").status_code == 403
    entry.refresh_from_db()
    assert entry.opinion == "材料齐全，予以受理"
    assert LedgerEntry.objects.count() == 5


def test_admin_shows_an_entry_whose_account_was_deleted(client: Client, chain: list[LedgerEntry]) -> None:
    admin = User.objects.create_superuser("auditor", password="x-very-secret-1")
    client.force_login(admin)
    User.objects.get(username="clerk1").delete()
    page = client.get(f"/admin/ledger/ledgerentry/{chain[1].pk}/change/")
    assert page.status_code == 200
    assert "clerk1" in page.content.decode()  # the name as it was, kept in actor_name
