"""The only code that changes documents and seals.

Issuing is cheap and happens inside the caller's transaction (the case action that decides to accept, refuse,
…): it allocates the number and stores the content. Sealing — rendering the PDF and signing it, about 50–100 ms
— happens later, in `seal_pending` (the `seal_documents` worker) or on first download (`sealed_pdf`)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from govhall.calendars.engine import local_date
from govhall.core.clock import now
from govhall.core.compiled import insert_objects
from govhall.core.cursors import kept_cursor
from govhall.core.worker import deferred_ids, record_row_failure
from govhall.org.models import Department

from . import crypto, naming, render, signing
from .choices import DocumentKind, DocumentStatus, SealStatus
from .models import Document, DocumentCounter, Seal, SealMaker
from .seal_picture import seal_svg

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

SEAL_VALIDITY_YEARS = 5
# Documents sealed per worker transaction: short enough that a SQLite writer waiting on it does not time out.
SEAL_BATCH = 10


def _actor(user: User | None) -> User | None:
    return user if getattr(user, "pk", None) else None


# --------------------------------------------------------------------------- seals


def _active_maker(at: datetime) -> SealMaker:
    maker = SealMaker.objects.filter(active=True).first()
    if maker is not None:
        return maker
    private, public = crypto.generate_keypair()
    try:
        with transaction.atomic():
            return SealMaker.objects.create(
                name=settings.GOVHALL_SEAL_MAKER_NAME,
                key_id=crypto.key_id(public),
                public_key=public,
                private_key=private,
                active=True,
                created_at=at,
            )
    except IntegrityError:
        # Another worker created it first (one active maker: a partial unique constraint).
        return SealMaker.objects.get(active=True)


def _years_later(instant: datetime, years: int) -> datetime:
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:  # 29 February
        return instant.replace(year=instant.year + years, day=28)


def _make_seal(department: Department, at: datetime) -> Seal:
    maker = _active_maker(at)
    holder = naming.organ_name(department)
    private, public = crypto.generate_keypair()
    valid_from = at
    valid_to = _years_later(at, SEAL_VALIDITY_YEARS)
    region_code = department.region.code[:6] if department.region else "000000"
    es_id = f"{region_code}{local_date(at).year}{secrets.token_hex(4).upper()}"
    certificate = {
        "version": 1,
        "serial": secrets.token_hex(16).upper(),
        "subject": holder,
        "subject_uscc": department.uscc or "",
        "public_key": public,
        "public_key_algorithm": "SM2",
        "signature_algorithm": signing.ALGORITHM,
        "not_before": signing.iso_utc(valid_from),
        "not_after": signing.iso_utc(valid_to),
        "issuer": maker.name,
        "issuer_key_id": maker.key_id,
    }
    seal = Seal(
        department=department,
        maker=maker,
        es_id=es_id,
        name=naming.seal_name(department),
        holder_name=holder,
        valid_from=valid_from,
        valid_to=valid_to,
        created_at=at,
        picture_svg=seal_svg(holder),
        holder_public_key=public,
        holder_private_key=private,
        certificate=certificate,
        certificate_signature=crypto.sign(
            maker.private_key, maker.public_key, crypto.canonical_json(certificate)
        ),
        status=SealStatus.ACTIVE,
    )
    structure = signing.seal_structure(seal, maker)
    seal.seal_signature = crypto.sign(maker.private_key, maker.public_key, crypto.canonical_json(structure))
    seal.save()
    return seal


def ensure_seal(department: Department, *, at: datetime | None = None) -> Seal:
    """The department's seal valid at `at`; made (valid from `at` for five years) when it has none, and renewed
    when the current one has expired. Safe when several workers race: one active seal per department is a
    database constraint, and the loser of a race reads the winner's seal.

    Without `at`, a seal another worker made a moment "later" (its clock read after ours, or runs ahead) is
    the current seal; with an explicit `at` before the seal's start, nothing valid exists and it is an error."""
    explicit = at is not None
    at = at or now()
    for _ in range(3):
        seal = Seal.objects.filter(department=department, status=SealStatus.ACTIVE).first()
        if seal is not None and seal.valid_from <= at <= seal.valid_to:
            return seal
        if seal is not None and at < seal.valid_from:
            if not explicit:
                return seal
            raise ValidationError(
                {"at": f"签章时间早于{seal.name}的启用时间（{seal.valid_from:%Y-%m-%d %H:%M}）。"}
            )
        try:
            with transaction.atomic():
                if seal is not None:
                    # Conditional: only one of several racing workers retires the expired seal.
                    retired = Seal.objects.filter(pk=seal.pk, status=SealStatus.ACTIVE).update(
                        status=SealStatus.EXPIRED
                    )
                    if not retired:
                        continue
                return _make_seal(department, at)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not obtain a seal for department {department.pk}")


