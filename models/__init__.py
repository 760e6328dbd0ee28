"""Tables and API schemas. Importing this package registers every table on `metadata`."""

from models import case, events, user
from models.base import metadata

__all__ = ["case", "events", "metadata", "user"]
