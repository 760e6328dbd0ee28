"""Encryption and keyed hashing of personal identifiers, and the audit chain's key.

Keys are derived from a data key with HKDF, one per purpose, so a key leaked for one purpose
reveals nothing about the others. Id numbers are sealed with AES-GCM and bound to their case
(the case id is the associated data), so a ciphertext copied to another row fails to open.

Data keys have ids. Everything made with a key names it: ciphertexts start with `k<id>:`
(bytes), keyed hashes and chain values are `k<id>:<hex>`. New values use the current key;
older values open or verify with the previous keys still configured (`DataKey.previous`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
DEFAULT_KEY_ID = "1"
# Short, so a label and a hex SHA-256 fit the 96-character keyed-value columns.
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
ID_NUMBER_PURPOSE = "id-number-encryption"
LOOKUP_PURPOSE = "id-number-lookup"
CHAIN_PURPOSE = "case-event-chain"

log = logging.getLogger("onestop.crypto")


class UnknownKey(LookupError):
    """A value names a key id that is not configured (or names none)."""


class DataKey(str):
    """The current data key. Its value is the secret itself, so it goes wherever a secret did;
    it also knows its id and the previous keys, kept to open and verify older values."""

    key_id: str
    previous: Mapping[str, str]

    def __new__(
        cls,
        secret: str,
        *,
        key_id: str = DEFAULT_KEY_ID,
        previous: Mapping[str, str] | None = None,
    ) -> DataKey:
        key = super().__new__(cls, secret)
        key.key_id = key_id
        key.previous = dict(previous or {})
        return key

    def __repr__(self) -> str:
        # Settings are printed in tracebacks and debuggers: name the keys, never show them.
        return f"DataKey(key_id={self.key_id!r}, previous={sorted(self.previous)!r})"

    def secret_for(self, key_id: str) -> str:
        """The secret of `key_id`, current or previous."""
        if key_id == self.key_id:
            return str(self)
        try:
            return self.previous[key_id]
        except KeyError:
            raise UnknownKey(key_id) from None

    @property
    def key_ids(self) -> list[str]:
        """Every configured key id, the current one first."""
        return [self.key_id, *(k for k in self.previous if k != self.key_id)]


def data_key(secret: str) -> DataKey:
    """`secret` as a `DataKey`; a bare secret is key `1` with no previous keys."""
    return secret if isinstance(secret, DataKey) else DataKey(secret)


def label(key_id: str) -> str:
    """The prefix that names the key of a stored value."""
    return f"k{key_id}:"


def key_id_of(value: str | bytes) -> str:
    """The key id a stored value names; raises `UnknownKey` when it names none."""
    head = value[:20].decode(errors="replace") if isinstance(value, bytes) else value[:20]
    key_id, colon, _ = head[1:].partition(":")
    if not head.startswith("k") or not colon or not KEY_ID_PATTERN.match(key_id):
        raise UnknownKey("no key id")
    return key_id


@lru_cache(maxsize=32)
def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for `purpose`, derived from a data key's secret."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"onestop", info=purpose.encode()
    ).derive(secret.encode())


def seal(secret: str, purpose: str, plaintext: bytes, context: bytes) -> bytes:
    """AES-GCM with the current key of `purpose`: its label, the nonce, then ciphertext and
    tag, bound to `context` (associated data), so the result opens only in the same context."""
    key = data_key(secret)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(derive_key(str(key), purpose)).encrypt(nonce, plaintext, context)
    return label(key.key_id).encode() + nonce + sealed


def unseal(secret: str, purpose: str, blob: bytes, context: bytes) -> bytes:
    """Open what `seal` made with any configured key; raises `UnknownKey` for a key that is
    not configured and `InvalidTag` if the blob or its context was altered."""
    key_id = key_id_of(blob)
    body = blob[len(label(key_id)) :]
    nonce, sealed = body[:NONCE_BYTES], body[NONCE_BYTES:]
    secret_of_key = data_key(secret).secret_for(key_id)
    return AESGCM(derive_key(secret_of_key, purpose)).decrypt(nonce, sealed, context)


def seal_id_number(secret: str, number: str, case_id: uuid.UUID) -> bytes:
    """Encrypt an id number for one case (the case id is the associated data)."""
    return seal(secret, ID_NUMBER_PURPOSE, number.encode(), case_id.bytes)


def open_id_number(secret: str, blob: bytes, case_id: uuid.UUID) -> str | None:
    """Decrypt an id number sealed for `case_id`; None when its key is no longer configured,
    or when it does not open under the key it names (the key's secret was changed without a new
    key id, or the value was moved or altered): readers are answered, and the log says which
    case (never a value)."""
    try:
        return unseal(secret, ID_NUMBER_PURPOSE, blob, case_id.bytes).decode()
    except UnknownKey as error:
        log.warning("id number of case %s names key %s, which is not configured", case_id, error)
        return None
    except InvalidTag:
        log.error(
            "id number of case %s does not open under the key it names: the key's secret "
            "changed without a new key id, or the value was altered",
            case_id,
        )
        return None


def _lookup_hash(secret: str, key_id: str, number: str) -> str:
    key = derive_key(data_key(secret).secret_for(key_id), LOOKUP_PURPOSE)
    return label(key_id) + hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def id_number_hash(secret: str, number: str) -> str:
    """A keyed hash of a normalised id number under the current key, for duplicate lookup
    without decryption."""
    return _lookup_hash(secret, data_key(secret).key_id, number)


def id_number_hashes(secret: str, number: str) -> list[str]:
    """The keyed hash under every configured key: what a lookup matches (with IN) while a
    rotation has re-hashed some rows and not yet others."""
    return [_lookup_hash(secret, key_id, number) for key_id in data_key(secret).key_ids]


def mask_id_number(last4: str | None) -> str | None:
    """What volunteers and agencies see of an id number."""
    if not last4:
        return None
    return "*" * 9 + last4


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The audit chain's keys: the current one signs, any configured one verifies."""

    data_key: DataKey

    @property
    def key_id(self) -> str:
        return self.data_key.key_id

    def sign(self, message: bytes) -> str:
        """`k<id>:` and the HMAC-SHA256 of `message` under the current key."""
        return self._mac(self.key_id, message)

    def verify(self, value: str, message: bytes) -> bool:
        """Whether `value` is the HMAC of `message` under the key it names; raises
        `UnknownKey` when that key is not configured."""
        return hmac.compare_digest(self._mac(key_id_of(value), message), value)

    def _mac(self, key_id: str, message: bytes) -> str:
        key = derive_key(self.data_key.secret_for(key_id), CHAIN_PURPOSE)
        return label(key_id) + hmac.new(key, message, hashlib.sha256).hexdigest()


def audit_key(secret: str) -> AuditKey:
    """The keys of the case event chains and their anchors."""
    return AuditKey(data_key(secret))


def digest_of(value: str) -> str:
    """A stored value without its key label (a value with no label is returned whole)."""
    try:
        return value[len(label(key_id_of(value))) :]
    except UnknownKey:
        return value