@transaction.atomic
def revoke_seal(seal: Seal, *, by: User | None = None, at: datetime | None = None) -> Seal:
    """Revoke a seal (e.g. its key is compromised). Documents it signed before `at` still verify; the next
    document of the department gets a new seal. Revoking a revoked seal changes nothing."""
    locked = Seal.objects.select_for_update().get(pk=seal.pk)
    if locked.status == SealStatus.REVOKED:
        return locked
    locked.status = SealStatus.REVOKED
    locked.revoked_at = at or now()
    locked.revoked_by = _actor(by)
    locked.save(update_fields=["status", "revoked_at", "revoked_by"])
    return locked


# --------------------------------------------------------------------------- issuing


def _increment(department: Department, kind: str, year: int) -> int | None:
    """One statement: `UPDATE … SET last = last + 1 … RETURNING last` (PostgreSQL; SQLite ≥ 3.35). The UPDATE takes
    the counter's row lock (PostgreSQL) or the write lock (SQLite, IMMEDIATE transactions) before it reads, so two
    issuers never get the same value. None when the counter row does not exist yet."""
    qn = connection.ops.quote_name
    cursor = kept_cursor()
    cursor.execute(
        f"UPDATE {qn(DocumentCounter._meta.db_table)} SET {qn('last')} = {qn('last')} + 1 "
        f"WHERE {qn('department_id')} = %s AND {qn('kind')} = %s AND {qn('year')} = %s RETURNING {qn('last')}",
        [department.pk, kind, year],
    )
    row = cursor.fetchone()
    return int(row[0]) if row else None


def _next_sequence(department: Department, kind: str, year: int) -> int:
    """The next number of the department's kind of document in the year: gapless. The counter row stays locked until
    the caller's transaction ends, and a rolled-back issue gives its number back (no database sequence, which would
    leave gaps on rollback)."""
    last = _increment(department, kind, year)
    if last is not None:
        return last
    try:
        with transaction.atomic():
            DocumentCounter.objects.create(department=department, kind=kind, year=year, last=1)
            return 1
    except IntegrityError:  # another issuer created the year's counter first
        last = _increment(department, kind, year)
        assert last is not None
        return last


def _next_sequences(department: Department, kinds: Sequence[str], year: int) -> dict[str, int]:
    """`_next_sequence` of several kinds at once (a decision's approval and its certificate). On PostgreSQL one
    statement takes them in the order of their kinds, creating a counter the year does not have yet:
    `INSERT … VALUES (<first kind>, 1), (<second kind>, 1) ON CONFLICT (department, kind, year) DO UPDATE SET
    last = last + 1`, whose rows are written, and so locked, one after the other in that order. Every issuer thus
    takes a department's counters in one order, whether they exist already or not, and two decisions taking the
    same two never wait for each other crosswise. (Raising the counters that exist first and creating the missing
    ones after did cross: a decision holding an existing certificate counter waited to create the approval counter
    that another, which had created it, held while it waited for the certificate counter.) A rolled-back issue
    gives its numbers back, the counter it created included. SQLite takes `_next_sequence` for each kind, in the
    same order; its writer's lock serialises issuers anyway, and a statement there costs no round trip."""
    ordered = sorted(set(kinds))
    if len(ordered) > 1 and connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        table, last = qn(DocumentCounter._meta.db_table), qn("last")
        columns = ", ".join(qn(c) for c in ("department_id", "kind", "year"))
        cursor = kept_cursor()
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {last}) VALUES {', '.join(['(%s, %s, %s, 1)'] * len(ordered))} "
            f"ON CONFLICT ({columns}) DO UPDATE SET {last} = {table}.{last} + 1 "
            f"RETURNING {qn('kind')}, {last}",
            [value for kind in ordered for value in (department.pk, kind, year)],
        )
        return {kind: int(value) for kind, value in cursor.fetchall()}
    return {kind: _next_sequence(department, kind, year) for kind in ordered}


