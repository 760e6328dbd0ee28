"""Rules that tie client fields to one another, checked alike at intake and on every change.

A pure function of the client as it would be (what was sent over what is stored): intake
passes the whole client, `PATCH` the stored values with the sent ones over them. A problem
points at the field the rule is about (`/client/pregnant`), the one intake has always named.
"""

from __future__ import annotations

from models.enums import Gender
from service.platform.errors import coded_field_error


def client_rule_errors(*, gender: Gender | None, pregnant: bool) -> list[dict[str, str]]:
    """Every cross-field rule the client breaks, as field errors (pure)."""
    errors: list[dict[str, str]] = []
    if pregnant and gender is Gender.male:
        errors.append(coded_field_error("/client/pregnant", "consistency"))
    return errors
