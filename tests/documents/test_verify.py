from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from govhall.documents import actions, crypto, render, signing
from govhall.documents.models import Document, SealMaker
from govhall.documents.signing import MARKER, split_signed, verify_bytes

from .conftest import ISSUED_AT, write_pdf

SEALED_AT = ISSUED_AT + timedelta(minutes=5)
ALL_CHECKS = ["structure", "hash", "maker", "certificate", "seal_validity", "signature", "registry"]


@pytest.fixture
def sealed(issue) -> Document:
    return actions.seal_document(issue(), at=SEALED_AT)


def _codes(report) -> list[str]:
    return [check.code for check in report.checks]


def _failed(report) -> set[str]:
    return {check.code for check in report.checks if not check.ok}


def _block(data: bytes) -> dict:
    return json.loads(base64.b64decode(split_signed(data)[1]))


def _with_block(pdf: bytes, block: dict) -> bytes:
    return pdf + MARKER + base64.b64encode(crypto.canonical_json(block)) + b"\n"


def test_a_sealed_document_verifies(sealed):
    report = verify_bytes(bytes(sealed.pdf))
    assert report.ok, report.first_failure
    assert _codes(report) == ALL_CHECKS
    assert report.first_failure is None
    assert report.number == sealed.number and report.signed_at == SEALED_AT
    assert report.document == sealed
    assert all(check.label_zh and check.message_zh for check in report.checks)


def test_without_the_registry_check(sealed):
    report = verify_bytes(bytes(sealed.pdf), check_registry=False)
    assert report.ok and "registry" not in _codes(report)


def test_one_changed_byte_in_the_pdf_fails_the_hash_check(sealed):
    data = bytearray(sealed.pdf)
    # A byte inside the page content, well before the signature block.
    position = len(split_signed(bytes(data))[0]) // 2
    data[position] ^= 0x01
    report = verify_bytes(bytes(data))
    assert not report.ok
    assert report.first_failure.code == "hash"
    assert "修改" in report.first_failure.message_zh
    assert _failed(report) == {"hash", "registry"}  # the seal and the signature over the old hash still hold


def test_a_recomputed_hash_breaks_the_signature(sealed):
    pdf, _ = split_signed(bytes(sealed.pdf))
    forged_pdf = pdf.replace(b"/Creator", b"/Creatox", 1)
    block = _block(bytes(sealed.pdf))
    block["hash"] = crypto.sm3_hex(forged_pdf)
    report = verify_bytes(_with_block(forged_pdf, block))
    assert "hash" not in _failed(report)
    assert {"signature", "registry"} <= _failed(report)


def test_a_signature_block_from_another_document_fails(issue):
    one = actions.seal_document(issue(), at=SEALED_AT)
    other = actions.seal_document(issue(), at=SEALED_AT)
    pdf_one, _ = split_signed(bytes(one.pdf))
    _, block_other = split_signed(bytes(other.pdf))
    spliced = pdf_one + MARKER + block_other + b"\n"
    report = verify_bytes(spliced)
    assert not report.ok
    assert report.first_failure.code == "hash"
    assert report.number == other.number


def test_signing_with_an_expired_seal_fails_the_validity_check(issue, scj):
    # A seal made in 2019 expired in 2024; a signer who used it anyway in 2026 produces this file.
    expired = actions.ensure_seal(scj, at=datetime(2019, 6, 1, tzinfo=UTC))
    document = issue()
    pdf = render.render_document(document, expired)
    data, block = signing.sign_pdf(pdf, number=document.number, seal=expired, at=SEALED_AT)
    Document.objects.filter(pk=document.pk).update(status="sealed", sha=block["hash"], pdf=data)
    report = verify_bytes(data)
    assert not report.ok
    failed = {c.code: c for c in report.checks if not c.ok}
    assert "seal_validity" in failed
    assert "有效期" in failed["seal_validity"].message_zh
    assert "signature" not in failed and "hash" not in failed


def test_a_seal_revoked_after_signing_still_verifies(sealed):
    actions.revoke_seal(sealed.seal, at=SEALED_AT + timedelta(days=3))
    report = verify_bytes(bytes(sealed.pdf))
    assert report.ok, report.first_failure
    validity = next(c for c in report.checks if c.code == "seal_validity")
    assert "吊销" in validity.message_zh


def test_signing_after_revocation_fails(issue, scj):
    seal = actions.ensure_seal(scj, at=ISSUED_AT)
    actions.revoke_seal(seal, at=ISSUED_AT + timedelta(minutes=1))
    document = issue()
    data, _ = signing.sign_pdf(
        render.render_document(document, seal), number=document.number, seal=seal, at=SEALED_AT
    )
    report = verify_bytes(data, check_registry=False)
    assert _failed(report) == {"seal_validity"}


def test_a_seal_made_by_an_unknown_maker_fails(sealed):
    SealMaker.objects.update(key_id="0000000000000000")
    report = verify_bytes(bytes(sealed.pdf))
    assert report.first_failure.code == "maker"
    assert "certificate" in _failed(report)


def test_a_changed_seal_name_breaks_the_maker_signature(sealed):
    block = _block(bytes(sealed.pdf))
    block["seal"]["structure"]["property"]["name"] = "容县人民政府电子审批专用章"
    report = verify_bytes(_with_block(split_signed(bytes(sealed.pdf))[0], block))
    assert report.first_failure.code == "maker"


