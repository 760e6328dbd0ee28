"""The catalogue of problem words: complete for every error class, in both languages, and
never filled with the input or a library's message."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import auth
import service
from service.platform.errors import (
    DomainError,
    NotFound,
    Unprocessable,
    coded_field_error,
    field_error,
    localised_errors,
)
from service.platform.messages import (
    DETAILS,
    FIELD_TEXT,
    GENERIC_FIELD_TEXT,
    HTTP_PROBLEMS,
    PROBLEMS,
    Text,
    field_sentence,
)

THAI = re.compile("[\\u0e00-\\u0e7f]")


def _every_error_class() -> list[type[DomainError]]:
    for package in (service, auth):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith(".cli"):
                importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    pending = [DomainError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_class_has_its_words_in_both_languages() -> None:
    classes = _every_error_class()
    assert len(classes) >= 12  # ours, and those the services define (failed sign-in...)
    for cls in classes:
        assert cls.type_ in PROBLEMS, cls
        error = cls()
        assert THAI.search(error.title_in("th")) and THAI.search(error.detail_in("th")), cls
        assert not THAI.search(error.title_in("en") + error.detail_in("en")), cls


def _all_texts() -> list[Text]:
    texts = [t for p in [*PROBLEMS.values(), *HTTP_PROBLEMS.values()] for t in p]
    return [*texts, *DETAILS.values(), *FIELD_TEXT.values(), GENERIC_FIELD_TEXT]


def test_every_sentence_is_in_english_and_thai() -> None:
    for text in _all_texts():
        assert text.en and not THAI.search(text.en), text
        assert THAI.search(text.th), text


def test_limits_the_schema_declares_fill_the_sentence() -> None:
    assert field_sentence("string_too_long", "en", limits={"max_length": 100}) == (
        "Must be at most 100 characters long."
    )
    assert "4000" in field_sentence("string_too_long", "th", limits={"max_length": 4000})
    assert field_sentence("less_than_equal", "en", limits={"le": 130.0}) == "Must be 130 or less."


@pytest.mark.parametrize("limits", [None, {}, {"max_length": "1; DROP"}, {"max_length": True}])
def test_a_missing_or_odd_limit_gives_the_generic_sentence(limits) -> None:
    assert field_sentence("string_too_long", "en", limits=limits) == GENERIC_FIELD_TEXT.en


def test_an_unknown_kind_has_no_sentence() -> None:
    assert field_sentence("some_future_pydantic_type", "en") is None


def test_field_errors_are_worded_by_the_catalogue_for_their_kind() -> None:
    entries = [
        field_error("/client/phone", "not a phone number: (1) The string supplied...", "phone"),
        field_error("/reason", "This step needs a reason.", "transition"),
        coded_field_error("/client/id_number", "thai_id"),
    ]
    english = localised_errors(entries, "en")
    assert [e["detail"] for e in english] == [
        FIELD_TEXT["phone"].en,
        "This step needs a reason.",  # not catalogued yet: the service's own English
        FIELD_TEXT["thai_id"].en,
    ]
    thai = localised_errors(entries, "th")
    assert [e["detail"] for e in thai] == [
        FIELD_TEXT["phone"].th,
        GENERIC_FIELD_TEXT.th,
        FIELD_TEXT["thai_id"].th,
    ]
    assert [e["pointer"] for e in thai] == [e["pointer"] for e in entries]


def test_codes_must_exist() -> None:
    with pytest.raises(KeyError):
        coded_field_error("/x", "no_such_code")
    with pytest.raises(KeyError):
        Unprocessable(code="no.such.code")


def test_a_coded_error_speaks_both_languages_and_a_plain_one_english_only() -> None:
    coded = Unprocessable(code="query.unknown")
    assert coded.detail_in("th") == DETAILS["query.unknown"].th
    assert coded.detail == DETAILS["query.unknown"].en
    plain = NotFound("No such case.")
    assert plain.detail_in("en") == "No such case."
    assert plain.detail_in("th") == PROBLEMS["not-found"].detail.th
