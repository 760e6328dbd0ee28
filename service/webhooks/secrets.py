"""Endpoint signing secrets: made the Standard Webhooks way, sealed at rest, opened to sign.

A secret is `whsec_` and the base64 of 32 random bytes (the standard asks for 24 to 64). It is
sealed with the data key (AES-GCM, bound to the endpoint's service id, naming the key that
sealed it), shown once to whoever makes it and never again: a lost secret is replaced. A key
rotation re-seals it under the current key (`service.platform.key_rotation`).
"""

from __future__ import annotations

import base64
import secrets
import uuid

from standardwebhooks.webhooks import Webhook

from service.platform.crypto import seal, unseal

SECRET_PREFIX = "whsec_"  # noqa: S105
SECRET_BYTES = 32
WEBHOOK_SECRET_PURPOSE = "webhook-signing-secret"  # noqa: S105


def new_secret() -> str:
    """A fresh `whsec_` signing secret."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal_secret(data_key: str, secret: str, service_id: uuid.UUID) -> bytes:
    """The secret encrypted for storage on its endpoint."""
    return seal(data_key, WEBHOOK_SECRET_PURPOSE, secret.encode(), service_id.bytes)


def signer(data_key: str, sealed: bytes, service_id: uuid.UUID) -> Webhook:
    """The endpoint's signer, from its sealed secret (raises when it does not open)."""
    return Webhook(unseal(data_key, WEBHOOK_SECRET_PURPOSE, sealed, service_id.bytes).decode())


def reseal_secret(data_key: str, sealed: bytes, service_id: uuid.UUID) -> bytes:
    """The same secret sealed again under the current key (raises when it does not open)."""
    opened = unseal(data_key, WEBHOOK_SECRET_PURPOSE, sealed, service_id.bytes)
    return seal(data_key, WEBHOOK_SECRET_PURPOSE, opened, service_id.bytes)
