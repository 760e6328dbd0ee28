"""Encryption and keyed hashing of personal identifiers, and the audit chain's key.

Keys are derived from `ONESTOP_DATA_KEY` with HKDF, one per purpose, so a key leaked for one
purpose reveals nothing about the others. Id numbers are sealed with AES-GCM and bound to their
case (the case id is the associated data), so a ciphertext copied to another row fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


@lru_cache(maxsize=32)
def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for `purpose`, derived from the data key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"onestop", info=purpose.encode()
    ).derive(secret.encode())


def seal(secret: str, purpose: str, plaintext: bytes, context: bytes) -> bytes:
    """AES-GCM with the key of `purpose`: nonce followed by ciphertext and tag, bound to
    `context` (associated data), so the result opens only in the same context."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(derive_key(secret, purpose)).encrypt(nonce, plaintext, context)


def unseal(secret: str, purpose: str, blob: bytes, context: bytes) -> bytes:
    """Open what `seal` made; raises if the blob or its context was altered."""
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    return AESGCM(derive_key(secret, purpose)).decrypt(nonce, sealed, context)


def seal_id_number(secret: str, number: str, case_id: uuid.UUID) -> bytes:
    """Encrypt an id number for one case (the case id is the associated data)."""
    return seal(secret, "id-number-encryption", number.encode(), case_id.bytes)


def open_id_number(secret: str, blob: bytes, case_id: uuid.UUID) -> str:
    """Decrypt an id number sealed for `case_id`; raises if it was moved or altered."""
    return unseal(secret, "id-number-encryption", blob, case_id.bytes).decode()


def id_number_hash(secret: str, number: str) -> str:
    """A keyed hash of a normalised id number, for duplicate lookup without decryption."""
    key = derive_key(secret, "id-number-lookup")
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def mask_id_number(last4: str | None) -> str | None:
    """What volunteers and agencies see of an id number."""
    if not last4:
        return None
    return "*" * 9 + last4


def audit_key(secret: str) -> bytes:
    return derive_key(secret, "case-event-chain")
