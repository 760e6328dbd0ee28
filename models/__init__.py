"""Tables and API schemas. Importing this package registers every table on `metadata`."""

from models import (
    access_log,
    agency,
    case,
    consent,
    deadlines,
    events,
    privacy,
    privacy_requests,
    queues,
    referral,
    routing,
    statistics,
    stream,
    user,
    webhooks,
)
from models.base import metadata

__all__ = [
    "access_log",
    "agency",
    "case",
    "consent",
    "deadlines",
    "events",
    "metadata",
    "privacy",
    "privacy_requests",
    "queues",
    "referral",
    "routing",
    "statistics",
    "stream",
    "user",
    "webhooks",
]
