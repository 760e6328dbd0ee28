"""The words of the errors of consents and of the restriction of a case, in English and Thai
(merged into `messages.DETAILS` and `messages.FIELD_TEXT`)."""

from __future__ import annotations

from service.platform.texts import Text

CONSENT_DETAILS: dict[str, Text] = {
    "consent.not_found": Text("No such consent on this case.", "ไม่พบความยินยอมนี้ในเรื่องนี้"),
    "consent.staff_only": Text(
        "Only caseworkers and supervisors record and withdraw consents.",
        "เฉพาะเจ้าหน้าที่และหัวหน้างานบันทึกและถอนความยินยอมได้",
    ),
    "consent.nothing_left": Text(
        "Every group of this consent was already withdrawn, or it expired.",
        "ความยินยอมนี้ถูกถอนครบทุกกลุ่มข้อมูลแล้ว หรือหมดอายุแล้ว",
    ),
    "referral.consent_withdrawn": Text(
        "The client withdrew consent to share these field groups; see withdrawn. A supervisor "
        "may override with a reason.",
        "ผู้รับบริการถอนความยินยอมให้เปิดเผยกลุ่มข้อมูลเหล่านี้แล้ว โปรดดู withdrawn "
        "หัวหน้างานอาจอนุมัติเป็นกรณีพิเศษพร้อมเหตุผล",
    ),
    "case.restricted": Text(
        "The client restricted or objected to the use of this case's data; it cannot be "
        "referred, shared or exported while restricted. See restriction.",
        "ผู้รับบริการขอให้ระงับหรือคัดค้านการใช้ข้อมูลของเรื่องนี้ จึงส่งต่อ เปิดเผย หรือส่งออก"
        "ไม่ได้ระหว่างที่ถูกระงับ โปรดดู restriction",
    ),
    "restriction.supervisor_only": Text(
        "Only a supervisor restricts a case or lifts its restriction.",
        "เฉพาะหัวหน้างานระงับการใช้ข้อมูลของเรื่องหรือยกเลิกการระงับได้",
    ),
    "restriction.already": Text(
        "This case is already restricted; see restriction.",
        "เรื่องนี้ถูกระงับการใช้ข้อมูลอยู่แล้ว โปรดดู restriction",
    ),
    "restriction.none": Text("This case is not restricted.", "เรื่องนี้ไม่ได้ถูกระงับการใช้ข้อมูล"),
}

CONSENT_FIELD_TEXT: dict[str, Text] = {
    "guardian": Text(
        "The client is a minor: give the guardian who consented and their relationship.",
        "ผู้รับบริการเป็นผู้เยาว์ โปรดระบุผู้ปกครองที่ให้ความยินยอมและความสัมพันธ์",
    ),
    "guardian_relationship": Text(
        "Give the guardian's relationship to the client with the guardian's name.",
        "โปรดระบุความสัมพันธ์ของผู้ปกครองกับผู้รับบริการพร้อมชื่อผู้ปกครอง",
    ),
    "not_future": Text("Must be in the future.", "ต้องเป็นเวลาในอนาคต"),
    "organization": Text("No such organization.", "ไม่พบหน่วยงานนี้"),
    "not_in_consent": Text(
        "This group is not in the consent, or was already withdrawn.",
        "กลุ่มข้อมูลนี้ไม่อยู่ในความยินยอม หรือถูกถอนไปแล้ว",
    ),
}
