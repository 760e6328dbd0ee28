"""Names in Thai and Latin script: comparable keys and similarity for duplicate flags."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

NAME_SIMILARITY_THRESHOLD = 0.85

# Longest first, so "นางสาว" wins over "นาง". Thai titles are often written joined to the name.
_THAI_TITLE = re.compile(
    r"^\s*(?:เด็กหญิง|เด็กชาย|นางสาว|น\.\s?ส\.?|ด\.\s?ช\.?|ด\.\s?ญ\.?|นาง|นาย)\s*"
)
# Latin titles only as whole words, so "Missy" and "Mrinal" keep their first letters.
_LATIN_TITLE = re.compile(r"^\s*(?:mrs|mr|ms|miss)(?:\.\s*|\s+)")
# Tone marks and other signs above the consonant that vary between spellings of one name:
# mai taikhu (U+0E47), mai ek..mai chattawa (U+0E48-U+0E4B), thanthakhat (U+0E4C) and
# yamakkan (U+0E4E). Nikhahit (U+0E4D) goes after sara am has been repaired.
_THAI_VARIABLE_MARKS = re.compile("[\u0e47-\u0e4c\u0e4e]")
_NIKHAHIT = "\u0e4d"


def normalise_name(text: str) -> str:
    """Reduces a name to a comparable key: no titles, case, tone marks, spaces or punctuation."""
    name = unicodedata.normalize("NFC", text).casefold()
    name = _THAI_TITLE.sub("", name, count=1)
    name = _LATIN_TITLE.sub("", name, count=1)
    name = _THAI_VARIABLE_MARKS.sub("", name)
    # Sara am typed as nikhahit + sara aa (often with a tone mark between) looks the same as
    # sara am; with the tone marks gone the two are adjacent and become one character.
    name = name.replace(_NIKHAHIT + "\u0e32", "\u0e33").replace(_NIKHAHIT, "")
    # Latin accents (José / Jose); Thai has no canonical decompositions, so it is untouched.
    decomposed = unicodedata.normalize("NFD", name)
    name = "".join(
        ch
        for ch in decomposed
        if not (unicodedata.category(ch) == "Mn" and not "\u0e00" <= ch <= "\u0e7f")
    )
    name = unicodedata.normalize("NFC", name)
    return "".join(ch for ch in name if unicodedata.category(ch)[0] in "LNM")


def names_similar(a: str, b: str) -> bool:
    """Tells whether two names probably belong to the same person, for duplicate flags."""
    left, right = normalise_name(a), normalise_name(b)
    if len(left) < 2 or len(right) < 2:
        return False
    if left == right:
        return True
    # SequenceMatcher is not symmetric; a fixed order makes names_similar(a, b) == (b, a).
    first, second = sorted((left, right))
    return SequenceMatcher(None, first, second).ratio() >= NAME_SIMILARITY_THRESHOLD
