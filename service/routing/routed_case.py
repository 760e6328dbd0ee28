"""What routing reads of a case: its needs (categories, target groups, languages, urgency), where
it is, and the client's age. A `Case` row has all of it; a suggestion reads only these columns
(`CaseToRoute`), with who may read the case, not the whole row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlmodel import col

from auth.policy import CaseFacts
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

    def facts(self) -> CaseFacts:
        """What the access policy needs to know about the case (`case_facts` of its row)."""
        return CaseFacts(
            created_by_id=self.created_by_id,
            lead_id=self.lead_id,
            restricted=self.restricted_at is not None,
        )


# The columns of `CaseToRoute`, in its order.
COLUMNS = (
    col(Case.id),
    col(Case.categories),
    col(Case.target_groups),
    col(Case.client_languages),
    col(Case.urgency),
    col(Case.country_code),
    col(Case.province_code),
    col(Case.district_code),
    col(Case.subdistrict_code),
    col(Case.home_province_code),
    col(Case.client_birth_date),
    col(Case.client_birth_year),
    col(Case.client_age_estimate),
    col(Case.created_by_id),
    col(Case.lead_id),
    col(Case.restricted_at),
)


def case_to_route(row: Sequence[Any]) -> CaseToRoute:
    """A `CaseToRoute` from the first `len(COLUMNS)` values of a row."""
    return CaseToRoute(*row[: len(COLUMNS)])
