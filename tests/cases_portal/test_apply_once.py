"""The online apply forms are protected against double submission (issue #9 item 7): each opened form carries a
one-time token, and a second POST of the same form shows the application the first one created."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govhall.cases import form_tokens
from govhall.cases.models import Case, CaseGroup, IdempotencyKey
from govhall.ledger.models import LedgerEntry
from tests.cases.conftest import PDF, Hall
from tests.cases.test_bundles import make_bundle

from .test_bundles import combined_post
from .test_portal import CANCEL, apply_url, client_for, person_post

pytestmark = pytest.mark.django_db


def token_of(page: str) -> str:
    match = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert match is not None, "the apply form carries no one-time token"
    return match.group(1)


def case_post(hall: Hall, token: str) -> dict[str, Any]:
    files = {
        f"material_{m.pk}": SimpleUploadedFile(f"{m.seq}.pdf", PDF, content_type="application/pdf")
        for m in hall.item(CANCEL).materials.all()
    }
    return {**person_post(), **files, "submission_token": token}


def test_a_double_submit_of_the_apply_form_creates_one_case(hall: Hall) -> None:
    item = hall.item(CANCEL)
    client = client_for(hall["applicant"])
    token = token_of(client.get(apply_url(item)).content.decode())
    first = client.post(apply_url(item), case_post(hall, token))
    second = client.post(apply_url(item), case_post(hall, token), follow=True)
    case = Case.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/my/cases/{case.number}/"
    assert second.redirect_chain == [(f"/my/cases/{case.number}/", 302)]
    assert "已提交过" in second.content.decode() and case.number in second.content.decode()
    assert IdempotencyKey.objects.get().case == case
    # A form opened anew is a new application.
    again = token_of(client.get(apply_url(item)).content.decode())
    assert again != token
    client.post(apply_url(item), case_post(hall, again))
    assert Case.objects.count() == 2


def test_a_failed_submit_keeps_the_token_and_the_corrected_one_creates_the_case(hall: Hall) -> None:
    item = hall.item(CANCEL)
    client = client_for(hall["applicant"])
    token = token_of(client.get(apply_url(item)).content.decode())
    wrong = client.post(apply_url(item), {**case_post(hall, token), "id_number": "110105194912310021"})
    assert wrong.status_code == 200 and token_of(wrong.content.decode()) == token
    assert not Case.objects.exists()
    assert client.post(apply_url(item), case_post(hall, token)).status_code == 302
    assert client.post(apply_url(item), case_post(hall, token)).status_code == 302
    assert Case.objects.count() == 1


def test_another_account_cannot_reach_a_case_through_a_copied_token(hall: Hall) -> None:
    item = hall.item(CANCEL)
    token = token_of(client_for(hall["applicant"]).get(apply_url(item)).content.decode())
    client_for(hall["applicant"]).post(apply_url(item), case_post(hall, token))
    mine = Case.objects.get()
    other = get_user_model().objects.create_user("neighbour", password="govhall-test-pw")
    response = client_for(other).post(apply_url(item), case_post(hall, token))
    # The token is the account's own key: the neighbour gets a case of their own, never a view of mine.
    theirs = Case.objects.get(applicant__user=other)
    assert theirs != mine and response["Location"] == f"/my/cases/{theirs.number}/"


def test_a_double_submit_of_the_bundle_form_creates_one_bundle(hall: Hall) -> None:
    bundle = make_bundle(hall)
    url = f"/apply/bundle/{bundle.code}/"
    client = client_for(hall["applicant"])
    token = token_of(client.get(url).content.decode())
    first = client.post(url, {**combined_post(bundle), "submission_token": token})
    second = client.post(url, {**combined_post(bundle), "submission_token": token}, follow=True)
    group = CaseGroup.objects.get()
    assert first["Location"] == f"/my/bundles/{group.number}/"
    assert second.redirect_chain == [(f"/my/bundles/{group.number}/", 302)]
    assert "已提交过" in second.content.decode()
    assert Case.objects.filter(group=group).count() == Case.objects.count() == 2


def test_anonymous_posts_still_need_a_login(hall: Hall) -> None:
    response = Client().post(apply_url(hall.item(CANCEL)), {"submission_token": "x" * 32})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_concurrent_second_submit_loses_on_the_key_and_shows_the_first_case(
    hall: Hall, monkeypatch: Any
) -> None:
    item = hall.item(CANCEL)
    client = client_for(hall["applicant"])
    token = token_of(client.get(apply_url(item)).content.decode())
    client.post(apply_url(item), case_post(hall, token))
    first = Case.objects.get()
    entries = LedgerEntry.objects.count()
    # The second request looked before the first committed: it submits too, and loses on the stored key.
    monkeypatch.setattr(form_tokens, "earlier_case", lambda user, key: None)
    second = client.post(apply_url(item), case_post(hall, token))
    assert second.status_code == 302 and second["Location"] == f"/my/cases/{first.number}/"
    assert Case.objects.count() == 1 and LedgerEntry.objects.count() == entries


@pytest.mark.parametrize("token", [None, "", "short", "x" * 19, "bad token with spaces!!", "y" * 65])
def test_the_apply_form_refuses_a_missing_or_malformed_token(hall: Hall, token: str | None) -> None:
    item = hall.item(CANCEL)
    client = client_for(hall["applicant"])
    data = case_post(hall, token or "")
    if token is None:
        del data["submission_token"]
    response = client.post(apply_url(item), data)
    page = response.content.decode()
    assert response.status_code == 200 and "表单已过期，请重新提交" in page
    fresh = token_of(page)
    assert fresh and fresh != token
    assert not Case.objects.exists() and not IdempotencyKey.objects.exists()
    # The fresh token of the page shown again submits normally.
    assert client.post(apply_url(item), case_post(hall, fresh)).status_code == 302
    assert Case.objects.count() == 1


@pytest.mark.parametrize("token", [None, "short"])
def test_the_bundle_apply_form_refuses_a_missing_or_malformed_token(hall: Hall, token: str | None) -> None:
    bundle = make_bundle(hall)
    client = client_for(hall["applicant"])
    data = {**combined_post(bundle), "submission_token": token or ""}
    if token is None:
        del data["submission_token"]
    response = client.post(f"/apply/bundle/{bundle.code}/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "表单已过期，请重新提交" in page
    assert token_of(page) != token
    assert not CaseGroup.objects.exists() and not Case.objects.exists()