def test_a_self_made_certificate_fails(sealed):
    # A forger with his own key pair: his certificate is not signed by the maker.
    private, public = crypto.generate_keypair()
    data = bytes(sealed.pdf)
    block = _block(data)
    block["signer"]["certificate"] = {**block["signer"]["certificate"], "public_key": public}
    block["signature"] = crypto.sign(
        private,
        public,
        signing.signed_content(
            hash_hex=block["hash"], time=block["time"], es_id=block["es_id"], number=block["number"]
        ),
    )
    report = verify_bytes(_with_block(split_signed(data)[0], block))
    assert report.first_failure.code == "certificate"
    assert "signature" not in _failed(report)


def test_a_changed_signing_time_breaks_the_signature(sealed):
    block = _block(bytes(sealed.pdf))
    block["time"] = signing.iso_utc(SEALED_AT + timedelta(days=1))  # within the seal's validity
    report = verify_bytes(_with_block(split_signed(bytes(sealed.pdf))[0], block))
    assert report.first_failure.code == "signature"


def test_unregistered_or_different_registered_file_fails_the_registry_check(sealed):
    data = bytes(sealed.pdf)
    Document.objects.filter(pk=sealed.pk).update(sha="0" * 64)
    assert _failed(verify_bytes(data)) == {"registry"}
    Document.objects.filter(pk=sealed.pk).update(number="其他编号")
    report = verify_bytes(data)
    assert _failed(report) == {"registry"} and "没有登记" in report.first_failure.message_zh


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "不是 PDF"),
        (b"PK\x03\x04 a zip file", "不是 PDF"),
        (b"%PDF-1.4\n%%EOF\n", "没有电子签章数据"),
        (b"%PDF-1.4\n%%EOF" + MARKER + b"!!!not base64!!!\n", "无法解析"),
        (b"%PDF-1.4\n%%EOF" + MARKER + base64.b64encode(b'{"format": "GOVHALL-ESEAL"}') + b"\n", "无法解析"),
        (b"%PDF-1.4\n%%EOF" + MARKER + base64.b64encode(b"[1, 2]") + b"\n", "无法解析"),
    ],
)
def test_files_without_a_usable_signature_fail_the_structure_check(db, data, message):
    report = verify_bytes(data)
    assert not report.ok
    assert report.first_failure.code == "structure"
    assert message in report.first_failure.message_zh
    assert _codes(report) == ALL_CHECKS and not any(c.ok for c in report.checks)


@pytest.mark.parametrize("field", ["time", "hash", "seal", "signer", "signature", "number"])
def test_blocks_with_wrong_types_fail_cleanly(sealed, field):
    block = _block(bytes(sealed.pdf))
    block[field] = 12345 if field != "time" else "not a time"
    report = verify_bytes(_with_block(split_signed(bytes(sealed.pdf))[0], block))
    assert report.first_failure.code == "structure"


def test_the_pdf_part_opens_as_a_normal_pdf(sealed, tmp_path):
    # Viewers ignore the block after %%EOF: poppler reads the signed file as it is.
    path = write_pdf(tmp_path, bytes(sealed.pdf))
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True)
    assert "Pages:" in info.stdout and "Syntax Error" not in info.stderr


# --------------------------------------------------------------------------- the command


def _run_command(path: Path | str) -> tuple[int, str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_document", str(path), stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_command_passes_a_good_file(sealed, tmp_path):
    code, out, _ = _run_command(write_pdf(tmp_path, bytes(sealed.pdf)))
    assert code == 0
    assert out.count("✓") == len(ALL_CHECKS) and "✗" not in out
    assert "文档完整性" in out and sealed.number in out


def test_command_fails_a_tampered_file(sealed, tmp_path):
    data = bytearray(sealed.pdf)
    data[200] ^= 0x20
    code, out, _ = _run_command(write_pdf(tmp_path, bytes(data)))
    assert code == 1
    assert "✗ 文档完整性" in out and "验证未通过" in out


def test_command_reports_an_unreadable_file(db, tmp_path):
    code, _, err = _run_command(tmp_path / "missing.pdf")
    assert code == 2 and "无法读取" in err


@pytest.mark.django_db(transaction=True)
def test_command_exit_codes_in_a_real_process(issue, tmp_path):
    """The real entry point, a separate process reading the same database (exit 2 is covered by call_command)."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("the in-memory SQLite test database is invisible to another process")
    document = actions.seal_document(issue(), at=SEALED_AT)
    good = write_pdf(tmp_path, bytes(document.pdf))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govhall.settings"}
    db_settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = db_settings["USER"] or ""
        host = db_settings["HOST"] or "127.0.0.1"
        port = db_settings["PORT"] or 5432
        password = f":{db_settings['PASSWORD']}" if db_settings["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{db_settings['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{db_settings['NAME']}"
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_document"]
    ok = subprocess.run([*manage, str(good)], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "✓ 文书登记信息" in ok.stdout
    tampered = bytearray(document.pdf)
    tampered[300] ^= 0x01
    bad = subprocess.run(
        [*manage, str(write_pdf(tmp_path, bytes(tampered), "bad.pdf"))],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert bad.returncode == 1
