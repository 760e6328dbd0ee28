"""Outgoing webhooks to agencies: endpoints, the outbox of messages, deliveries and attempts.

An endpoint is an agency service's webhook (`services.webhook_url`): its key is the service's
id, it holds the service's signing secret (sealed with the data key) and whether it is enabled.
A message is one referral event, written in the transaction of the change (the outbox); its id
is the `webhook-id` every delivery of it carries. A delivery is one run of the retry schedule
for a message (the first one, and each replay); an attempt is one HTTP request of a delivery.
The worker finds due deliveries through a partial index of the pending ones.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import HAS_TEXT, EnumText, UTCDateTime, new_id, no_nul_characters

PENDING_WHERE = "status = 'pending'"


class WebhookEventType(StrEnum):
    """What happened to a referral, as an agency's webhook is told."""

    created = "referral.created"
    accepted = "referral.accepted"
    declined = "referral.declined"
    completed = "referral.completed"
    failed = "referral.failed"
    cancelled = "referral.cancelled"
    overdue = "referral.overdue"
    consent_withdrawn = "referral.consent_withdrawn"  # the client withdrew groups it shares


class DeliveryStatus(StrEnum):
    """Where a delivery stands: `pending` until the receiver accepts it or the schedule ends."""

    pending = "pending"
    delivered = "delivered"
    failed = "failed"
    cancelled = "cancelled"  # its endpoint was disabled before it was delivered


# --------------------------------------------------------------------------- tables


class WebhookEndpoint(SQLModel, table=True):
    """An agency service's webhook: its signing secret and whether deliveries go out."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (sa.Index("ix_webhook_endpoints_organization_id", "organization_id"),)

    service_id: uuid.UUID = SQLField(foreign_key="services.id", primary_key=True)
    organization_id: uuid.UUID = SQLField(foreign_key="organizations.id")
    secret_sealed: bytes = SQLField(sa_type=sa.LargeBinary)
    enabled: bool = True
    disabled_reason: str | None = SQLField(default=None, sa_type=sa.Text)
    disabled_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    secret_created_at: datetime = SQLField(sa_type=UTCDateTime)
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    updated_at: datetime = SQLField(sa_type=UTCDateTime)


class WebhookMessage(SQLModel, table=True):
    """One referral event for one endpoint: the exact body signed and sent (ids only)."""

    __tablename__ = "webhook_messages"

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    service_id: uuid.UUID = SQLField(foreign_key="webhook_endpoints.service_id", index=True)
    organization_id: uuid.UUID = SQLField(foreign_key="organizations.id")
    referral_id: uuid.UUID = SQLField(foreign_key="referrals.id", index=True)
    event_type: WebhookEventType = SQLField(sa_type=EnumText(WebhookEventType, 32))
    body: str = SQLField(sa_type=sa.Text)
    created_at: datetime = SQLField(sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """A run of the retry schedule for a message: the first one, or a replay."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index(
            "ix_webhook_deliveries_pending_next_attempt_at",
            "next_attempt_at",
            "id",
            postgresql_where=sa.text(PENDING_WHERE),
            sqlite_where=sa.text(PENDING_WHERE),
        ),
        sa.Index("ix_webhook_deliveries_created_at", "created_at", "id"),
        sa.Index(
            "ix_webhook_deliveries_organization_id_created_at",
            "organization_id",
            "created_at",
            "id",
        ),
        sa.Index("ix_webhook_deliveries_service_id_created_at", "service_id", "created_at", "id"),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    message_id: uuid.UUID = SQLField(foreign_key="webhook_messages.id", index=True)
    service_id: uuid.UUID = SQLField(foreign_key="webhook_endpoints.service_id")
    organization_id: uuid.UUID = SQLField(foreign_key="organizations.id")
    status: DeliveryStatus = SQLField(sa_type=EnumText(DeliveryStatus, 16))
    attempts: int = 0
    next_attempt_at: datetime = SQLField(sa_type=UTCDateTime)
    lease_id: uuid.UUID | None = None
    last_status_code: int | None = None
    replay_of_id: uuid.UUID | None = SQLField(default=None, foreign_key="webhook_deliveries.id")
    requested_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    delivered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    updated_at: datetime = SQLField(sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One HTTP request of a delivery: its answer's status code, how long it took, or the
    class of error that stopped it (never a body)."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        sa.Index("ix_webhook_attempts_delivery_id_number", "delivery_id", "number", unique=True),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    delivery_id: uuid.UUID = SQLField(foreign_key="webhook_deliveries.id")
    number: int
    attempted_at: datetime = SQLField(sa_type=UTCDateTime)
    status_code: int | None = None
    duration_ms: int
    error: str | None = SQLField(default=None, max_length=64)


# --------------------------------------------------------------------------- API schemas


class EndpointOut(BaseModel):
    service_id: uuid.UUID = Field(description="The agency service; also the endpoint's id.")
    service_name: str
    organization_id: uuid.UUID
    url: str | None = Field(description="The service's `webhook_url` in the directory.")
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    secret_created_at: datetime


class EndpointList(BaseModel):
    items: list[EndpointOut]
    next_cursor: str | None


class EndpointSecretOut(EndpointOut):
    secret: str = Field(
        description="The `whsec_` signing secret, shown this once: store it now; a new one "
        "replaces it at once."
    )


class EndpointDisableIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "ระบบรับข้อมูลปิดปรับปรุง"}]}
    )

    reason: str = Field(min_length=1, max_length=2000, pattern=HAS_TEXT)

    _no_nul = field_validator("*")(no_nul_characters)


class AttemptOut(BaseModel):
    number: int
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's answer; none when it gave none.")
    duration_ms: int
    error: str | None = Field(description="Why no answer came: timeout, connection, refused...")


class DeliveryOut(BaseModel):
    id: uuid.UUID
    webhook_id: str = Field(description="The `webhook-id` header: the same on every retry.")
    event_type: WebhookEventType
    referral_id: uuid.UUID
    service_id: uuid.UUID
    organization_id: uuid.UUID
    status: DeliveryStatus
    next_attempt_at: datetime | None = Field(description="When the next attempt is due.")
    last_status_code: int | None
    replay_of: uuid.UUID | None
    delivered_at: datetime | None
    created_at: datetime
    attempts: list[AttemptOut]


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
