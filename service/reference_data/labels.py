"""Thai and English labels for the coded values the API serves, and the caller's language."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Literal

from models.enums import (
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    ConsentStatus,
    Gender,
    IdType,
    LegalBasis,
    ReporterRelationship,
    TargetGroup,
    Urgency,
)

Language = Literal["th", "en"]

DEFAULT_LANGUAGE: Language = "th"
LANGUAGES: tuple[Language, ...] = ("th", "en")

# Each value maps to (Thai, English). Thai follows the wording used by the Ministry of Social
# Development and Human Security (พม.) and its 1300 hotline, and the PDPA for legal bases.
_LABELS: dict[type[StrEnum], dict[StrEnum, tuple[str, str]]] = {
    Category: {
        Category.family_violence: ("ความรุนแรงในครอบครัว", "Family violence"),
        Category.other_violence_abuse: (
            "ความรุนแรงและการล่วงละเมิดอื่น ๆ",
            "Other violence or abuse",
        ),
        Category.unready_pregnancy: ("ตั้งครรภ์ไม่พร้อม", "Unready pregnancy"),
        Category.human_trafficking: ("การค้ามนุษย์", "Human trafficking"),
        Category.drug_affected: ("ผู้ได้รับผลกระทบจากยาเสพติด", "Affected by drugs"),
        Category.homeless_destitute: ("คนไร้ที่พึ่ง/คนไร้บ้าน", "Homeless or destitute"),
        Category.begging: ("การขอทาน", "Begging"),
        Category.child_youth: ("เด็กและเยาวชน", "Children and youth"),
        Category.missing_person: ("คนหาย/บุคคลพลัดหลง", "Missing person"),
        Category.older_person: ("ผู้สูงอายุ", "Older persons"),
        Category.disability: ("คนพิการ", "Persons with disabilities"),
        Category.income_livelihood: ("รายได้และการประกอบอาชีพ", "Income and livelihood"),
        Category.family_relationship: ("ความสัมพันธ์ในครอบครัว", "Family relationships"),
        Category.welfare_rights_access: (
            "การเข้าถึงสิทธิและสวัสดิการ",
            "Access to welfare and rights",
        ),
        Category.housing: ("ที่อยู่อาศัย", "Housing"),
        Category.health_mental_health: ("สุขภาพกายและสุขภาพจิต", "Health and mental health"),
        Category.civil_registration_statelessness: (
            "สถานะบุคคลและการทะเบียนราษฎร/ไร้สัญชาติ",
            "Civil registration and statelessness",
        ),
        Category.disaster_affected: ("ผู้ประสบภัยพิบัติ", "Affected by disaster"),
        Category.other: ("อื่น ๆ", "Other"),
    },
    Urgency: {
        Urgency.critical: ("วิกฤต (อันตรายต่อชีวิตหรือร่างกาย)", "Critical (danger to life or body)"),
        Urgency.high: ("เร่งด่วน (เสี่ยงภายใน 24 ชั่วโมง)", "High (at risk within 24 hours)"),
        Urgency.normal: ("ปกติ", "Normal"),
        Urgency.low: ("ไม่เร่งด่วน (ให้คำปรึกษา)", "Low (advice only)"),
    },
    CaseStatus: {
        CaseStatus.new: ("รับเรื่องใหม่", "New"),
        CaseStatus.screened: ("คัดกรองแล้ว", "Screened"),
        CaseStatus.in_progress: ("อยู่ระหว่างดำเนินการ", "In progress"),
        CaseStatus.awaiting_client: ("รอการติดต่อจากผู้รับบริการ", "Awaiting client"),
        CaseStatus.referred: ("ส่งต่อหน่วยงานแล้ว", "Referred"),
        CaseStatus.resolved: ("แก้ไขปัญหาแล้ว", "Resolved"),
        CaseStatus.closed: ("ปิดเรื่อง", "Closed"),
    },
    ClosureReason: {
        ClosureReason.resolved: ("แก้ไขปัญหาสำเร็จ", "Resolved"),
        ClosureReason.referred_closed: (
            "ส่งต่อและหน่วยงานรับดำเนินการแล้ว",
            "Referred and taken over",
        ),
        ClosureReason.unreachable: ("ติดต่อผู้รับบริการไม่ได้", "Client unreachable"),
        ClosureReason.declined_help: ("ผู้รับบริการปฏิเสธความช่วยเหลือ", "Client declined help"),
        ClosureReason.duplicate: ("เรื่องซ้ำ", "Duplicate case"),
        ClosureReason.out_of_scope: ("ไม่อยู่ในอำนาจหน้าที่", "Out of scope"),
        ClosureReason.deceased: ("ผู้รับบริการเสียชีวิต", "Client deceased"),
    },
    Channel: {
        Channel.mobile: ("แอปพลิเคชันบนมือถือ", "Mobile app"),
        Channel.walk_in: ("มาติดต่อด้วยตนเอง", "Walk-in"),
        Channel.phone: ("โทรศัพท์", "Phone"),
        Channel.hotline_1300: ("สายด่วน 1300", "1300 hotline"),
        Channel.line: ("LINE", "LINE"),
        Channel.web: ("เว็บไซต์", "Website"),
        Channel.agency_referral: ("รับส่งต่อจากหน่วยงาน", "Agency referral"),
        Channel.outreach: ("ออกพื้นที่เชิงรุก", "Outreach"),
    },
    IdType: {
        IdType.thai_id: ("บัตรประจำตัวประชาชน", "Thai national ID card"),
        IdType.non_thai_id: (
            "บัตรประจำตัวคนซึ่งไม่มีสัญชาติไทย",
            "ID card for persons without Thai nationality",
        ),
        IdType.passport: ("หนังสือเดินทาง", "Passport"),
        IdType.none: ("ไม่มีเอกสารประจำตัว", "No identity document"),
        IdType.unknown: ("ไม่ทราบ", "Unknown"),
    },
    Gender: {
        Gender.male: ("ชาย", "Male"),
        Gender.female: ("หญิง", "Female"),
        Gender.other: ("อื่น ๆ", "Other"),
        Gender.unknown: ("ไม่ทราบ", "Unknown"),
    },
    ReporterRelationship: {
        ReporterRelationship.self: ("ผู้ประสบปัญหาแจ้งด้วยตนเอง", "Self"),
        ReporterRelationship.family: ("ญาติหรือคนในครอบครัว", "Family member"),
        ReporterRelationship.neighbour: ("เพื่อนบ้าน", "Neighbour"),
        ReporterRelationship.volunteer: ("อาสาสมัคร", "Volunteer"),
        ReporterRelationship.official: ("เจ้าหน้าที่รัฐ", "Official"),
        ReporterRelationship.other: ("อื่น ๆ", "Other"),
    },
    LegalBasis: {
        LegalBasis.consent: ("ความยินยอมของเจ้าของข้อมูล", "Consent"),
        LegalBasis.vital_interest: (
            "ป้องกันหรือระงับอันตรายต่อชีวิต ร่างกาย หรือสุขภาพ",
            "Vital interest (danger to life, body or health)",
        ),
        LegalBasis.social_protection: (
            "การคุ้มครองทางสังคมตามกฎหมาย",
            "Social protection required by law",
        ),
    },
    ConsentStatus: {
        ConsentStatus.given: ("ให้ความยินยอม", "Given"),
        ConsentStatus.refused: ("ไม่ให้ความยินยอม", "Refused"),
        ConsentStatus.not_possible: ("ไม่สามารถขอความยินยอมได้", "Not possible to obtain"),
    },
    TargetGroup: {
        TargetGroup.child: ("เด็ก", "Child"),
        TargetGroup.youth: ("เยาวชน", "Youth"),
        TargetGroup.older_person: ("ผู้สูงอายุ", "Older person"),
        TargetGroup.disability: ("คนพิการ", "Person with disability"),
        TargetGroup.pregnancy: ("หญิงตั้งครรภ์", "Pregnancy"),
    },
}

LABELLED_ENUMS: tuple[type[StrEnum], ...] = tuple(_LABELS)


def _pair(value: StrEnum) -> tuple[str, str]:
    """Looks up the (Thai, English) labels of one enum value."""
    labels = _LABELS.get(type(value))
    if labels is None:
        raise KeyError(f"{type(value).__name__} has no labels")
    return labels[value]


def label(value: StrEnum, language: Language = DEFAULT_LANGUAGE) -> str:
    """Returns the label of an enum value in Thai ("th") or English ("en")."""
    th, en = _pair(value)
    if language == "th":
        return th
    if language == "en":
        return en
    raise ValueError(f"unsupported language {language!r}; expected 'th' or 'en'")


def labels_for(enum_class: type[StrEnum]) -> list[dict[str, str]]:
    """Lists every value of an enum as {"code", "label_th", "label_en"}, in definition order."""
    if enum_class not in _LABELS:
        raise KeyError(f"{enum_class.__name__} has no labels")
    return [
        {"code": member.value, "label_th": th, "label_en": en}
        for member in enum_class
        for th, en in (_pair(member),)
    ]


def _quality(parameters: list[str]) -> float | None:
    """Reads the q-value of one Accept-Language entry; None when it is malformed."""
    for parameter in parameters:
        name, _, raw = parameter.partition("=")
        if name.strip().lower() != "q":
            continue
        try:
            q = float(raw.strip())
        except ValueError:
            return None
        if math.isnan(q) or not 0.0 <= q <= 1.0:
            return None
        return q
    return 1.0


def preferred_language(accept_language_header: str | None) -> Language:
    """Picks "th" or "en" from an Accept-Language header by q-value; "th" when neither fits."""
    if not accept_language_header:
        return DEFAULT_LANGUAGE
    # (q, -position) per language: the highest q wins, the earliest entry breaks a tie.
    best: dict[Language, tuple[float, int]] = {}
    wildcard: tuple[float, int] | None = None
    for position, entry in enumerate(accept_language_header.split(",")[:50]):
        tag, *parameters = entry.split(";")
        primary = tag.strip().lower().split("-", 1)[0]
        q = _quality(parameters)
        if q is None or not primary:
            continue
        rank = (q, -position)
        if primary == "*":
            wildcard = max(wildcard, rank) if wildcard is not None else rank
        else:
            for language in LANGUAGES:
                if primary == language:
                    best[language] = max(best.get(language, rank), rank)
    if wildcard is not None:
        for language in LANGUAGES:
            best.setdefault(language, wildcard)
    acceptable = {language: rank for language, rank in best.items() if rank[0] > 0}
    if not acceptable:
        return DEFAULT_LANGUAGE
    # On a full tie (both only through "*"), "th" comes first in the dict and max keeps it.
    return max(acceptable, key=lambda language: acceptable[language])
