"""Rules that tie client fields to one another, checked alike at intake and on every change.

The rules are defined in `models.field_rules`. Intake's schema applies them as validators, so
they are reported with every other problem of the request; a `PATCH` applies them here to the
client as it would be (what was sent over what is stored). A problem points at the field the
rule is about (`/client/pregnant`), the one intake has always named.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

from models import field_rules
from models.enums import Gender
from service.platform.errors import coded_field_error


def client_rule_errors(*, gender: Gender | None, pregnant: bool) -> list[dict[str, str]]:
    """Every cross-field rule the client breaks, as field errors (pure)."""
    try:
        field_rules.pregnancy(gender, pregnant)
    except PydanticCustomError as broken:
        return [coded_field_error("/client/pregnant", broken.type)]
    return []
