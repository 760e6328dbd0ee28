"""Tables and API schemas. Importing this package registers every table on `metadata`."""

from models import user
from models.base import metadata

__all__ = ["metadata", "user"]
