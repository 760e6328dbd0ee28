"""A sentence in English and Thai, and a problem type's title and default detail."""

from __future__ import annotations

from typing import NamedTuple

from service.reference_data.labels import Language


class Text(NamedTuple):
    """One sentence in both languages."""

    en: str
    th: str

    def in_language(self, language: Language) -> str:
        """The sentence in `language`."""
        return self.th if language == "th" else self.en


class ProblemText(NamedTuple):
    """The title of a problem type and the detail used when nothing more precise is known."""

    title: Text
    detail: Text
