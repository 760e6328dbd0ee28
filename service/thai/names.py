"""Names in Thai and Latin script: comparable keys, and the keys and score of duplicate flags.

A name is matched through keys stored with the case and indexed, never by reading names to
compare them:

- `normalise_name`: the name without titles, case, tone marks, spaces or punctuation (name
  search, and the exact score below).
- `sound_key`: PyThaiNLP's LK82 Thai soundex of one name part, which maps common spellings
  of one sound together (สมศรี and สมสี, ประเสริฐ and ประเสิฐ, ใจดี and ใจดีย์). Thai script only.
- `skeleton_key`: the name's consonants, each reduced to a class shared by the Thai letters
  and the Latin letters that transliterate them, vowels and glides dropped ("Somsri Jaidee" and
  สมศรี ใจดี both give `smsr`, `ct`). Computed the same way from either script.

`names_match` then decides on the handful of candidates the keys found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pythainlp.soundex import lk82
from rapidfuzz.fuzz import ratio

# Two normalised names in one script, or two skeletons across scripts, at least this similar
# (rapidfuzz's normalised Indel similarity, 0-100) are taken for the same person.
NAME_SIMILARITY_THRESHOLD = 85.0

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


_THAI_LETTERS = re.compile("[\u0e01-\u0e2e]")
# A letter (with its vowel sign) under thanthakhat is not pronounced: ศักดิ์ is "sak".
_SILENT = re.compile("[\u0e01-\u0e2e][\u0e34\u0e38]?\u0e4c")
# รร is a vowel: "an" at the end of a word (สรร), "a" before a final consonant (กรรม).
_RORHAN_END = re.compile("\u0e23\u0e23$")
_RORHAN = "\u0e23\u0e23"

# Thai consonants and Latin spellings share these classes. Aspirated and plain stops are one
# class (ท, ต, ด: "th", "t", "d"), as are the letters romanisations swap (จ, ช, ฉ: "j", "ch").
# Glides and the silent carriers (ว, ย, อ, ห) are dropped like vowels: they are written as
# vowels in Latin ("ai", "ao") and often silent in Thai (หญิง).
_THAI_CLASS = {
    **dict.fromkeys("กขฃคฅฆ", "k"),
    "ง": "N",
    **dict.fromkeys("จฉชฌ", "c"),
    **dict.fromkeys("ซศษส", "s"),
    **dict.fromkeys("ญยวอหฮ", ""),
    **dict.fromkeys("ฎฏฐฑฒดตถทธ", "t"),
    **dict.fromkeys("ณน", "n"),
    **dict.fromkeys("บปผพภ", "p"),
    **dict.fromkeys("ฝฟ", "f"),
    "ม": "m",
    **dict.fromkeys("รลฬฤฦ", "r"),
}
# Longest first: "ng" before "n", "ch" before "c" and "h".
_LATIN_CLASS = (
    ("ng", "N"),
    ("ch", "c"),
    ("sh", "s"),
    ("th", "t"),
    ("ph", "p"),
    ("kh", "k"),
    ("j", "c"),
    ("c", "k"),
    ("g", "k"),
    ("q", "k"),
    ("x", "s"),
    ("z", "s"),
    ("d", "t"),
    ("b", "p"),
    ("v", "f"),
    ("l", "r"),
)
_LATIN_TOKEN = re.compile("|".join(spelling for spelling, _ in _LATIN_CLASS) + "|[a-z]")
_LATIN_CLASSES = dict(_LATIN_CLASS) | dict.fromkeys("kstnpfmr", None)


def _without_title(text: str) -> str:
    name = unicodedata.normalize("NFC", text).casefold()
    name = _THAI_TITLE.sub("", name, count=1)
    return _LATIN_TITLE.sub("", name, count=1)


def sound_key(part: str | None) -> str | None:
    """The LK82 Thai soundex of one name part (titles dropped); None for other scripts."""
    if not part:
        return None
    name = "".join(ch for ch in _without_title(part) if unicodedata.category(ch)[0] in "LNM")
    # A part with other letters or digits in it would lose them to the soundex.
    if not name or not all("\u0e01" <= ch <= "\u0e4e" for ch in name):
        return None
    return lk82(name) or None


def skeleton_key(part: str | None) -> str | None:
    """The consonant classes of one name part, from Thai or Latin script alike; repeated
    classes collapse (Jaidee, Jaide; สมมาตร, Sommat)."""
    if not part:
        return None
    name = _without_title(part)
    if _THAI_LETTERS.search(name):
        name = _SILENT.sub("", name)
        name = _RORHAN_END.sub("น", name).replace(_RORHAN, "")
        # Other letters and digits mixed in are kept as they are, so they still tell apart.
        classes = [_THAI_CLASS.get(ch, ch if ch.isascii() and ch.isalnum() else "") for ch in name]
    else:
        latin = normalise_name(name)
        classes = []
        for token in _LATIN_TOKEN.findall(latin):
            mapped = _LATIN_CLASSES.get(token, "")
            classes.append(token if mapped is None else mapped)
    skeleton: list[str] = []
    for cls in classes:
        if cls and (not skeleton or skeleton[-1] != cls):
            skeleton.append(cls)
    return "".join(skeleton) or None


def _thai(text: str) -> bool:
    return bool(_THAI_LETTERS.search(text))


@dataclass(frozen=True, slots=True)
class PersonName:
    """What duplicate matching knows of a name: its normalised form and its parts' keys."""

    key: str | None
    first_sound: str | None = None
    last_sound: str | None = None
    first_skeleton: str | None = None
    last_skeleton: str | None = None


def person_name(first: str | None, last: str | None) -> PersonName:
    """The keys of a client's name (uncut: the columns cut them to their length)."""
    return PersonName(
        key=normalise_name(f"{first or ''} {last or ''}") or None,
        first_sound=sound_key(first),
        last_sound=sound_key(last),
        first_skeleton=skeleton_key(first),
        last_skeleton=skeleton_key(last),
    )


def names_match(a: PersonName, b: PersonName) -> bool:
    """Tells whether two names probably belong to the same person, for duplicate flags.

    In one script: every part sounds the same (LK82), or the normalised names are at least
    `NAME_SIMILARITY_THRESHOLD` similar. Across scripts: the skeletons are that similar. Names
    of fewer than two letters are never matched: they say nothing."""
    if not a.key or not b.key or len(a.key) < 2 or len(b.key) < 2:
        return False
    if _thai(a.key) != _thai(b.key):
        return _similar(_skeleton(a), _skeleton(b))
    if a.key == b.key:
        return True
    same_sound = (a.first_sound, a.last_sound) == (b.first_sound, b.last_sound)
    if same_sound and (a.first_sound or a.last_sound):
        return True
    return _similar(a.key, b.key)


def _skeleton(name: PersonName) -> str:
    return " ".join(filter(None, (name.first_skeleton, name.last_skeleton)))


def _similar(a: str, b: str) -> bool:
    return len(a) >= 2 and len(b) >= 2 and ratio(a, b) >= NAME_SIMILARITY_THRESHOLD