def _text(value: Any, field: str, message: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: message})
    return value.strip()


def _clean_content(content: Any, recipient: str, at: datetime) -> dict[str, Any]:
    if not isinstance(content, Mapping):
        raise ValidationError({"content": "文书内容应为字典。"})
    paragraphs = content.get("paragraphs")
    if (
        not isinstance(paragraphs, Sequence)
        or isinstance(paragraphs, str)
        or not paragraphs
        or not all(isinstance(p, str) and p.strip() for p in paragraphs)
    ):
        raise ValidationError({"content": "文书正文应为至少一段非空文字的列表（paragraphs）。"})
    rows: list[list[str]] = []
    for row in content.get("rows") or []:
        if isinstance(row, str) or not isinstance(row, Sequence) or len(row) != 2:
            raise ValidationError({"content": "表格的每一行应为“项目、内容”两列（rows）。"})
        rows.append([str(row[0]), str(row[1])])
    remedies = content.get("remedies") or ""
    if not isinstance(remedies, str):
        raise ValidationError({"content": "救济途径（remedies）应为文字。"})
    day_text = content.get("date") or local_date(at).isoformat()
    try:
        day = date.fromisoformat(str(day_text))
    except ValueError:
        raise ValidationError({"content": f"成文日期“{day_text}”不是 YYYY-MM-DD 格式的日期。"}) from None
    cleaned: dict[str, Any] = {
        "recipient": _text(
            content.get("recipient") or recipient, "recipient", "请填写文书的主送对象（申请人）。"
        ),
        "paragraphs": [p.strip() for p in paragraphs],
        "rows": rows,
        "remedies": remedies.strip(),
        "date": day.isoformat(),
    }
    if content.get("title"):
        cleaned["title"] = _text(content["title"], "content", "文书标题应为文字。")
    return cleaned


def issue_document(
    *,
    kind: str,
    department: Department,
    case_number: str,
    recipient: str,
    content: dict[str, Any],
    by: User | None = None,
    at: datetime | None = None,
    later: bool = False,
) -> Document:
    """Issue a notice: number it and store it, pending the seal. No rendering or signing here, so a case action
    can call it inside its own transaction; `content` is {"recipient", "paragraphs", "rows", "remedies",
    "date", optional "title"} (see the module docstring of render.py for how each is printed). `later`: the row
    may go out with the action's other trailing writes (core.deferred), and then gets no key back."""
    (document,) = issue_documents(
        [(kind, content)],
        department=department,
        case_number=case_number,
        recipient=recipient,
        by=by,
        at=at,
        later=later,
    )
    return document


