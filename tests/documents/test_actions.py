from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.core.clock import frozen_at
from govhall.documents import actions, crypto, signing
from govhall.documents.actions import issue_document, issue_documents
from govhall.documents.choices import DocumentKind, DocumentStatus, SealStatus
from govhall.documents.models import Document, DocumentCounter, Seal, SealMaker

from .conftest import ISSUED_AT, notice_content


def test_issue_numbers_per_department_kind_and_year(issue, rsj):
    first = issue()
    second = issue()
    refusal = issue(kind=DocumentKind.REFUSAL)
    other_department = issue(department=rsj)
    next_year = issue(at=datetime(2027, 1, 1, 1, 0, tzinfo=UTC))
    # 2026-12-31 17:00 UTC is already 2027-01-01 in Shanghai: the local year decides.
    new_year_eve_utc = issue(at=datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
    assert first.number == "市场监管局受〔2026〕1号"
    assert second.number == "市场监管局受〔2026〕2号"
    assert refusal.number == "市场监管局不受〔2026〕1号"
    assert other_department.number == "人社局受〔2026〕1号"
    assert next_year.number == "市场监管局受〔2027〕1号"
    assert new_year_eve_utc.number == "市场监管局受〔2027〕2号"


def test_issue_is_cheap_and_pending(issue, django_assert_max_num_queries):
    issue()  # creates the year's counter
    # Steady state: savepoint, counter UPDATE, counter SELECT, INSERT, release.
    with django_assert_max_num_queries(5):
        document = issue(by=None)
    assert document.status == DocumentStatus.PENDING
    assert document.pdf is None and document.seal is None and document.sealed_at is None
    assert document.title == "受理通知书"
    assert document.recipient == "容县张三餐饮有限公司"
    assert document.content["date"] == "2026-11-22"
    assert len(document.verify_token) >= 32
    assert not Seal.objects.exists()  # no seal made, no signature computed


def test_issue_documents_numbers_a_decision_and_its_licence_together(scj):
    """A grant's decision and its certificate: both numbered in one call, each kind on its own counter; the second
    grant finds both counters and on PostgreSQL moves them in one statement."""

    def grant(n: int) -> list[Document]:
        return issue_documents(
            [("approval", notice_content()), ("certificate", notice_content(title="食品经营许可证"))],
            department=scj,
            case_number=f"RX20261122{n:04d}",
            recipient="容县张三餐饮有限公司",
            at=ISSUED_AT,
        )

    first = grant(1)  # the year's first: both counters created
    with CaptureQueriesContext(connection) as queries:
        second = grant(2)
    assert [d.number for d in first] == ["市场监管局准〔2026〕1号", "市场监管局证〔2026〕1号"]
    assert [d.number for d in second] == ["市场监管局准〔2026〕2号", "市场监管局证〔2026〕2号"]
    assert [d.title for d in second] == ["准予行政许可决定书", "食品经营许可证"]
    counters = [q["sql"] for q in queries.captured_queries if "documents_documentcounter" in q["sql"]]
    assert len(counters) == (1 if connection.vendor == "postgresql" else 2)
    # A kind numbered alone afterwards goes on from where the pair left it.
    alone = issue_document(
        kind="certificate",
        department=scj,
        case_number="RX202611220003",
        recipient="容县张三餐饮有限公司",
        content=notice_content(),
        at=ISSUED_AT,
    )
    assert alone.number == "市场监管局证〔2026〕3号"
    assert Document.objects.filter(case_number="RX202611220002").count() == 2


def test_issue_documents_refuses_a_kind_twice_and_writes_nothing(scj):
    with pytest.raises(ValidationError) as refused:
        issue_documents(
            [("approval", notice_content()), ("approval", notice_content())],
            department=scj,
            case_number="RX202611220001",
            recipient="容县张三餐饮有限公司",
            at=ISSUED_AT,
        )
    assert "kind" in refused.value.message_dict
    assert not Document.objects.exists() and not DocumentCounter.objects.exists()


def test_printed_titles(issue):
    assert issue(kind=DocumentKind.REDIRECT).title == "不予受理告知书"
    assert (
        issue(kind=DocumentKind.CERTIFICATE, content=notice_content(title="食品经营许可证")).title
        == "食品经营许可证"
    )


def test_issue_date_defaults_to_the_local_day(issue):
    content = notice_content()
    del content["date"]
    # 2026-11-22 18:00 UTC is 2026-11-23 02:00 in Shanghai.
    document = issue(content=content, at=datetime(2026, 11, 22, 18, 0, tzinfo=UTC))
    assert document.content["date"] == "2026-11-23"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"case_number": "  "}, "case_number"),
        ({"recipient": ""}, "recipient"),
        ({"content": notice_content(paragraphs=[])}, "content"),
        ({"content": notice_content(paragraphs="一段")}, "content"),
        ({"content": notice_content(paragraphs=["", "x"])}, "content"),
        ({"content": notice_content(rows=[["只有一列"]])}, "content"),
        ({"content": notice_content(date="2026-13-01")}, "content"),
        ({"content": notice_content(remedies=["x"])}, "content"),
        ({"content": ["not", "a", "dict"]}, "content"),
    ],
)
def test_issue_rejects_bad_input_in_chinese(issue, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        issue(**kwargs)
    assert field in caught.value.message_dict
    message = " ".join(caught.value.message_dict[field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert not Document.objects.exists()


def test_a_rolled_back_issue_gives_its_number_back(issue):
    issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        issue()
        raise RuntimeError("the case action failed")
    assert issue().number == "市场监管局受〔2026〕2号"


def test_ensure_seal_is_idempotent_and_signed_by_the_maker(scj):
    at = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    seal = actions.ensure_seal(scj, at=at)
    assert actions.ensure_seal(scj, at=at + timedelta(days=30)).pk == seal.pk
    assert Seal.objects.count() == 1 and SealMaker.objects.count() == 1
    assert seal.name == "容县市场监督管理局电子审批专用章"
    assert seal.holder_name == "容县市场监督管理局"
    assert seal.valid_from == at and seal.valid_to == datetime(2031, 1, 5, 1, 0, tzinfo=UTC)
    assert seal.es_id.startswith("4509212026")
    assert "容" in seal.picture_svg and "<circle" in seal.picture_svg and "<polygon" in seal.picture_svg
    maker = SealMaker.objects.get()
    assert crypto.verify(
        maker.public_key, seal.certificate_signature, crypto.canonical_json(seal.certificate)
    )
    structure = signing.seal_structure(seal, maker)
    assert crypto.verify(maker.public_key, seal.seal_signature, crypto.canonical_json(structure))
    assert seal.certificate["public_key"] == seal.holder_public_key
    # The maker signs the picture by hash: a changed picture breaks the seal signature.
    seal.picture_svg = seal.picture_svg.replace("容", "假")
    assert not crypto.verify(
        maker.public_key, seal.seal_signature, crypto.canonical_json(signing.seal_structure(seal, maker))
    )


def test_an_expired_seal_is_renewed_and_kept(scj):
    old = actions.ensure_seal(scj, at=datetime(2019, 3, 1, tzinfo=UTC))
    new = actions.ensure_seal(scj, at=datetime(2026, 3, 1, tzinfo=UTC))
    assert new.pk != old.pk and new.es_id != old.es_id
    old.refresh_from_db()
    assert old.status == SealStatus.EXPIRED
    assert new.status == SealStatus.ACTIVE
    assert SealMaker.objects.count() == 1


def test_signing_before_the_seal_exists_is_refused(scj):
    actions.ensure_seal(scj, at=datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(ValidationError, match="启用时间"):
        actions.ensure_seal(scj, at=datetime(2026, 2, 1, tzinfo=UTC))


def test_seal_document_signs_once(issue, django_user_model):
    document = issue()
    sealed_at = ISSUED_AT + timedelta(minutes=3)
    result = actions.seal_document(document, at=sealed_at)
    assert result.status == DocumentStatus.SEALED and result.sealed_at == sealed_at
    # The caller's instance sees the seal as well.
    assert document.status == DocumentStatus.SEALED and document.seal_id == result.seal_id
    data = bytes(result.pdf)
    assert data.startswith(b"%PDF-") and b"%%EOF" in data and signing.MARKER in data
    assert result.sha == crypto.sm3_hex(signing.split_signed(data)[0])
    assert result.signature["number"] == document.number
    again = actions.seal_document(Document.objects.get(pk=document.pk), at=sealed_at + timedelta(hours=1))
    assert bytes(again.pdf) == data and again.sealed_at == sealed_at


def test_sealed_pdf_seals_on_demand(issue):
    document = issue()
    data = actions.sealed_pdf(document)
    assert data.startswith(b"%PDF-")
    stored = Document.objects.get(pk=document.pk)
    assert stored.status == DocumentStatus.SEALED
    assert actions.sealed_pdf(stored) == data == bytes(stored.pdf)


def test_seal_pending_claims_oldest_first_and_respects_the_limit(issue):
    documents = [issue(at=ISSUED_AT + timedelta(minutes=i)) for i in range(5)]
    already = actions.seal_document(issue(at=ISSUED_AT - timedelta(days=1)), at=ISSUED_AT)
    with frozen_at(ISSUED_AT + timedelta(hours=1)):
        assert actions.seal_pending(limit=3) == 3
        sealed = set(Document.objects.filter(status=DocumentStatus.SEALED).values_list("pk", flat=True))
        assert sealed == {already.pk, *[d.pk for d in documents[:3]]}
        assert actions.seal_pending() == 2
        assert actions.seal_pending() == 0
    assert not Document.objects.filter(status=DocumentStatus.PENDING).exists()
    worker_times = Document.objects.filter(pk__in=[d.pk for d in documents]).values_list(
        "sealed_at", flat=True
    )
    assert set(worker_times) == {ISSUED_AT + timedelta(hours=1)}


def test_seal_pending_skips_a_document_that_fails_and_seals_the_rest(issue, monkeypatch, caplog):
    good, bad, later = issue(), issue(), issue()
    real = actions.render.render_document

    def failing(document, seal):
        if document.pk == bad.pk:
            raise ValueError("broken content")
        return real(document, seal)

    monkeypatch.setattr(actions.render, "render_document", failing)
    assert actions.seal_pending() == 2
    assert Document.objects.get(pk=bad.pk).status == DocumentStatus.PENDING
    assert {d.status for d in Document.objects.filter(pk__in=[good.pk, later.pk])} == {DocumentStatus.SEALED}
    assert bad.number in caplog.text


def test_revoke_seal_and_the_next_document_gets_a_new_seal(issue, scj, admin_user):
    first = actions.seal_document(issue(), at=ISSUED_AT)
    revoked_at = ISSUED_AT + timedelta(days=1)
    seal = actions.revoke_seal(first.seal, by=admin_user, at=revoked_at)
    assert (
        seal.status == SealStatus.REVOKED and seal.revoked_at == revoked_at and seal.revoked_by == admin_user
    )
    # Revoking again changes nothing.
    assert actions.revoke_seal(seal, at=revoked_at + timedelta(days=1)).revoked_at == revoked_at
    second = actions.seal_document(issue(), at=revoked_at + timedelta(hours=1))
    assert second.seal_id != first.seal_id
    assert second.seal.status == SealStatus.ACTIVE


def test_a_seal_made_a_moment_later_by_another_worker_is_used_not_refused(issue, scj):
    # Another worker's clock read after ours: its new seal starts one second after our "now".
    document = issue()
    seal = actions.ensure_seal(scj, at=ISSUED_AT + timedelta(seconds=1))
    with frozen_at(ISSUED_AT):
        assert actions.seal_pending() == 1
    document.refresh_from_db()
    assert document.seal_id == seal.pk
    # Signed at the seal's start, never before it: the file verifies.
    assert document.sealed_at == seal.valid_from
    assert signing.verify_bytes(bytes(document.pdf)).ok
