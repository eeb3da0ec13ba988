"""The SM2/SM3 primitives live in `govhall.core.crypto` (the audit checkpoints sign with them too); the seal code
keeps importing them from here."""

from govhall.core.crypto import (
    PUBLIC_KEY_HEX_LENGTH,
    SIGNATURE_HEX_LENGTH,
    canonical_json,
    generate_keypair,
    key_id,
    sign,
    sm3_hex,
    verify,
)

__all__ = [
    "PUBLIC_KEY_HEX_LENGTH",
    "SIGNATURE_HEX_LENGTH",
    "canonical_json",
    "generate_keypair",
    "key_id",
    "sign",
    "sm3_hex",
    "verify",
]
