"""Enumerations shared by tables and API schemas."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in the center; decides what they may see and do."""

    volunteer = "volunteer"
    caseworker = "caseworker"
    supervisor = "supervisor"
    agency = "agency"
    admin = "admin"
