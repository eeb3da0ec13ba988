"""The electronic seal signature, modelled on GB/T 38540-2020 (安全电子签章密码技术规范), SM2 with SM3.

Design: a detached signature carried in the file. The signed file is

    <the PDF exactly as rendered> b"\\n%GOVHALL-ESEAL " <base64 of the canonical JSON signature block> b"\\n"

The block follows the PDF's final %%EOF. PDF readers (and pdftoppm/pdftotext) look for the cross-reference from
the end and ignore trailing bytes after %%EOF, and a line starting with % is a PDF comment anyway, so the file
opens everywhere as the plain notice; the verifier splits at the last marker and checks the bytes before it.
This is simpler than a PDF signature dictionary (/ByteRange + CMS) and needs no incremental update, at the cost
that viewers do not show a signature panel — verification happens on the platform's public page or with
`manage.py verify_document`.

The block holds what GB/T 38540 puts in an SES_Signature:
- the document hash (SM3 of the PDF part) and the document number;
- the signing time (UTC, ISO 8601; it is asserted by the signer and covered by the signature, not by a TSA);
- the seal (SESeal): header, es_id, property (name, holder, validity, the list of certificates that may use
  it), the SM3 of the seal picture and the holder certificate, with the seal maker's SM2 signature over all of it;
- the signer certificate with the maker's signature (the platform is its own small CA);
- the SM2 signature, with the holder key, over the canonical bytes of {hash, time, es_id, number}.

Verification trusts only the maker public keys in the SealMaker table (the trust anchor), and reads the seal
registry for revocation: a seal revoked after a document was signed does not invalidate that document."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from . import crypto
from .choices import DocumentStatus
from .models import Document, Seal, SealMaker
from .naming import organ_name

MARKER = b"\n%GOVHALL-ESEAL "
FORMAT = "GOVHALL-ESEAL"
VERSION = 1
ALGORITHM = "SM2-with-SM3"
SEAL_HEADER = {"id": "ES", "version": 4, "vid": "GOVHALL"}
SEAL_TYPE_ORGANISATION = 1  # GB/T 38540 seal type 1: 单位印章
PICTURE_SIZE_MM = 42


def iso_utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive time")
    return parsed


def _local(instant: datetime) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M:%S")


def certificate_digest(certificate: dict[str, Any]) -> str:
    return crypto.sm3_hex(crypto.canonical_json(certificate))


def seal_structure(seal: Seal, maker: SealMaker) -> dict[str, Any]:
    """The SESeal the maker signs: everything a verifier needs to know about the seal, picture by hash."""
    return {
        "header": SEAL_HEADER,
        "es_id": seal.es_id,
        "property": {
            "type": SEAL_TYPE_ORGANISATION,
            "name": seal.name,
            "holder": seal.holder_name,
            "cert_list_type": 1,
            "cert_list": [certificate_digest(seal.certificate)],
            "create_date": iso_utc(seal.created_at),
            "valid_start": iso_utc(seal.valid_from),
            "valid_end": iso_utc(seal.valid_to),
        },
        "picture": {
            "type": "svg",
            "sm3": crypto.sm3_hex(seal.picture_svg.encode("utf-8")),
            "width_mm": PICTURE_SIZE_MM,
            "height_mm": PICTURE_SIZE_MM,
        },
        "certificate": seal.certificate,
        "maker": {"name": maker.name, "key_id": maker.key_id},
    }


def signed_content(*, hash_hex: str, time: str, es_id: str, number: str) -> bytes:
    return crypto.canonical_json({"hash": hash_hex, "time": time, "es_id": es_id, "number": number})


def sign_pdf(pdf: bytes, *, number: str, seal: Seal, at: datetime) -> tuple[bytes, dict[str, Any]]:
    """Sign rendered PDF bytes with the seal at `at`; returns (the signed file, the signature block).

    No validity check here: the caller (actions.seal_document) picks a seal valid at `at`. Tests use this
    directly to produce files a careless or dishonest signer could produce."""
    maker = seal.maker
    hash_hex = crypto.sm3_hex(pdf)
    time = iso_utc(at)
    block = {
        "format": FORMAT,
        "version": VERSION,
        "number": number,
        "hash_algorithm": "SM3",
        "hash": hash_hex,
        "time": time,
        "es_id": seal.es_id,
        "seal": {
            "structure": seal_structure(seal, maker),
            "signature_algorithm": ALGORITHM,
            "signature": seal.seal_signature,
        },
        "signer": {"certificate": seal.certificate, "certificate_signature": seal.certificate_signature},
        "signature_algorithm": ALGORITHM,
        "signature": crypto.sign(
            seal.holder_private_key,
            seal.holder_public_key,
            signed_content(hash_hex=hash_hex, time=time, es_id=seal.es_id, number=number),
        ),
    }
    return pdf + MARKER + base64.b64encode(crypto.canonical_json(block)) + b"\n", block


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Check:
    code: str
    label_zh: str
    ok: bool
    message_zh: str


CHECK_LABELS: dict[str, str] = {
    "structure": "签章数据结构",
    "hash": "文档完整性（SM3摘要）",
    "maker": "印章制作者签名",
    "certificate": "签章人证书",
    "seal_validity": "签章时印章有效",
    "signature": "电子签章签名值（SM2）",
    "registry": "文书登记信息",
}


@dataclass
class VerificationReport:
    checks: list[Check] = field(default_factory=list)
    number: str = ""
    signed_at: datetime | None = None
    seal_name: str = ""
    es_id: str = ""
    document: Document | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((check for check in self.checks if not check.ok), None)

    def add(self, code: str, ok: bool, message: str) -> None:
        self.checks.append(Check(code, CHECK_LABELS[code], ok, message))


class MalformedBlock(ValueError):
    pass


@dataclass(frozen=True)
class _Block:
    number: str
    hash: str
    time_text: str
    time: datetime
    es_id: str
    structure: dict[str, Any]
    seal_signature: str
    maker_key_id: str
    seal_name: str
    seal_es_id: str
    valid_start: datetime
    valid_end: datetime
    cert_list: list[str]
    certificate: dict[str, Any]
    certificate_signature: str
    public_key: str
    not_before: datetime
    not_after: datetime
    signature: str


def _get(mapping: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or not isinstance(mapping[key], kind):
        raise MalformedBlock(key)
    return mapping[key]


def _parse_block(raw: Any) -> _Block:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("version") != VERSION:
        raise MalformedBlock("format")
    seal = _get(raw, "seal", dict)
    structure = _get(seal, "structure", dict)
    prop = _get(structure, "property", dict)
    signer = _get(raw, "signer", dict)
    certificate = _get(signer, "certificate", dict)
    cert_list = _get(prop, "cert_list", list)
    try:
        return _Block(
            number=_get(raw, "number", str),
            hash=_get(raw, "hash", str),
            time_text=_get(raw, "time", str),
            time=parse_time(raw["time"]),
            es_id=_get(raw, "es_id", str),
            structure=structure,
            seal_signature=_get(seal, "signature", str),
            maker_key_id=_get(_get(structure, "maker", dict), "key_id", str),
            seal_name=_get(prop, "name", str),
            seal_es_id=_get(structure, "es_id", str),
            valid_start=parse_time(prop.get("valid_start")),
            valid_end=parse_time(prop.get("valid_end")),
            cert_list=[str(item) for item in cert_list],
            certificate=certificate,
            certificate_signature=_get(signer, "certificate_signature", str),
            public_key=_get(certificate, "public_key", str),
            not_before=parse_time(certificate.get("not_before")),
            not_after=parse_time(certificate.get("not_after")),
            signature=_get(raw, "signature", str),
        )
    except ValueError as exc:
        raise MalformedBlock(str(exc)) from exc


def split_signed(data: bytes) -> tuple[bytes, bytes | None]:
    """(the PDF part, the base64 signature block or None when the file carries none)."""
    index = data.rfind(MARKER)
    if index < 0:
        return data, None
    return data[:index], data[index + len(MARKER) :].strip()


def _structure(data: bytes, report: VerificationReport) -> tuple[bytes, _Block] | None:
    if not data.startswith(b"%PDF-"):
        report.add("structure", False, "文件不是 PDF 文件。")
        return None
    pdf, encoded = split_signed(data)
    if encoded is None:
        report.add("structure", False, "文件中没有电子签章数据：文件未经本平台签章，或签章数据已被去除。")
        return None
    try:
        raw = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8"))
        block = _parse_block(raw)
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, MalformedBlock):
        report.add("structure", False, "签章数据已损坏，无法解析。")
        return None
    report.number, report.signed_at = block.number, block.time
    report.seal_name, report.es_id = block.seal_name, block.es_id
    report.add("structure", True, f"签章数据完整：文书编号 {block.number}，签章时间 {_local(block.time)}。")
    return pdf, block


def verify_bytes(data: bytes, *, check_registry: bool = True) -> VerificationReport:
    """Every check a relying party makes, in order; a check that cannot run is reported as failed."""
    report = VerificationReport()
    parsed = _structure(data, report)
    if parsed is None:
        codes = [
            code for code in CHECK_LABELS if code != "structure" and (check_registry or code != "registry")
        ]
        for code in codes:
            report.add(code, False, "未检查：签章数据缺失或无法解析。")
        return report
    pdf, block = parsed
    actual_hash = crypto.sm3_hex(pdf)

    if actual_hash == block.hash:
        report.add("hash", True, f"文件内容与签章时一致（SM3 {actual_hash[:16]}…）。")
    else:
        report.add("hash", False, "文件内容与签章时的摘要不一致：文件在签章后被修改过。")

    maker = SealMaker.objects.filter(key_id=block.maker_key_id).first()
    if maker is None:
        report.add("maker", False, "印章不是本平台可信的印章制作者制作的。")
    elif crypto.verify(maker.public_key, block.seal_signature, crypto.canonical_json(block.structure)):
        report.add("maker", True, f"印章由「{maker.name}」制作，制章签名有效。")
    else:
        report.add("maker", False, "印章数据的制章签名无效：印章被伪造或篡改。")

    _check_certificate(report, block, maker)
    _check_seal_validity(report, block)

    content = signed_content(
        hash_hex=block.hash, time=block.time_text, es_id=block.es_id, number=block.number
    )
    if crypto.verify(block.public_key, block.signature, content):
        report.add("signature", True, "签名值与签章人证书的公钥相符。")
    else:
        report.add("signature", False, "签名值无效：签章数据被篡改，或不是用该印章签署的。")

    if check_registry:
        _check_registry(report, block, actual_hash)
    return report


def _check_certificate(report: VerificationReport, block: _Block, maker: SealMaker | None) -> None:
    if maker is None or not crypto.verify(
        maker.public_key, block.certificate_signature, crypto.canonical_json(block.certificate)
    ):
        report.add("certificate", False, "签章人证书不是本平台印章制作者签发的。")
    elif block.structure.get("certificate") != block.certificate or (
        certificate_digest(block.certificate) not in block.cert_list
    ):
        report.add("certificate", False, "签章人证书不在印章的证书列表中。")
    elif not (block.not_before <= block.time <= block.not_after):
        report.add(
            "certificate",
            False,
            f"签章时证书不在有效期内（有效期 {_local(block.not_before)} 至 {_local(block.not_after)}）。",
        )
    else:
        report.add(
            "certificate", True, f"证书 {block.certificate.get('serial', '')} 由制章者签发，签章时有效。"
        )


def _check_seal_validity(report: VerificationReport, block: _Block) -> None:
    period = f"{_local(block.valid_start)} 至 {_local(block.valid_end)}"
    if block.seal_es_id != block.es_id:
        report.add("seal_validity", False, "签名所称的印章与签章数据中的印章不一致。")
        return
    if not (block.valid_start <= block.time <= block.valid_end):
        report.add("seal_validity", False, f"签章时印章不在有效期内（有效期 {period}）。")
        return
    seal = Seal.objects.filter(es_id=block.es_id).only("revoked_at").first()
    if seal is None:
        report.add("seal_validity", False, "印章未在本平台登记。")
    elif seal.revoked_at is not None and seal.revoked_at <= block.time:
        report.add("seal_validity", False, f"印章已于 {_local(seal.revoked_at)} 吊销，签章在吊销之后。")
    elif seal.revoked_at is not None:
        report.add(
            "seal_validity",
            True,
            f"签章时印章有效（有效期 {period}）；印章于 {_local(seal.revoked_at)} 吊销，不影响此前签章的文书。",
        )
    else:
        report.add("seal_validity", True, f"签章时印章在有效期内（{period}），未被吊销。")


def _check_registry(report: VerificationReport, block: _Block, actual_hash: str) -> None:
    document = (
        Document.objects.filter(number=block.number)
        .select_related("department__region")
        .defer("pdf", "content", "signature")
        .first()
    )
    report.document = document
    if document is None:
        report.add("registry", False, f"本平台没有登记编号为 {block.number} 的文书。")
    elif document.status != DocumentStatus.SEALED:
        report.add("registry", False, f"编号为 {block.number} 的文书尚未签章。")
    elif document.sha != actual_hash:
        report.add(
            "registry",
            False,
            f"文件与{organ_name(document.department)}登记的编号 {block.number} 的文书不一致。",
        )
    else:
        report.add("registry", True, f"与{organ_name(document.department)}登记的文书一致。")
