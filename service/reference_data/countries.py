"""The countries of ISO 3166-1, with English and Thai names, from the shipped `countries.json`.

Every assigned alpha-2 code has its English short name. Thai names are given for the countries
the center's clients are most often taken to or go to work in (Malaysia, Japan, South Korea,
Taiwan, China, Hong Kong, Singapore, the neighbouring countries, the Gulf states, Israel,
Europe, the United States, Australia, Russia...) and for most others; where the file has none
(`name_th` null: small territories), the English name is shown to Thai readers too. Pure data,
no database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # labels imports the models, whose schemas check countries with this module
    from service.reference_data.labels import Language

HOME_COUNTRY = "TH"
_DATA = Path(__file__).with_name("countries.json")


@dataclass(frozen=True, slots=True)
class Country:
    """One country of ISO 3166-1."""

    code: str
    name_en: str
    name_th: str | None

    def name(self, language: Language) -> str:
        """The name in `language`; the English name where no Thai one is known."""
        return self.name_th if language == "th" and self.name_th else self.name_en


@cache
def countries() -> dict[str, Country]:
    """Every country by its alpha-2 code, in code order."""
    rows = json.loads(_DATA.read_text(encoding="utf-8"))
    return {row["code"]: Country(row["code"], row["name_en"], row["name_th"]) for row in rows}


def is_country(code: str) -> bool:
    """Tells whether `code` is an assigned ISO 3166-1 alpha-2 code (upper case)."""
    return code in countries()
