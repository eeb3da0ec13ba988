"""Signed checkpoints of the audit trail: the case ledger and the configuration log, anchored outside the database.

A checkpoint names, for each chain, the sequence number and hash of its head at one instant, signed with SM2 by a
key kept in a file (`GOVHALL_CHECKPOINT_KEY`), never in the database. Each checkpoint is one small JSON file in an
append-only directory (`GOVHALL_CHECKPOINT_DIR`), created exclusively and never rewritten, numbered from 1 without
gaps; the operator ships the directory to write-once storage and the public page `/audit/checkpoints/` lets third
parties keep copies. Because every entry's hash covers all the entries before it, a checkpoint pins the whole prefix
of each chain: whoever rewrites, deletes, inserts or renumbers entries up to a checkpointed sequence must also forge
a signature (without the key) and every published copy. Entries after the last checkpoint are protected by their MAC
(keyed outside the database, see govhall/core/hashchain.py) until the next checkpoint, made every
`GOVHALL_CHECKPOINT_MINUTES` or `GOVHALL_CHECKPOINT_ENTRIES`: an entry appended with SQL is refused before signing.
Deleting the newest entries after the last checkpoint is the limit: only the heads the worker saw at its last round
(`SEEN_HEADS_FILE`, outside the database) name them."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from govhall.core import audit as config_log
from govhall.core import clock, crypto
from govhall.core.hashchain import GENESIS_HASH, ChainReport, ChainSource, utc_iso, walk
from govhall.core.models import AuditHead

from . import actions as ledger
from .models import LedgerHead

logger = logging.getLogger(__name__)

# The chains one checkpoint covers, by the name it signs them under.
CHAINS: dict[str, ChainSource] = {"ledger": ledger.CHAIN, "config": config_log.CHAIN}
CHAIN_LABELS = {"ledger": "办件审计链", "config": "操作日志链"}
FILE_SUFFIX = ".json"


class CheckpointError(Exception):
    """A checkpoint cannot be made (no key, or the trail is already broken); the message is Chinese."""


@dataclass(frozen=True)
class CheckpointKey:
    private_key: str
    public_key: str

    @property
    def key_id(self) -> str:
        return crypto.key_id(self.public_key)


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint file as read: `chains` maps a chain name to {"seq": int, "hash": str}."""

    number: int
    at: str
    chains: dict[str, dict[str, Any]]
    key_id: str
    signature: str
    path: Path

    def body(self) -> dict[str, Any]:
        """What the signature covers: the number, the time, each chain's name, head seq and head hash, the key."""
        return {"number": self.number, "at": self.at, "chains": self.chains, "key_id": self.key_id}

    def as_json(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    def signed_by(self, public_key: str) -> bool:
        return self.key_id == crypto.key_id(public_key) and crypto.verify(
            public_key, self.signature, crypto.canonical_json(self.body())
        )


# --- the key ---------------------------------------------------------------------------------------------------


def key_path() -> Path:
    return Path(settings.GOVHALL_CHECKPOINT_KEY)


def checkpoint_dir() -> Path:
    return Path(settings.GOVHALL_CHECKPOINT_DIR)


def load_key(path: Path | None = None) -> CheckpointKey | None:
    """The key in the key file, or None when there is no key file."""
    path = path or key_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return CheckpointKey(private_key=str(data["private_key"]), public_key=str(data["public_key"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"检查点密钥文件 {path} 无法读取：{exc}") from exc


def public_key_path(path: Path | None = None) -> Path:
    """Beside the key file, the public key alone: the web servers and verify_audit need only this one."""
    path = path or key_path()
    return path.with_name(path.name + ".pub")


def load_public_key() -> str | None:
    """The published public key (the .pub file, else the key file's), or None when there is no key yet."""
    try:
        return public_key_path().read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = load_key()
        return key.public_key if key is not None else None
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"检查点公钥文件 {public_key_path()} 无法读取：{exc}") from exc


def create_key(path: Path | None = None) -> tuple[CheckpointKey, bool]:
    """(the key, True) after writing a new key file readable by its owner only; (the existing key, False) when the
    file is already there: a key is never replaced, or every earlier checkpoint would stop verifying."""
    path = path or key_path()
    existing = load_key(path)
    if existing is not None:
        return existing, False
    private, public = crypto.generate_keypair()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"algorithm": "SM2", "private_key": private, "public_key": public}, indent=2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    public_key_path(path).write_text(public + "\n", encoding="ascii")
    return CheckpointKey(private, public), True


# --- reading checkpoint files ------------------------------------------------------------------------------------


@dataclass
class Directory:
    """The checkpoints of one directory by number, and the files that could not be read as one."""

    path: Path
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def _parse(path: Path) -> Checkpoint:
    data = json.loads(path.read_text(encoding="utf-8"))
    chains = {
        str(name): {"seq": int(head["seq"]), "hash": str(head["hash"])}
        for name, head in dict(data["chains"]).items()
    }
    checkpoint = Checkpoint(
        number=int(data["number"]),
        at=str(data["at"]),
        chains=chains,
        key_id=str(data["key_id"]),
        signature=str(data["signature"]),
        path=path,
    )
    if path.name != _file_name(checkpoint.number):
        raise ValueError(f"文件名与其中的编号 {checkpoint.number} 不符")
    return checkpoint


def _file_name(number: int) -> str:
    return f"{number:08d}{FILE_SUFFIX}"


def read_directory(path: Path) -> Directory:
    directory = Directory(path)
    if not path.is_dir():
        return directory
    for file in sorted(path.glob(f"*{FILE_SUFFIX}")):
        try:
            checkpoint = _parse(file)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            directory.unreadable.append((file, str(exc)))
            continue
        directory.checkpoints[checkpoint.number] = checkpoint
    return directory


def _numbered_files() -> list[tuple[int, Path]]:
    directory = checkpoint_dir()
    if not directory.is_dir():
        return []
    files = []
    for file in directory.glob(f"*{FILE_SUFFIX}"):
        stem = file.name.removesuffix(FILE_SUFFIX)
        if stem.isdigit():
            files.append((int(stem), file))
    return sorted(files)


def _readable(files: list[tuple[int, Path]]) -> list[Checkpoint]:
    checkpoints = []
    for _, file in files:
        try:
            checkpoints.append(_parse(file))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # verify_audit names unreadable files; the public page shows the others
    return checkpoints


def published(*, after: int = 0, limit: int | None = None) -> list[Checkpoint]:
    """The checkpoints of the checkpoint directory numbered above `after`, in order, at most `limit` (only those
    files are read: the public page stays cheap however many there are)."""
    files = [(n, f) for n, f in _numbered_files() if n > after]
    return _readable(files[:limit] if limit is not None else files)


def recent(limit: int) -> tuple[list[Checkpoint], int]:
    """The last `limit` checkpoints, newest first, and how many files there are."""
    files = _numbered_files()
    return list(reversed(_readable(files[-limit:]))), len(files)


def latest() -> Checkpoint | None:
    """The highest-numbered readable checkpoint of the checkpoint directory (without reading the others)."""
    directory = checkpoint_dir()
    if not directory.is_dir():
        return None
    for file in sorted(directory.glob(f"*{FILE_SUFFIX}"), reverse=True):
        try:
            return _parse(file)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return None


# --- verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailReport:
    """Result of `verify_trail()`: each chain's own report, how many checkpoints were found consistent, and when
    something diverged, `problem` (Chinese, naming it) and `detail` (lines for people)."""

    ok: bool
    chains: dict[str, ChainReport]
    checkpoints: int = 0
    problem: str = ""
    detail: str = ""


def _first_chain_problem(reports: dict[str, ChainReport]) -> TrailReport | None:
    for name, report in reports.items():
        if not report.ok:
            detail = report.entry_summary
            if report.first_bad_seq is not None:
                detail = f"问题记录：第 {report.first_bad_seq} 条\n{detail}"
            detail += f"\n此前已核验完好的记录：{report.checked} 条"
            return TrailReport(False, reports, 0, f"{CHAIN_LABELS[name]}：{report.reason_zh}", detail.strip())
    return None


def _check_one(
    checkpoint: Checkpoint, reports: dict[str, ChainReport], previous: Checkpoint | None, public_key: str
) -> str:
    """The problem with one checkpoint against the chains (empty when it is consistent)."""
    n = checkpoint.number
    if not checkpoint.signed_by(public_key):
        return f"第 {n} 个检查点（{checkpoint.path}）的签名无效（检查点文件被伪造或改写，或不是用本平台的检查点密钥签名）"
    for name, source in CHAINS.items():
        label = CHAIN_LABELS[name]
        head = checkpoint.chains.get(name)
        if head is None:
            return f"第 {n} 个检查点没有登记{label}"
        seq, expected = head["seq"], head["hash"]
        if previous is not None and seq < previous.chains.get(name, {"seq": 0})["seq"]:
            return f"第 {n} 个检查点登记的{label}序号 {seq} 小于第 {previous.number} 个检查点的序号（检查点被调换）"
        length = reports[name].checked
        if seq > length:
            gone = f"第 {seq} 条" if seq == length + 1 else f"第 {length + 1}–{seq} 条"
            return f"{label}现只有 {length} 条记录，短于第 {n} 个检查点登记的 {seq} 条（{gone}记录被删除，链头被改写）"
        row = source.row_at(seq) if seq else None
        actual = row["hash"] if row is not None else GENESIS_HASH
        if actual != expected:
            where = f"\n现存{source.describe(row)}" if row is not None else ""
            return (
                f"{label}第 {seq} 条记录的哈希与第 {n} 个检查点（{checkpoint.at}）签名的哈希不符"
                f"（检查点之前的记录被改写并重新链接、删除、插入或重新编号）{where}"
            )
    return ""


def verify_trail(
    *,
    extra_dirs: list[Path] | None = None,
    public_key: str | None = None,
    chunk: int = 5000,
    require_anchors: bool = True,
) -> TrailReport:
    """Verify both chains, then every checkpoint (of the checkpoint directory and of `extra_dirs`, the published
    copies) against them; report the first divergence. With `require_anchors` (all but the checkpoint writer itself),
    entries left without a checkpoint longer than `anchor_grace()` while a key exists are a divergence too."""
    reports = {name: walk(source, chunk=chunk) for name, source in CHAINS.items()}
    broken = _first_chain_problem(reports)
    if broken is not None:
        return broken
    directories = [read_directory(checkpoint_dir()), *(read_directory(Path(d)) for d in extra_dirs or [])]
    for directory in directories:
        if directory.unreadable:
            path, why = directory.unreadable[0]
            return TrailReport(False, reports, 0, f"检查点文件 {path} 无法读取（{why}）")
    numbers = sorted({n for d in directories for n in d.checkpoints})
    if not numbers:
        # Deleting every checkpoint file must not read as "intact": once a key exists the worker anchors the trail,
        # so entries old enough to have been anchored but with no checkpoint at all mean the files were removed.
        if public_key is None:
            try:
                public_key = load_public_key()
            except CheckpointError as exc:
                return TrailReport(False, reports, 0, str(exc))
        if require_anchors and public_key is not None:
            overdue = _unanchored(reports, None)
            if overdue:
                return TrailReport(False, reports, 0, overdue)
        return TrailReport(True, reports)
    if public_key is None:
        try:
            public_key = load_public_key()
        except CheckpointError as exc:
            return TrailReport(False, reports, 0, str(exc))
        if public_key is None:
            return TrailReport(
                False,
                reports,
                0,
                f"有 {len(numbers)} 个检查点，但找不到检查点公钥（GOVHALL_CHECKPOINT_KEY={key_path()}），无法核验；"
                "请用 --public-key 指定已公布的公钥",
            )
    local = directories[0]
    previous: Checkpoint | None = None
    for count, n in enumerate(range(1, numbers[-1] + 1)):
        copies = [d.checkpoints[n] for d in directories if n in d.checkpoints]
        if not copies:
            return TrailReport(
                False, reports, count, f"第 {n} 个检查点文件缺失（检查点编号不连续，文件被删除）"
            )
        for copy in copies:
            problem = _check_one(copy, reports, previous, public_key)
            if problem:
                return TrailReport(False, reports, count, problem)
        if any(copy.as_json() != copies[0].as_json() for copy in copies):
            paths = "、".join(str(c.path) for c in copies)
            return TrailReport(False, reports, count, f"第 {n} 个检查点的各份副本内容不同：{paths}")
        if n not in local.checkpoints:
            return TrailReport(
                False,
                reports,
                count,
                f"第 {n} 个检查点文件在检查点目录 {local.path} 中缺失（发布副本 {copies[0].path} 中仍有，文件被删除）",
            )
        previous = copies[0]
    count = len(range(1, numbers[-1] + 1))
    overdue = _unanchored(reports, previous) if require_anchors else ""
    if overdue:
        return TrailReport(False, reports, count, overdue)
    return TrailReport(True, reports, count)


# The time each chain's entries carry, to tell how long an entry has waited for a checkpoint.
TIME_FIELDS = {"ledger": "at", "config": "created_at"}


def anchor_grace() -> dt.timedelta:
    """How long an entry may wait for its checkpoint: the worker writes one every `GOVHALL_CHECKPOINT_MINUTES` when
    anything was appended, plus a margin of twice that for a slow or restarting worker."""
    return dt.timedelta(minutes=3 * settings.GOVHALL_CHECKPOINT_MINUTES)


def _key_made() -> dt.datetime | None:
    for path in (public_key_path(), key_path()):
        try:
            return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        except OSError:
            continue
    return None


def _unanchored(reports: dict[str, ChainReport], newest: Checkpoint | None) -> str:
    """The problem when an entry has waited longer than `anchor_grace()` without a checkpoint covering it (empty
    otherwise). Only asked when a checkpoint key exists: then the worker anchors every entry within the interval, so
    an old unanchored entry means the newest checkpoint files (or all of them) were deleted, or the worker stopped.
    A young trail (a fresh install, the first minutes after the key was made) has nothing overdue."""
    deadline = clock.now() - anchor_grace()
    if newest is None:
        # Entries older than the key could not be anchored before it existed: the grace runs from the key's making.
        made = _key_made()
        if made is not None and made >= deadline:
            return ""
    minutes = anchor_grace().total_seconds() / 60
    for name, source in CHAINS.items():
        covered = newest.chains.get(name, {"seq": 0})["seq"] if newest is not None else 0
        if reports[name].checked <= covered:
            continue
        row = source.row_at(covered + 1)
        if row is None:
            continue
        at = row[TIME_FIELDS[name]]
        if at >= deadline:
            continue
        label = CHAIN_LABELS[name]
        since = (
            f"第 {newest.number} 个检查点（{newest.at}）之后" if newest is not None else "一个检查点都没有，"
        )
        return (
            f"{since}{label}第 {covered + 1} 条起的记录（最早的写于 {utc_iso(at)}）超过 {minutes:g} 分钟仍无检查点覆盖"
            f"（检查点每 {settings.GOVHALL_CHECKPOINT_MINUTES} 分钟一个）：较新的检查点文件被删除，或写检查点的任务"
            "（run_jobs）已停止"
        )
    return ""


# --- writing checkpoints -----------------------------------------------------------------------------------------


def make_checkpoint(*, force: bool = False) -> Checkpoint | None:
    """Verify the whole trail and sign a checkpoint of its heads; None when nothing was appended since the last one
    (unless `force`) or when another worker wrote the same number first.

    Refuses (CheckpointError) when there is no key or the trail no longer verifies — a link, a hash or an entry's MAC
    (an entry appended with SQL after the last checkpoint): signing a damaged chain would bless the damage."""
    key = load_key()
    if key is None:
        raise CheckpointError(f"检查点密钥文件 {key_path()} 不存在：请先运行 manage.py checkpoint_key")
    # Anchor everything committed: the entries still waiting for the linker are linked first.
    ledger.link()
    seen = seen_heads()
    # Not require_anchors: an overdue checkpoint is exactly what this call writes.
    report = verify_trail(public_key=key.public_key, require_anchors=False)
    if not report.ok:
        raise CheckpointError(f"审计链核验未通过，不写检查点：{report.problem}")
    behind = _behind(seen, {name: r.checked for name, r in report.chains.items()})
    if behind:
        raise CheckpointError(f"审计链核验未通过，不写检查点：{behind}")
    chains = {name: {"seq": r.checked, "hash": r.head_hash} for name, r in report.chains.items()}
    last = latest()
    if last is not None and last.chains == chains and not force:
        return None
    number = last.number + 1 if last else 1
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / _file_name(number)
    unsigned = Checkpoint(number, utc_iso(clock.now()), chains, key.key_id, "", path)
    signature = crypto.sign(key.private_key, key.public_key, crypto.canonical_json(unsigned.body()))
    checkpoint = Checkpoint(number, unsigned.at, chains, key.key_id, signature, path)
    text = json.dumps(checkpoint.as_json(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    try:
        # Exclusive create: a checkpoint file is written once and never replaced (another worker may have won).
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        return None
    return checkpoint


# The heads the worker saw at its last round, kept beside the checkpoints (not a *.json file: not a checkpoint) and
# outside the database. Entries deleted after the last checkpoint leave no trace a MAC or a signature could show;
# this file narrows that window from one checkpoint interval to one worker round. Replaced, never appended to.
SEEN_HEADS_FILE = "heads-seen.state"


def seen_heads() -> dict[str, int]:
    try:
        data = json.loads((checkpoint_dir() / SEEN_HEADS_FILE).read_text(encoding="utf-8"))
        return {str(name): int(seq) for name, seq in data.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        logger.error("检查点目录中的链头记录 %s 无法读取：%s", SEEN_HEADS_FILE, exc)
        return {}


def _remember_heads(heads: dict[str, int]) -> None:
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{SEEN_HEADS_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(heads, sort_keys=True), encoding="utf-8")
    os.replace(temporary, directory / SEEN_HEADS_FILE)


def _behind(seen: dict[str, int], heads: dict[str, int]) -> str:
    """Chinese text naming the first chain now shorter than the worker saw it, or ""."""
    for name, seq in heads.items():
        if seq < seen.get(name, 0):
            return (
                f"{CHAIN_LABELS[name]}现只到第 {seq} 条，短于检查点工作进程此前见到的第 {seen[name]} 条"
                f"（第 {seq + 1} 条起的末尾记录被删除，链头被改写）"
            )
    return ""


def _heads() -> dict[str, int]:
    ledger_head = LedgerHead.objects.filter(pk=ledger.HEAD_PK).values_list("seq", flat=True).first() or 0
    config_head = AuditHead.objects.filter(pk=config_log.HEAD_PK).values_list("seq", flat=True).first() or 0
    return {"ledger": ledger_head, "config": config_head}


_warned_no_key = False


def checkpoint_due() -> int:
    """The worker's job: write a checkpoint when `GOVHALL_CHECKPOINT_ENTRIES` entries were appended since the last
    one, or `GOVHALL_CHECKPOINT_MINUTES` passed and anything was; returns 1 when one was written, else 0."""
    global _warned_no_key
    if not key_path().exists():
        if not _warned_no_key:
            logger.warning(
                "检查点密钥文件 %s 不存在，不写审计链检查点（运行 manage.py checkpoint_key）", key_path()
            )
            _warned_no_key = True
        return 0
    ledger.link()  # count (and anchor) what the actions wrote since the linker's last round too
    # The file first, then the database: heads only grow, so another worker's newer file cannot look ahead of us.
    seen = seen_heads()
    heads = _heads()
    behind = _behind(seen, heads)
    if behind:
        logger.error("审计链检查点未写入：%s", behind)
        return 0
    _remember_heads({name: max(seq, seen.get(name, 0)) for name, seq in heads.items()})
    last = latest()
    new = sum(seq - (last.chains.get(name, {"seq": 0})["seq"] if last else 0) for name, seq in heads.items())
    if new <= 0:
        return 0
    if last is not None and new < settings.GOVHALL_CHECKPOINT_ENTRIES:
        age = clock.now() - dt.datetime.fromisoformat(last.at)
        if age < dt.timedelta(minutes=settings.GOVHALL_CHECKPOINT_MINUTES):
            return 0
    try:
        return 1 if make_checkpoint() is not None else 0
    except CheckpointError:
        # The trail is damaged: leave the last good checkpoint as the anchor and say so loudly.
        logger.exception("审计链检查点未写入")
        return 0
