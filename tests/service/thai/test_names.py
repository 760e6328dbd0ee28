"""Duplicate keys and scoring of names: Thai soundex, the script-independent skeleton, and the
exact decision on the candidates they find (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.thai.names import names_match, person_name, skeleton_key, sound_key


def same(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    return names_match(person_name(*a), person_name(*b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("สมศรี", "สมสี"),  # a common misspelling (ศร / ส)
        ("ประเสริฐ", "ประเสิฐ"),  # a dropped ร
        ("ใจดี", "ใจดีย์"),  # a silent letter under thanthakhat
        ("กิ่งแก้ว", "กิงแกว"),  # tone marks
        ("นางสาว สมหญิง", "สมหญิง"),  # a title
    ],
)
def test_thai_spellings_of_one_sound_share_a_sound_key(a: str, b: str) -> None:
    assert sound_key(a) == sound_key(b)
    assert sound_key(a) is not None


def test_other_names_have_other_sound_keys() -> None:
    assert sound_key("สมชาย") != sound_key("สมศรี")
    assert sound_key("มานี") != sound_key("ใจดี")


def test_sound_keys_are_for_thai_script_only() -> None:
    assert sound_key("Somsri") is None
    assert sound_key("") is None
    assert sound_key(None) is None
    assert sound_key("นาย") is None  # only a title


@pytest.mark.parametrize(
    ("thai", "latin"),
    [
        ("สมศรี", "Somsri"),
        ("ใจดี", "Jaidee"),
        ("ใจดี", "Jaide"),
        ("ประเสริฐ", "Prasert"),
        ("สมศักดิ์", "Somsak"),
        ("รักชาติ", "Rakchat"),
        ("ธงชัย", "Thongchai"),
        ("กนกวรรณ", "Kanokwan"),
        ("ทองดี", "Thongdee"),
    ],
)
def test_a_latin_transliteration_has_the_thai_names_skeleton(thai: str, latin: str) -> None:
    assert skeleton_key(thai) == skeleton_key(latin)
    assert skeleton_key(thai)


def test_skeletons_tell_other_names_apart() -> None:
    assert skeleton_key("Somsri") != skeleton_key("Somchai")
    assert skeleton_key("สมศรี") != skeleton_key("มานี")
    assert skeleton_key("") is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("นางสาว สมหญิง", "ใจดี"), ("สมหญิง", "ใจดี")),
        (("สมหญิง", "ใจดี"), ("สมหญิง", "ใจดีย์")),
        (("สมศักดิ์", "รักชาติ"), ("สมศักดิ", "รักชาต")),
        (("สมศรี", "ใจดี"), ("สมสี", "ใจดี")),
        (("ประเสริฐ", "ทองดี"), ("ประเสิฐ", "ทองดี")),
        (("Mr. Somchai", "Jaidee"), ("somchai", "jaidee")),
        (("Somchai", "Jaidee"), ("Somchai", "Jaide")),
        (("Somsri", "Jaidee"), ("สมศรี", "ใจดี")),
        (("Prasert", "Thongdee"), ("นาย ประเสริฐ", "ทองดี")),
    ],
)
def test_names_of_one_person_match(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert same(a, b)
    assert same(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("สมชาย", "ใจดี"), ("มานี", "มีตา")),
        (("สมชาย", None), ("สมศรี", None)),
        (("สมชาย", "ใจดี"), ("มานี", "ใจดี")),  # one shared family name is not enough
        (("John", "Smith"), ("Jane", "Smyth")),
        (("Somchai", "Jaidee"), ("สมศรี", "ใจดี")),
    ],
)
def test_names_of_other_people_do_not_match(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not same(a, b)


def test_names_too_short_never_match() -> None:
    assert not same(("ก", None), ("ก", None))
    assert not same(("A", None), ("a", None))
    assert not same(("นาย", None), ("นาย", None))
    assert not same((None, None), (None, None))


names = st.one_of(st.none(), st.text(max_size=20))


@given(names, names, names, names)
def test_matching_is_symmetric(a1: str, a2: str, b1: str, b2: str) -> None:
    assert same((a1, a2), (b1, b2)) == same((b1, b2), (a1, a2))


@given(st.text(alphabet=st.characters(min_codepoint=0x0E01, max_codepoint=0x0E2E), min_size=2))
def test_tone_marks_do_not_change_a_match(name: str) -> None:
    decorated = "".join(ch + "\u0e48" for ch in name)
    assert same((decorated, None), (name, None))
