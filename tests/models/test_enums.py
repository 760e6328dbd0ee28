"""Coded values: spelled as the spec says, each with a Thai and an English label."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import enums
from models.enums import (
    CaseEventType,
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    ConsentStatus,
    DuplicateReason,
    DuplicateStatus,
    Gender,
    IdType,
    LegalBasis,
    ReporterRelationship,
    Role,
    TargetGroup,
    Urgency,
)
from service.reference_data.labels import LABELLED_ENUMS, label, labels_for, preferred_language

LABELLED = [
    Category,
    Urgency,
    CaseStatus,
    ClosureReason,
    Channel,
    IdType,
    Gender,
    ReporterRelationship,
    LegalBasis,
    ConsentStatus,
    TargetGroup,
]
THAI = re.compile("[\u0e01-\u0e5b]")


def test_spec_spellings() -> None:
    assert [c.value for c in CaseStatus] == [
        "new",
        "screened",
        "in_progress",
        "awaiting_client",
        "referred",
        "resolved",
        "closed",
    ]
    assert [u.value for u in Urgency] == ["critical", "high", "normal", "low"]
    assert [c.value for c in Category] == [
        "family_violence",
        "other_violence_abuse",
        "unready_pregnancy",
        "human_trafficking",
        "drug_affected",
        "homeless_destitute",
        "begging",
        "child_youth",
        "missing_person",
        "older_person",
        "disability",
        "income_livelihood",
        "family_relationship",
        "welfare_rights_access",
        "housing",
        "health_mental_health",
        "civil_registration_statelessness",
        "disaster_affected",
        "other",
    ]
    assert [c.value for c in Channel] == [
        "mobile",
        "walk_in",
        "phone",
        "hotline_1300",
        "line",
        "web",
        "agency_referral",
        "outreach",
    ]
    assert [c.value for c in ClosureReason] == [
        "resolved",
        "referred_closed",
        "unreachable",
        "declined_help",
        "duplicate",
        "out_of_scope",
        "deceased",
    ]
    assert [i.value for i in IdType] == ["thai_id", "non_thai_id", "passport", "none", "unknown"]
    assert [g.value for g in Gender] == ["male", "female", "other", "unknown"]
    assert [r.value for r in ReporterRelationship] == [
        "self",
        "family",
        "neighbour",
        "volunteer",
        "official",
        "other",
    ]
    assert [c.value for c in ConsentStatus] == ["given", "refused", "not_possible"]
    assert [b.value for b in LegalBasis] == ["consent", "vital_interest", "social_protection"]
    assert [t.value for t in TargetGroup] == [
        "child",
        "youth",
        "older_person",
        "disability",
        "pregnancy",
    ]
    assert {"created", "status_changed", "merged", "duplicate_dismissed"} <= {
        e.value for e in CaseEventType
    }
    assert {"referred", "referral_answered", "referral_cancelled", "referral_overdue"} <= {
        e.value for e in CaseEventType
    }
    assert {"sla_at_risk", "sla_breached"} <= {e.value for e in CaseEventType}
    assert "anonymised" in {e.value for e in CaseEventType}
    assert "offer_withdrawn" in {e.value for e in CaseEventType}
    assert len(CaseEventType) == 29
    assert [r.value for r in DuplicateReason] == ["id_number", "phone", "name"]
    assert [s.value for s in DuplicateStatus] == ["open", "confirmed", "dismissed"]
    assert [r.value for r in Role] == ["volunteer", "caseworker", "supervisor", "agency", "admin"]


def test_member_names_equal_values() -> None:
    for enum_class in vars(enums).values():
        if isinstance(enum_class, type) and issubclass(enum_class, StrEnum):
            if enum_class is StrEnum:
                continue
            assert enum_class.__doc__
            for member in enum_class:
                # HSDS spells one service status with a space ("temporarily closed").
                assert member.name == member.value.replace(" ", "_")


def test_every_labelled_enum_is_served() -> None:
    assert set(LABELLED_ENUMS) == set(LABELLED)


@pytest.mark.parametrize("enum_class", LABELLED, ids=lambda e: e.__name__)
def test_every_value_has_thai_and_english_labels(enum_class: type[StrEnum]) -> None:
    for member in enum_class:
        th = label(member, "th")
        en = label(member, "en")
        assert th.strip() == th
        assert en.strip() == en
        assert th
        assert en
        assert en.isascii()
        if member not in (Channel.line,):
            assert THAI.search(th), f"{member!r} has no Thai in its Thai label {th!r}"


@pytest.mark.parametrize("enum_class", LABELLED, ids=lambda e: e.__name__)
def test_labels_are_distinct_within_an_enum(enum_class: type[StrEnum]) -> None:
    members = list(enum_class)
    assert len({label(m, "th") for m in members}) == len(members)
    assert len({label(m, "en") for m in members}) == len(members)


@pytest.mark.parametrize("enum_class", LABELLED, ids=lambda e: e.__name__)
def test_labels_for_lists_every_value_in_order(enum_class: type[StrEnum]) -> None:
    rows = labels_for(enum_class)
    assert [row["code"] for row in rows] == [m.value for m in enum_class]
    for row, member in zip(rows, enum_class, strict=True):
        assert row == {
            "code": member.value,
            "label_th": label(member, "th"),
            "label_en": label(member, "en"),
        }


def test_known_labels() -> None:
    assert label(Category.family_violence, "th") == "ความรุนแรงในครอบครัว"
    assert label(Category.unready_pregnancy, "th") == "ตั้งครรภ์ไม่พร้อม"
    assert label(Category.human_trafficking, "th") == "การค้ามนุษย์"
    assert label(Category.homeless_destitute, "th") == "คนไร้ที่พึ่ง/คนไร้บ้าน"
    assert label(Channel.hotline_1300, "th") == "สายด่วน 1300"
    assert label(Category.family_violence, "en") == "Family violence"
    assert label(Category.family_violence) == "ความรุนแรงในครอบครัว"


def test_unlabelled_enum_and_unknown_language() -> None:
    with pytest.raises(KeyError):
        label(Role.admin, "th")
    with pytest.raises(KeyError):
        labels_for(Role)
    with pytest.raises(ValueError):
        label(Category.other, "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "th"),
        ("", "th"),
        ("th", "th"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("th-TH,th;q=0.9,en;q=0.8", "th"),
        ("en-US,en;q=0.9,th;q=0.8", "en"),
        ("en;q=0.5, th;q=0.8", "th"),
        ("th;q=0.5, en;q=0.8", "en"),
        ("en, th", "en"),
        ("th, en", "th"),
        ("fr", "th"),
        ("fr, en;q=0.2", "en"),
        ("*", "th"),
        ("*, en", "th"),
        ("*;q=0.5, en", "en"),
        ("en;q=0", "th"),
        ("th;q=0, en;q=0.1", "en"),
        ("th;q=0, *", "en"),
        ("en;q=abc", "th"),
        ("en;q=1.5", "th"),
        ("en;q=nan", "th"),
        (" en ; q=0.9 ", "en"),
        (",,;", "th"),
    ],
)
def test_preferred_language(header: str | None, expected: str) -> None:
    assert preferred_language(header) == expected


@given(st.text(max_size=200))
def test_preferred_language_never_crashes(header: str) -> None:
    assert preferred_language(header) in ("th", "en")
