"""Signed short tokens: a case's rating link (QR code on notices, SMS) and a window's rating device key.

A token is the object's id in base 62 and 12 characters of an HMAC over it (Django's SECRET_KEY, a salt per use):
short enough for an SMS, impossible to guess, and holding it is the proof that one is the applicant the notice or
message was given to (the same standing as the check code)."""

from __future__ import annotations

import base64
import hmac

from django.utils.crypto import salted_hmac

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
CASE_SALT = "govhall.ratings.case-link"
DEVICE_SALT = "govhall.ratings.window-device"


def _b62(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 62)
        out = _ALPHABET[r] + out
        if n == 0:
            return out


def _from_b62(text: str) -> int | None:
    if not text or len(text) > 12 or any(c not in _ALPHABET for c in text):
        return None
    n = 0
    for c in text:
        n = n * 62 + _ALPHABET.index(c)
    return n


def _mac(salt: str, value: str) -> str:
    digest = salted_hmac(salt, value, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:12].replace("-", "x").replace("_", "y")


def make(salt: str, pk: int) -> str:
    ident = _b62(pk)
    return f"{ident}{_mac(salt, ident)}"


def read(salt: str, token: str) -> int | None:
    """The id a token was made for, or None when it was not made here (any tampering)."""
    token = (token or "").strip()
    if len(token) < 13 or len(token) > 24:
        return None
    ident, mac = token[:-12], token[-12:]
    pk = _from_b62(ident)
    if pk is None or not hmac.compare_digest(mac, _mac(salt, ident)):
        return None
    return pk


def case_token(case_pk: int) -> str:
    return make(CASE_SALT, case_pk)


def device_key(window_pk: int) -> str:
    return make(DEVICE_SALT, window_pk)