def issue_documents(
    documents: Sequence[tuple[str, dict[str, Any]]],
    *,
    department: Department,
    case_number: str,
    recipient: str,
    by: User | None = None,
    at: datetime | None = None,
    later: bool = False,
) -> list[Document]:
    """`issue_document` of several documents of one case, each (kind, content), at once — a grant's decision and
    its certificate: their numbers taken together, their rows stored with one INSERT. Two of one kind are refused
    (each kind is numbered once per call)."""
    kinds = [kind for kind, _ in documents]
    for kind in kinds:
        if kind not in DocumentKind.values:
            raise ValidationError({"kind": f"未知的文书种类：{kind}。"})
    if len(set(kinds)) != len(kinds):
        raise ValidationError({"kind": "一次签发的文书种类不能重复。"})
    at = at or now()
    case_number = _text(case_number, "case_number", "请填写办件编号。")
    recipient = _text(recipient, "recipient", "请填写申请人。")
    cleaned = [_clean_content(content, recipient, at) for _, content in documents]
    # No savepoint: inside a case action a failure aborts the whole action anyway, and issuing is on its hot path.
    with transaction.atomic(savepoint=False):
        year = local_date(at).year
        sequences = _next_sequences(department, kinds, year)
        issued = [
            Document(
                number=naming.document_number(department, kind, year, sequences[kind]),
                kind=kind,
                title=(content.get("title") or naming.document_title(kind))[:100],
                case_number=case_number,
                department=department,
                recipient=recipient[:200],
                content=content,
                issued_at=at,
                issued_by=_actor(by),
                status=DocumentStatus.PENDING,
                verify_token=secrets.token_urlsafe(24),
            )
            for kind, content in zip(kinds, cleaned, strict=True)
        ]
        # Document.objects.bulk_create without the ORM's insert compiler (core.compiled)
        insert_objects(issued, later=later)
        return issued


# --------------------------------------------------------------------------- sealing

SEALED_FIELDS = ["status", "sealed_at", "seal", "pdf", "sha", "signature"]


def _seal_locked(document: Document, at: datetime | None) -> None:
    """Render and sign a document whose row the caller holds locked; `at` None means now."""
    seal = ensure_seal(document.department, at=at)
    if at is None:
        # Never sign before the seal's start, even when another worker made it a moment ago by its clock.
        at = max(now(), seal.valid_from)
    pdf = render.render_document(document, seal)
    signed, block = signing.sign_pdf(pdf, number=document.number, seal=seal, at=at)
    document.status = DocumentStatus.SEALED
    document.sealed_at = at
    document.seal = seal
    document.pdf = signed
    document.sha = block["hash"]
    document.signature = block
    document.save(update_fields=SEALED_FIELDS)


def seal_document(document: Document, *, at: datetime | None = None) -> Document:
    """Render and sign a pending document with its department's seal. A sealed document is returned as it is.
    The passed instance is updated too, so a caller holding it sees the seal."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status != DocumentStatus.SEALED:
            _seal_locked(locked, at)
    if locked is not document:
        for name in SEALED_FIELDS:
            setattr(document, name, getattr(locked, name))
    return locked


def seal_pending(*, limit: int = 100) -> int:
    """Seal up to `limit` pending documents, oldest first; returns how many this call sealed.

    Workers on several machines may run it at once: each claims rows with SELECT … FOR UPDATE SKIP LOCKED, so
    no document is sealed twice and nobody waits for another's batch. (SQLite has no row locks; its single
    writer gives the same guarantee.) A document that fails to render does not stop the batch: it stays pending,
    the failure is recorded (core.worker) and it is not tried again before its back-off has passed."""
    sealed = 0
    at = now()
    failed: set[int] = {int(pk) for pk in deferred_ids(Document, at=at)}
    while sealed < limit:
        with transaction.atomic():
            batch = list(
                Document.objects.select_for_update(skip_locked=True)
                .filter(status=DocumentStatus.PENDING)
                .exclude(pk__in=failed)
                .order_by("issued_at", "pk")[: min(SEAL_BATCH, limit - sealed)]
            )
            if not batch:
                break
            for document in batch:
                try:
                    with transaction.atomic():
                        _seal_locked(document, None)
                except Exception as exc:
                    failed.add(document.pk)
                    record_row_failure(document, exc, task="seal_documents", at=at)
                else:
                    sealed += 1
    return sealed


def sealed_pdf(document: Document) -> bytes:
    """The final file: sealed now if the worker has not got to it yet."""
    if document.status != DocumentStatus.SEALED or not document.pdf:
        document = seal_document(document)
    return bytes(document.pdf or b"")
