"""SM2/SM3 primitives (GB/T 32918, GB/T 32905) and the canonical encoding every signature covers.

SM3 comes from OpenSSL through hashlib when it offers it (about 50x faster than pure Python) and from gmssl
otherwise. SM2 signatures are gmssl's `sign_with_sm3` (the SM3 digest of Z_A || message, Z_A with the default
user ID 1234567812345678), encoded as the 64-byte r || s in hex."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from gmssl import func, sm2, sm3

_CURVE = sm2.default_ecc_table
_ORDER = int(_CURVE["n"], 16)
SIGNATURE_HEX_LENGTH = 128
PUBLIC_KEY_HEX_LENGTH = 128


def _hashlib_sm3_available() -> bool:
    try:
        hashlib.new("sm3", b"abc")
    except ValueError:
        return False
    return True


_HASHLIB_SM3 = _hashlib_sm3_available()


def sm3_hex(data: bytes) -> str:
    if _HASHLIB_SM3:
        return hashlib.new("sm3", data).hexdigest()
    return str(sm3.sm3_hash(func.bytes_to_list(data)))


_SM3_BLOCK = 64  # bytes: the HMAC block size of SM3 (GB/T 32905), as for SHA-256


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    """HMAC-SM3 (GB/T 15852.2 / RFC 2104 construction over SM3), through hashlib when OpenSSL offers SM3 and by the
    same construction over gmssl's SM3 otherwise; both give the same digest."""
    if _HASHLIB_SM3:
        return hmac.new(key, data, "sm3").hexdigest()
    if len(key) > _SM3_BLOCK:
        key = bytes.fromhex(sm3_hex(key))
    key = key.ljust(_SM3_BLOCK, b"\x00")
    inner = bytes.fromhex(sm3_hex(bytes(b ^ 0x36 for b in key) + data))
    return sm3_hex(bytes(b ^ 0x5C for b in key) + inner)


def canonical_json(value: Any) -> bytes:
    """The one byte encoding a signature covers: sorted keys, no spaces, UTF-8 (not \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def generate_keypair() -> tuple[str, str]:
    """(private key hex, public key hex x||y) with the private key uniform in [1, n-2]."""
    private = secrets.randbelow(_ORDER - 2) + 1
    signer = sm2.CryptSM2(private_key="", public_key="")
    public = signer._kg(private, _CURVE["g"])
    return f"{private:064x}", public


def _signer(*, private_key: str = "", public_key: str = "") -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key=private_key, public_key="")
    # Set after construction: gmssl's constructor strips a "04" prefix with lstrip("04"), which would also eat
    # the leading 0s and 4s of a key that happens to start with them.
    crypt.public_key = public_key
    return crypt


def sign(private_key: str, public_key: str, data: bytes) -> str:
    return str(_signer(private_key=private_key, public_key=public_key).sign_with_sm3(data))


def verify(public_key: str, signature: str, data: bytes) -> bool:
    """False for a wrong signature and for anything that is not a well-formed key or signature."""
    if not (_is_hex(public_key, PUBLIC_KEY_HEX_LENGTH) and _is_hex(signature, SIGNATURE_HEX_LENGTH)):
        return False
    # gmssl leaves the range check of GB/T 32918.2 (r, s in [1, n-1]) to the caller.
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    if not (0 < r < _ORDER and 0 < s < _ORDER):
        return False
    try:
        return bool(_signer(public_key=public_key).verify_with_sm3(signature, data))
    except (ValueError, TypeError, ZeroDivisionError):
        return False


def _is_hex(value: Any, length: int) -> bool:
    if not isinstance(value, str) or len(value) != length:
        return False
    try:
        int(value, 16)
    except ValueError:
        return False
    return True


def key_id(public_key: str) -> str:
    """A short stable name for a public key (the first 16 hex digits of its SM3)."""
    return sm3_hex(public_key.encode("ascii"))[:16]
