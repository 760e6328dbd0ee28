"""The words of every error answer, in English and Thai.

Problem titles and default details are keyed by problem type; the sentence of a field error is
keyed by its `type`, which is either one of our codes (`thai_id`, `phone`, `area`...) or one
of pydantic's error types (`missing`, `string_too_long`...). A sentence never quotes the
submitted value nor a library's message; it may name a limit the schema declares, such as a
maximum length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from service.platform.capability_messages import CAPABILITY_DETAILS
from service.platform.consent_messages import CONSENT_DETAILS, CONSENT_FIELD_TEXT
from service.platform.texts import ProblemText, Text
from service.reference_data.labels import Language

PROBLEMS: dict[str, ProblemText] = {
    "bad-request": ProblemText(
        Text("Bad request", "คำขอไม่ถูกต้อง"),
        Text("The request could not be understood.", "ระบบไม่เข้าใจคำขอนี้"),
    ),
    "malformed-body": ProblemText(
        Text("The body is not valid JSON", "เนื้อหาคำขอไม่ใช่ JSON ที่ถูกต้อง"),
        Text(
            "The request body could not be read as JSON; check its syntax.",
            "อ่านเนื้อหาคำขอเป็น JSON ไม่ได้ โปรดตรวจสอบรูปแบบ",
        ),
    ),
    "unauthenticated": ProblemText(
        Text("Authentication required", "ต้องยืนยันตัวตน"),
        Text("Sign in and send a valid access token.", "โปรดเข้าสู่ระบบและส่งโทเคนที่ใช้ได้"),
    ),
    "forbidden": ProblemText(
        Text("Not allowed", "ไม่มีสิทธิ์"),
        Text("Your role may not do this.", "บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้"),
    ),
    "not-found": ProblemText(
        Text("Not found", "ไม่พบข้อมูล"),
        Text("There is nothing here you may see.", "ไม่พบข้อมูลที่คุณมีสิทธิ์เข้าถึง"),
    ),
    "conflict": ProblemText(
        Text("Conflict", "ข้อมูลขัดแย้ง"),
        Text(
            "The request conflicts with the current state of the resource.",
            "คำขอขัดแย้งกับสถานะปัจจุบันของข้อมูล",
        ),
    ),
    "invalid-transition": ProblemText(
        Text("Transition not allowed", "เปลี่ยนสถานะนี้ไม่ได้"),
        Text(
            "The case cannot move to that status now; see allowed.",
            "เรื่องนี้ยังเปลี่ยนไปสถานะดังกล่าวไม่ได้ โปรดดูสถานะที่ทำได้ใน allowed",
        ),
    ),
    "precondition-failed": ProblemText(
        Text("Precondition failed", "ข้อมูลถูกแก้ไขไปแล้ว"),
        Text(
            "The resource changed since you read it; read it again.",
            "ข้อมูลถูกเปลี่ยนหลังจากที่คุณอ่าน โปรดอ่านใหม่อีกครั้ง",
        ),
    ),
    "precondition-required": ProblemText(
        Text("Precondition required", "ต้องระบุเวอร์ชันของข้อมูล"),
        Text(
            "Send If-Match with the ETag you read.",
            "โปรดส่ง If-Match พร้อม ETag ที่ได้จากการอ่านข้อมูล",
        ),
    ),
    "validation-error": ProblemText(
        Text("The request is not valid", "ข้อมูลในคำขอไม่ถูกต้อง"),
        Text(
            "One or more fields are not valid; see errors.",
            "ข้อมูลบางช่องไม่ถูกต้อง โปรดดูรายละเอียดใน errors",
        ),
    ),
    "unsupported-media-type": ProblemText(
        Text("Unsupported media type", "ไม่รองรับรูปแบบเนื้อหานี้"),
        Text(
            "Send the body in a media type this operation accepts; see Accept-Post or "
            "Accept-Patch.",
            "โปรดส่งเนื้อหาในรูปแบบที่รายการนี้รับ ดู Accept-Post หรือ Accept-Patch",
        ),
    ),
    "database-busy": ProblemText(
        Text("The database is busy", "ฐานข้อมูลไม่ว่าง"),
        Text(
            "The request met a concurrent change; send it again.",
            "คำขอชนกับการเปลี่ยนแปลงอื่นที่เกิดขึ้นพร้อมกัน กรุณาส่งอีกครั้ง",
        ),
    ),
    "payload-too-large": ProblemText(
        Text("Request body too large", "เนื้อหาคำขอใหญ่เกินไป"),
        Text(
            "The request body is larger than this service accepts.",
            "เนื้อหาคำขอมีขนาดใหญ่เกินกว่าที่ระบบรับได้",
        ),
    ),
    "too-many-requests": ProblemText(
        Text("Too many attempts", "พยายามหลายครั้งเกินไป"),
        Text("Wait for Retry-After seconds, then try again.", "โปรดรอตาม Retry-After แล้วลองใหม่"),
    ),
    "internal-error": ProblemText(
        Text("Internal server error", "ระบบขัดข้อง"),
        Text(
            "The server could not complete the request. It has been logged.",
            "ระบบทำรายการไม่สำเร็จ และได้บันทึกปัญหาไว้แล้ว",
        ),
    ),
}

# Answers the framework gives before our code runs; their type stays `about:blank`, whose
# title RFC 9457 wants to be the status phrase (localised here).
HTTP_PROBLEMS: dict[int, ProblemText] = {
    400: PROBLEMS["bad-request"],
    404: ProblemText(
        Text("Not Found", "ไม่พบ"),
        Text("Nothing is served at this address.", "ไม่มีบริการที่ที่อยู่นี้"),
    ),
    405: ProblemText(
        Text("Method Not Allowed", "ไม่รองรับเมธอดนี้"),
        Text("This address does not take this method; see Allow.", "ที่อยู่นี้ไม่รับเมธอดนี้ ดู Allow"),
    ),
}

DETAILS: dict[str, Text] = {
    "token.missing": Text(
        "A bearer access token is required.", "ต้องส่งโทเคนเข้าใช้งาน (bearer access token)"
    ),
    "token.invalid": Text(
        "The access token is not valid; sign in again.",
        "โทเคนเข้าใช้งานไม่ถูกต้อง โปรดเข้าสู่ระบบใหม่",
    ),
    "token.expired": Text(
        "The access token expired; use your refresh token to get a new one.",
        "โทเคนเข้าใช้งานหมดอายุแล้ว โปรดใช้ refresh token ขอโทเคนใหม่",
    ),
    "token.revoked": Text(
        "The access token was revoked (signed out, or the account changed); sign in again.",
        "โทเคนเข้าใช้งานถูกยกเลิกแล้ว (ออกจากระบบหรือบัญชีถูกเปลี่ยนแปลง) โปรดเข้าสู่ระบบใหม่",
    ),
    "body.json": Text(
        "Send the body as JSON, with Content-Type: application/json.",
        "โปรดส่งเนื้อหาเป็น JSON พร้อม Content-Type: application/json",
    ),
    "body.form": Text(
        "Send the body as a form, with Content-Type: application/x-www-form-urlencoded.",
        "โปรดส่งเนื้อหาเป็นฟอร์ม พร้อม Content-Type: application/x-www-form-urlencoded",
    ),
    "query.unknown": Text(
        "The query has parameters this operation does not take; see errors.",
        "คำขอมีพารามิเตอร์ที่รายการนี้ไม่รับ โปรดดูรายละเอียดใน errors",
    ),
    # cases (service.cases: loading, changes, transitions, notes, duplicate decisions)
    "case.not_found": Text("No such case.", "ไม่พบเรื่องนี้"),
    "case.read_only": Text("You may read this case but not change it.", "คุณอ่านเรื่องนี้ได้ แต่แก้ไขไม่ได้"),
    "case.if_match": Text("Send the case's ETag in If-Match.", "โปรดส่ง ETag ของเรื่องนี้ใน If-Match"),
    "case.stale": Text(
        "The case changed since you read it; read it again.",
        "เรื่องนี้ถูกเปลี่ยนหลังจากที่คุณอ่าน โปรดอ่านใหม่อีกครั้ง",
    ),
    "case.closed": Text(
        "A closed case is read-only; a supervisor may reopen it.",
        "เรื่องที่ปิดแล้วแก้ไขไม่ได้ หัวหน้างานเปิดเรื่องใหม่ได้",
    ),
    "transition.role": Text(
        "Your role may not make this move on this case.",
        "บทบาทของคุณเปลี่ยนสถานะเรื่องนี้ตามที่ขอไม่ได้",
    ),
    "transition.critical": Text(
        "Only a supervisor may close a critical case.", "เฉพาะหัวหน้างานปิดเรื่องวิกฤตได้"
    ),
    **CAPABILITY_DETAILS,
    **CONSENT_DETAILS,
}

GENERIC_FIELD_TEXT = Text("This value is not valid.", "ค่านี้ไม่ถูกต้อง")

_DATE_TIME = Text(
    "Must be an ISO 8601 date and time with an offset, such as 2026-11-01T09:30:00+07:00.",
    "ต้องเป็นวันและเวลาแบบ ISO 8601 พร้อมเขตเวลา เช่น 2026-11-01T09:30:00+07:00",
)
_DATE = Text("Must be a date written YYYY-MM-DD.", "ต้องเป็นวันที่ในรูปแบบ YYYY-MM-DD")
_WHOLE_NUMBER = Text("Must be a whole number.", "ต้องเป็นจำนวนเต็ม")
_NUMBER = Text("Must be a number.", "ต้องเป็นตัวเลข")
_BOOLEAN = Text("Must be true or false.", "ต้องเป็น true หรือ false")
_UUID = Text("Must be a UUID.", "ต้องเป็น UUID")
_OBJECT = Text("Must be a JSON object.", "ต้องเป็นออบเจกต์ JSON")
_CHOICE = Text(
    "Not one of the allowed values; the API description lists them.",
    "ไม่ใช่ค่าที่กำหนดไว้ โปรดดูค่าที่ใช้ได้ในเอกสาร API",
)

FIELD_TEXT: dict[str, Text] = {
    # pydantic's error types
    "missing": Text("This is required.", "ต้องระบุ"),
    "extra_forbidden": Text("This field is not accepted here.", "ไม่รับข้อมูลช่องนี้"),
    "string_type": Text("Must be text.", "ต้องเป็นข้อความ"),
    "string_unicode": Text("Must be valid Unicode text.", "ต้องเป็นข้อความ Unicode ที่ถูกต้อง"),
    "string_too_short": Text(
        "Must be at least {min_length} characters long.", "ต้องยาวอย่างน้อย {min_length} ตัวอักษร"
    ),
    "string_too_long": Text(
        "Must be at most {max_length} characters long.", "ต้องยาวไม่เกิน {max_length} ตัวอักษร"
    ),
    "string_pattern_mismatch": Text(
        "Not in the expected format; the API description of this field shows it.",
        "รูปแบบไม่ถูกต้อง โปรดดูรูปแบบของช่องนี้ในเอกสาร API",
    ),
    "int_type": _WHOLE_NUMBER,
    "int_parsing": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "int_parsing_size": _WHOLE_NUMBER,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": Text("Must be a finite number.", "ต้องเป็นตัวเลขที่มีค่าจำกัด"),
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "enum": _CHOICE,
    "literal_error": _CHOICE,
    "uuid_type": _UUID,
    "uuid_parsing": _UUID,
    "datetime_type": _DATE_TIME,
    "datetime_parsing": _DATE_TIME,
    "datetime_from_date_parsing": _DATE_TIME,
    "timezone_aware": _DATE_TIME,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "list_type": Text("Must be a list.", "ต้องเป็นรายการ (array)"),
    "too_short": Text("Must have at least {min_length} items.", "ต้องมีอย่างน้อย {min_length} รายการ"),
    "too_long": Text("Must have at most {max_length} items.", "ต้องมีไม่เกิน {max_length} รายการ"),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "greater_than": Text("Must be greater than {gt}.", "ต้องมากกว่า {gt}"),
    "greater_than_equal": Text("Must be {ge} or more.", "ต้องมีค่าตั้งแต่ {ge} ขึ้นไป"),
    "less_than": Text("Must be less than {lt}.", "ต้องน้อยกว่า {lt}"),
    "less_than_equal": Text("Must be {le} or less.", "ต้องมีค่าไม่เกิน {le}"),
    "json_invalid": Text(
        "The body is not valid JSON; check its syntax.", "เนื้อหาไม่ใช่ JSON ที่ถูกต้อง โปรดตรวจสอบรูปแบบ"
    ),
    # our own checks (service.cases, service.thai, service.platform)
    "thai_id": Text(
        "Not a Thai identification number: it has 13 digits (spaces and hyphens are allowed).",
        "เลขประจำตัวไม่ถูกต้อง ต้องเป็นตัวเลข 13 หลัก (เว้นวรรคหรือขีดได้)",
    ),
    "thai_id_check_digit": Text(
        "The last digit of this identification number is not its check digit; a digit was "
        "probably mistyped.",
        "หลักสุดท้ายของเลขประจำตัวไม่ตรงกับเลขตรวจสอบ อาจพิมพ์ตัวเลขผิด",
    ),
    "passport": Text(
        "A passport number is 5 to 20 letters or digits.",
        "เลขหนังสือเดินทางต้องเป็นตัวอักษรหรือตัวเลข 5 ถึง 20 ตัว",
    ),
    "id_type": Text(
        "Set id_type to thai_id, non_thai_id or passport to give a number.",
        "โปรดระบุ id_type เป็น thai_id, non_thai_id หรือ passport ก่อนใส่เลข",
    ),
    "phone": Text(
        "Not a phone number we can read; give a Thai number such as 081 234 5678, or an "
        "international one starting with +.",
        "อ่านหมายเลขโทรศัพท์ไม่ได้ โปรดใส่เบอร์ไทย เช่น 081 234 5678 หรือเบอร์ต่างประเทศที่ขึ้นต้นด้วย +",
    ),
    "date": Text("Not a date that exists.", "ไม่ใช่วันที่ที่มีอยู่จริง"),
    "future": Text("Cannot be in the future.", "เป็นวันเวลาในอนาคตไม่ได้"),
    "range": Text("Outside the accepted range.", "อยู่นอกช่วงที่รับได้"),
    "area": Text(
        "Not an official area code, or not inside the area given above it.",
        "ไม่ใช่รหัสพื้นที่ทางการ หรือไม่อยู่ในพื้นที่ระดับที่สูงกว่าที่ระบุ",
    ),
    "abroad_area": Text(
        "A location outside Thailand has no Thai area code; leave it out, or set country_code "
        "to TH.",
        "สถานที่นอกประเทศไทยไม่มีรหัสพื้นที่ของไทย โปรดเว้นว่างไว้ หรือระบุ country_code เป็น TH",
    ),
    "country": Text(
        "Not a country code of ISO 3166-1 (two letters, such as MY); the list of countries "
        "gives them.",
        "ไม่ใช่รหัสประเทศตาม ISO 3166-1 (อักษรสองตัว เช่น MY) โปรดดูรายชื่อประเทศ",
    ),
    "anonymous": Text(
        "An anonymous reporter gives no name or phone.",
        "ผู้แจ้งที่ไม่ประสงค์ออกนามต้องไม่ระบุชื่อหรือเบอร์โทรศัพท์",
    ),
    "basis": Text(
        "Consent is not a basis when consent was not given.",
        "ใช้ความยินยอมเป็นฐานไม่ได้เมื่อไม่ได้รับความยินยอม",
    ),
    "privacy_subject": Text(
        "Give an id number, a phone number, or a first name with a birth date.",
        "โปรดระบุเลขประจำตัว เบอร์โทรศัพท์ หรือชื่อพร้อมวันเกิด",
    ),
    "breach_vulnerable": Text(
        "A breach of vulnerable people's data is not unlikely to put them at risk.",
        "เหตุละเมิดข้อมูลของกลุ่มเปราะบางจะถือว่าไม่น่าจะมีความเสี่ยงไม่ได้",
    ),
    "before_detection": Text(
        "Cannot be before the breach was detected.", "ต้องไม่ก่อนเวลาที่ตรวจพบเหตุละเมิด"
    ),
    "breach_regulator": Text(
        "Tell the regulator (regulator_notified_at) before closing a breach with a risk.",
        "ต้องแจ้งสำนักงานคณะกรรมการฯ (regulator_notified_at) ก่อนปิดเหตุละเมิดที่มีความเสี่ยง",
    ),
    "breach_subjects": Text(
        "Tell the people affected (subjects_notified_at) before closing a high-risk breach.",
        "ต้องแจ้งเจ้าของข้อมูล (subjects_notified_at) ก่อนปิดเหตุละเมิดที่มีความเสี่ยงสูง",
    ),
    "consistency": Text("Inconsistent with the other fields given.", "ไม่สอดคล้องกับข้อมูลช่องอื่น"),
    "null": Text("This field cannot be cleared.", "ลบค่าของช่องนี้ไม่ได้"),
    "not_found": Text("No such case.", "ไม่พบเรื่องนี้"),
    "screening": Text(
        "Only a move to screened takes screening fields.",
        "ช่องของการคัดกรองใช้ได้เฉพาะเมื่อเปลี่ยนเป็นสถานะคัดกรองแล้ว",
    ),
    "empty": Text("Send at least one field.", "โปรดส่งข้อมูลอย่างน้อยหนึ่งช่อง"),
    "cursor": Text(
        "Not a valid cursor; start again without one.",
        "cursor ไม่ถูกต้อง โปรดเริ่มใหม่โดยไม่ส่ง cursor",
    ),
    "mismatch": Text(
        "This key was used with a different request body.",
        "คีย์นี้เคยใช้กับเนื้อหาคำขออื่นแล้ว",
    ),
    "id_number_again": Text(
        "Send the id number again with its new id_type.",
        "โปรดส่งเลขประจำตัวอีกครั้งพร้อม id_type ใหม่",
    ),
    "closure_early": Text(
        "A new or screened case closes only as duplicate or out_of_scope.",
        "เรื่องใหม่หรือเรื่องที่คัดกรองแล้วปิดได้เฉพาะเหตุผล duplicate หรือ out_of_scope",
    ),
    "closing_only": Text("Only a move to closed takes this field.", "ช่องนี้ใช้ได้เฉพาะเมื่อปิดเรื่อง"),
    "duplicate_only": Text(
        "Only a closure as duplicate names the case it duplicates.",
        "ระบุเรื่องที่ซ้ำได้เฉพาะเมื่อปิดด้วยเหตุผล duplicate",
    ),
    "unknown_parameter": Text(
        "This operation takes no query parameter of this name.",
        "รายการนี้ไม่รับพารามิเตอร์ชื่อนี้",
    ),
    **CONSENT_FIELD_TEXT,
}

# Limits a schema declares, which a sentence may name; never the input nor library text.
_LIMITS = ("min_length", "max_length", "ge", "gt", "le", "lt")


def _limit(value: Any) -> str | None:
    """A declared limit as text, or None when it is not a plain number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


def field_sentence(
    kind: str, language: Language, *, limits: Mapping[str, Any] | None = None
) -> str | None:
    """The sentence for a field error of `kind`, or None when the catalogue has none."""
    text = FIELD_TEXT.get(kind)
    if text is None:
        return None
    sentence = text.in_language(language)
    values = {name: _limit((limits or {}).get(name)) for name in _LIMITS}
    if any(f"{{{name}}}" in sentence and values[name] is None for name in _LIMITS):
        return GENERIC_FIELD_TEXT.in_language(language)
    return sentence.format(**{name: value or "" for name, value in values.items()})
