"""Sealing and keyed hashing with key ids: values name their key, previous keys still open."""

from __future__ import annotations

import logging
import uuid

import pytest
from cryptography.exceptions import InvalidTag

from service.platform.crypto import (
    DataKey,
    UnknownKey,
    data_key,
    key_id_of,
    open_id_number,
    seal,
    seal_id_number,
    unseal,
)

KEY_1 = "first-data-key-" + "a" * 32
KEY_2 = "second-data-key-" + "b" * 32
ROTATED = DataKey(KEY_2, key_id="2", previous={"1": KEY_1})
NUMBER = "1101700230708"


def test_a_bare_secret_is_key_1() -> None:
    assert data_key(KEY_1).key_id == "1"
    assert data_key(ROTATED) is ROTATED


def test_a_sealed_value_names_its_key_and_opens_with_it_as_a_previous_key() -> None:
    case_id = uuid.uuid4()
    under_1 = seal_id_number(KEY_1, NUMBER, case_id)
    under_2 = seal_id_number(ROTATED, NUMBER, case_id)
    assert (under_1[:3], under_2[:3]) == (b"k1:", b"k2:")
    assert (key_id_of(under_1), key_id_of(under_2)) == ("1", "2")
    assert open_id_number(ROTATED, under_1, case_id) == NUMBER
    assert open_id_number(ROTATED, under_2, case_id) == NUMBER


def test_a_relabelled_ciphertext_does_not_open() -> None:
    blob = seal(ROTATED, "purpose", b"answer", b"context")
    relabelled = b"k1:" + blob[3:]
    with pytest.raises(InvalidTag):
        unseal(ROTATED, "purpose", relabelled, b"context")


def test_an_unknown_key_raises_for_unseal_and_reads_as_unavailable(caplog) -> None:
    case_id = uuid.uuid4()
    blob = seal_id_number(KEY_1, NUMBER, case_id)
    only_2 = DataKey(KEY_2, key_id="2")
    with pytest.raises(UnknownKey):
        unseal(only_2, "id-number-encryption", blob, case_id.bytes)
    with caplog.at_level(logging.WARNING, logger="onestop.crypto"):
        assert open_id_number(only_2, blob, case_id) is None
    [record] = caplog.records
    assert (
        record.getMessage() == f"id number of case {case_id} names key 1, which is not configured"
    )


def test_a_value_without_a_key_label_names_no_key() -> None:
    for value in (b"\x00" * 30, "f" * 64, "k:abc", "k1"):
        with pytest.raises(UnknownKey):
            key_id_of(value)


def test_a_data_key_shows_its_ids_never_its_secrets() -> None:
    assert repr(ROTATED) == "DataKey(key_id='2', previous=['1'])"
    assert ROTATED.key_ids == ["2", "1"]
    assert ROTATED.secret_for("1") == KEY_1
    with pytest.raises(UnknownKey):
        ROTATED.secret_for("3")
