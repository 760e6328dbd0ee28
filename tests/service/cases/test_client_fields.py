"""The client fields are declared once (`CLIENT_FIELDS`); everything else must agree with it.

The Pydantic schemas stay explicit classes (their OpenAPI is a contract), so these tests fail
when a field is declared but missing from a schema or the `Case` table, or the other way round.
"""

from __future__ import annotations

from datetime import date

from models.case import Case, ClientIn, ClientOut, ClientPatch
from models.enums import Gender
from service.cases.changes import DERIVED_COLUMNS, PERSONAL_COLUMNS
from service.cases.client_fields import (
    CLIENT_FIELDS,
    IDENTITY_READINGS,
    Reading,
    read_client_fields,
)

TODAY = date(2026, 6, 15)
DECLARED = [client_field.name for client_field in CLIENT_FIELDS]
# What `ClientOut` shows that is worked out when rendering, not stored.
RENDERED_ONLY = {"age", "id_number_masked"}
CASE_COLUMNS = set(Case.__table__.columns.keys())  # type: ignore[attr-defined]


def test_names_and_columns_are_declared_once() -> None:
    assert len(set(DECLARED)) == len(DECLARED)
    columns = [client_field.column for client_field in CLIENT_FIELDS]
    assert len(set(columns)) == len(columns)


def test_the_intake_schema_has_exactly_the_declared_fields() -> None:
    assert set(ClientIn.model_fields) == set(DECLARED)


def test_the_patch_schema_has_exactly_the_declared_fields_all_optional() -> None:
    assert set(ClientPatch.model_fields) == set(DECLARED)
    assert not [name for name, info in ClientPatch.model_fields.items() if info.is_required()]


def test_the_read_schema_has_the_declared_fields_and_the_rendered_ones() -> None:
    assert set(ClientOut.model_fields) - RENDERED_ONLY == set(DECLARED)
    assert set(ClientOut.model_fields) >= RENDERED_ONLY


def test_every_declared_and_derived_column_is_on_the_case_table() -> None:
    for client_field in CLIENT_FIELDS:
        assert client_field.column in CASE_COLUMNS, client_field.name
        assert set(client_field.derives) <= CASE_COLUMNS, client_field.name


def test_every_client_column_of_the_case_table_is_declared() -> None:
    declared = {client_field.column for client_field in CLIENT_FIELDS} | DERIVED_COLUMNS
    # `client_reference` is the phone's id for the request, not something about the client.
    undeclared = {c for c in CASE_COLUMNS if c.startswith("client_")} - declared
    assert undeclared == {"client_reference"}


def test_client_values_are_personal_except_the_kind_of_id() -> None:
    for client_field in CLIENT_FIELDS:
        assert (client_field.column in PERSONAL_COLUMNS) is client_field.personal
    assert [f.name for f in CLIENT_FIELDS if not f.personal] == ["id_type"]
    assert not DERIVED_COLUMNS & PERSONAL_COLUMNS


def test_only_the_id_number_is_masked() -> None:
    assert [f.name for f in CLIENT_FIELDS if f.shown_in_full is not None] == ["id_number"]


def test_reading_follows_the_declaration() -> None:
    errors: list[dict[str, str]] = []
    columns = read_client_fields(
        {
            "title": "นาง",
            "gender": Gender.female,
            "phone": "081-234-5678",
            "birth_date": "2490-03-01",
            "birth_year": 2490,
            "languages": None,
            "disability": None,
            "pregnant": True,
            "id_type": "thai_id",
            "id_number": "1101700230708",
        },
        today=TODAY,
        errors=errors,
    )
    assert errors == []
    assert columns == {
        "client_title": "นาง",
        "client_gender": Gender.female,
        "client_phone": "+66812345678",
        "client_birth_date": date(1947, 3, 1),
        "client_birth_year": 1947,
        "client_languages": [],
        "client_disability": False,
        "client_pregnant": True,
    }


def test_reading_leaves_the_identity_to_its_own_step() -> None:
    identity = {f.name for f in CLIENT_FIELDS if f.reading in IDENTITY_READINGS}
    assert identity == {"id_type", "id_number"}
    assert read_client_fields({"id_number": "x"}, today=TODAY, errors=[]) == {}


def test_reading_reports_every_problem_at_its_pointer() -> None:
    errors: list[dict[str, str]] = []
    columns = read_client_fields(
        {"phone": "12", "birth_date": "2999-01-01", "birth_year": 1700},
        today=TODAY,
        errors=errors,
    )
    assert columns == {
        "client_phone": None,
        "client_birth_date": None,
        "client_birth_year": None,
    }
    assert [e["pointer"] for e in errors] == [
        "/client/phone",
        "/client/birth_date",
        "/client/birth_year",
    ]


def test_every_reading_is_used() -> None:
    assert {f.reading for f in CLIENT_FIELDS} == set(Reading)
