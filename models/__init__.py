"""Tables and API schemas. Importing this package registers every table on `metadata`."""

from models import (
    access_log,
    agency,
    case,
    consent,
    deadlines,
    events,
    privacy,
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
    "queues",
    "referral",
    "routing",
    "statistics",
    "stream",
    "user",
    "webhooks",
]
