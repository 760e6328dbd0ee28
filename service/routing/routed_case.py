"""What routing reads of a case: its needs (categories, target groups, languages, urgency), where
it is, and the client's age. A `Case` row has all of it; a suggestion reads only these columns
(`CaseToRoute`), with the ones its access rules read (`service.cases.loading.case_facts`), not
the whole row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol

from sqlmodel import col

from models.case import Case
from models.enums import Urgency


class RoutedCase(Protocol):
    """A case as routing reads it: a `Case`, or a `CaseToRoute`."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def categories(self) -> Sequence[str]: ...
    @property
    def target_groups(self) -> Sequence[str]: ...
    @property
    def client_languages(self) -> Sequence[str]: ...
    @property
    def urgency(self) -> Urgency: ...
    @property
    def country_code(self) -> str: ...
    @property
    def province_code(self) -> str | None: ...
    @property
    def district_code(self) -> str | None: ...
    @property
    def subdistrict_code(self) -> str | None: ...
    @property
    def home_province_code(self) -> str | None: ...
    @property
    def client_birth_date(self) -> date | None: ...
    @property
    def client_birth_year(self) -> int | None: ...
    @property
    def client_age_estimate(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class CaseToRoute:
    """The columns of a case that routing reads, and what its access rules need."""

    id: uuid.UUID
    categories: Sequence[str]
    target_groups: Sequence[str]
    client_languages: Sequence[str]
    urgency: Urgency
    country_code: str
    province_code: str | None
    district_code: str | None
    subdistrict_code: str | None
    home_province_code: str | None
    client_birth_date: date | None
    client_birth_year: int | None
    client_age_estimate: int | None
    created_by_id: uuid.UUID
    lead_id: uuid.UUID | None
    restricted_at: datetime | None


# The case's columns of the same names, in `CaseToRoute`'s order.
COLUMNS = tuple(col(getattr(Case, field.name)) for field in fields(CaseToRoute))


def case_to_route(row: Sequence[Any]) -> CaseToRoute:
    """A `CaseToRoute` from the first `len(COLUMNS)` values of a row."""
    return CaseToRoute(*row[: len(COLUMNS)])
