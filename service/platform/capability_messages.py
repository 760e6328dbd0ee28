"""The details of the errors the routing, directory, referral, privacy and webhook services
raise, in English and Thai (merged into `messages.DETAILS`)."""

from __future__ import annotations

from service.platform.texts import Text

CAPABILITY_DETAILS: dict[str, Text] = {
    # privacy (service.privacy)
    "breach.not_found": Text("No such breach.", "ไม่พบเหตุละเมิดนี้"),
    "breach.if_match": Text(
        "Send the breach's ETag in If-Match.", "โปรดส่ง ETag ของเหตุละเมิดนี้ใน If-Match"
    ),
    "breach.stale": Text(
        "The breach changed since you read it; read it again.",
        "เหตุละเมิดนี้ถูกเปลี่ยนหลังจากที่คุณอ่าน โปรดอ่านใหม่อีกครั้ง",
    ),
    # data-subject requests (service.privacy.requests)
    "privacy.request_not_found": Text("No such request.", "ไม่พบคำขอนี้"),
    "privacy.request_answered": Text("The request was already answered.", "คำขอนี้ได้รับการตอบแล้ว"),
    "privacy.case_open": Text(
        "The case is still open; only a closed case is anonymised.",
        "เรื่องนี้ยังไม่ปิด ทำให้ข้อมูลไม่ระบุตัวตนได้เฉพาะเรื่องที่ปิดแล้ว",
    ),
    "privacy.not_access": Text(
        "Only an access or portability request that was not refused is exported.",
        "ส่งออกข้อมูลได้เฉพาะคำขอเข้าถึงหรือขอรับข้อมูลที่ไม่ถูกปฏิเสธ",
    ),
    # the agency directory (service.routing.directory)
    "directory.organization_not_found": Text("No such organization.", "ไม่พบหน่วยงานนี้"),
    "directory.service_not_found": Text("No such service.", "ไม่พบบริการนี้"),
    "directory.if_match": Text(
        "Send the ETag of what you change in If-Match.",
        "โปรดส่ง ETag ของข้อมูลที่จะแก้ไขใน If-Match",
    ),
    "directory.stale": Text(
        "It changed since you read it; read it again.",
        "ข้อมูลนี้ถูกเปลี่ยนหลังจากที่คุณอ่าน โปรดอ่านใหม่อีกครั้ง",
    ),
    "directory.id_taken": Text(
        "An id sent belongs to another entry of the directory; use new ids.",
        "รหัส (id) ที่ส่งมาเป็นของรายการอื่นในทำเนียบแล้ว โปรดใช้รหัสใหม่",
    ),
    "directory.own_only": Text(
        "Agency staff change only their own organization's contact data and their own "
        "services' capacity.",
        "เจ้าหน้าที่หน่วยงานแก้ไขได้เฉพาะข้อมูลติดต่อของหน่วยงานตนเองและที่ว่างของบริการของตนเอง",
    ),
    "duplicate.not_found": Text(
        "No such possible duplicate on this case.", "ไม่พบรายการที่อาจซ้ำนี้ในเรื่องนี้"
    ),
    "duplicate.decided": Text(
        "This possible duplicate was already decided; see decision.",
        "รายการที่อาจซ้ำนี้ได้รับการตัดสินแล้ว ดู decision",
    ),
    "calendar.if_match": Text(
        "Send the calendar's ETag in If-Match.", "โปรดส่ง ETag ของปฏิทินทำการใน If-Match"
    ),
    "calendar.stale": Text(
        "The calendar changed since you read it; read it again.",
        "ปฏิทินทำการถูกเปลี่ยนหลังจากที่คุณอ่าน โปรดอ่านใหม่อีกครั้ง",
    ),
    "duplicate.staff_only": Text(
        "Only caseworkers and supervisors decide on duplicates.",
        "เฉพาะเจ้าหน้าที่และหัวหน้างานตัดสินเรื่องซ้ำได้",
    ),
    # routing (service.routing: profiles, offers)
    "helper.not_found": Text("No such helper.", "ไม่พบผู้ช่วยเหลือนี้"),
    "helper.not_helper": Text(
        "Only volunteers and caseworkers have a helper profile.",
        "เฉพาะอาสาสมัครและเจ้าหน้าที่มีโปรไฟล์ผู้ช่วยเหลือ",
    ),
    "offer.not_found": Text("No such offer.", "ไม่พบข้อเสนอนี้"),
    "offer.case_status": Text(
        "A case is offered only once screened, or to hand it over while in progress.",
        "เสนอเรื่องได้เมื่อคัดกรองแล้ว หรือเพื่อส่งต่อผู้รับผิดชอบระหว่างดำเนินการ",
    ),
    "offer.pending": Text(
        "This case already has a pending offer; wait for its answer or expiry.",
        "เรื่องนี้มีข้อเสนอที่รอคำตอบอยู่แล้ว โปรดรอคำตอบหรือให้หมดเวลาก่อน",
    ),
    "offer.ineligible": Text(
        "This person cannot be offered this case now; see reason.",
        "เสนอเรื่องนี้ให้บุคคลนี้ไม่ได้ในขณะนี้ โปรดดู reason",
    ),
    "offer.no_candidate": Text(
        "No one is eligible for this case now; see the suggestions.",
        "ขณะนี้ไม่มีผู้ที่รับเรื่องนี้ได้ โปรดดูรายการแนะนำ",
    ),
    "offer.answered": Text("This offer was already answered.", "ข้อเสนอนี้ได้รับคำตอบแล้ว"),
    "offer.expired": Text("This offer has expired.", "ข้อเสนอนี้หมดเวลาแล้ว"),
    # referrals (service.routing.referrals)
    "referral.not_found": Text("No such referral.", "ไม่พบการส่งต่อนี้"),
    "referral.case_status": Text(
        "A case is referred only while in progress or already referred.",
        "ส่งต่อได้เฉพาะเรื่องที่กำลังดำเนินการหรือส่งต่อแล้วเท่านั้น",
    ),
    "referral.service_not_found": Text("No such agency service.", "ไม่พบบริการของหน่วยงานนี้"),
    "referral.service_closed": Text(
        "This service is not active or does not take referrals now.",
        "บริการนี้ไม่เปิดให้บริการหรือไม่รับการส่งต่อในขณะนี้",
    ),
    "referral.no_candidate": Text(
        "No agency service suits this case now; name a service.",
        "ขณะนี้ไม่มีบริการที่เหมาะกับเรื่องนี้ โปรดระบุบริการ",
    ),
    "referral.open": Text(
        "This case already has an open referral to this service.",
        "เรื่องนี้มีการส่งต่อไปยังบริการนี้ที่ยังไม่สิ้นสุดอยู่แล้ว",
    ),
    "referral.no_basis": Text(
        "The client has not consented to sharing and no legal basis is recorded; a supervisor "
        "may override with a reason.",
        "ผู้รับบริการยังไม่ยินยอมให้เปิดเผยข้อมูลและไม่มีฐานทางกฎหมายที่บันทึกไว้ หัวหน้างานอาจอนุมัติเป็นกรณีพิเศษพร้อมเหตุผล",
    ),
    "referral.groups_not_allowed": Text(
        "Consent or the legal basis does not allow sharing these field groups; see allowed.",
        "ความยินยอมหรือฐานทางกฎหมายไม่อนุญาตให้เปิดเผยกลุ่มข้อมูลเหล่านี้ โปรดดู allowed",
    ),
    "referral.override_role": Text(
        "Only a supervisor may override the consent gate.",
        "เฉพาะหัวหน้างานเท่านั้นที่อนุมัติเปิดเผยข้อมูลเป็นกรณีพิเศษได้",
    ),
    "referral.answer": Text(
        "This referral cannot take this step now; see allowed.",
        "การส่งต่อนี้ไม่สามารถดำเนินขั้นตอนนี้ได้ในขณะนี้ โปรดดู allowed",
    ),
    "referral.not_shared": Text(
        "A declined or cancelled referral no longer shares the case.",
        "การส่งต่อที่ถูกปฏิเสธหรือยกเลิกแล้วจะไม่เปิดเผยข้อมูลเรื่องนี้อีก",
    ),
    "referral.agency_only": Text(
        "Only the agency a referral was sent to answers it.",
        "เฉพาะหน่วยงานที่ได้รับการส่งต่อเท่านั้นที่ตอบรับการส่งต่อได้",
    ),
    "referral.center_only": Text(
        "Only caseworkers and supervisors cancel a referral.",
        "เฉพาะเจ้าหน้าที่และหัวหน้างานเท่านั้นที่ยกเลิกการส่งต่อได้",
    ),
    "webhook.endpoint_not_found": Text("No such webhook endpoint.", "ไม่พบปลายทางเว็บฮุกนี้"),
    "webhook.no_url": Text(
        "This service has no webhook URL in the directory.",
        "บริการนี้ยังไม่มี URL เว็บฮุกในทำเนียบหน่วยงาน",
    ),
    "webhook.url_refused": Text(
        "Webhooks are sent only to http or https URLs.",
        "เว็บฮุกส่งได้เฉพาะ URL แบบ http หรือ https",
    ),
    "webhook.endpoint_disabled": Text(
        "This webhook endpoint is disabled; enable it first.",
        "ปลายทางเว็บฮุกนี้ถูกปิดอยู่ โปรดเปิดใช้งานก่อน",
    ),
    "webhook.delivery_not_found": Text("No such webhook delivery.", "ไม่พบการส่งเว็บฮุกนี้"),
    "webhook.delivery_pending": Text(
        "This delivery is still being tried.", "การส่งนี้ยังอยู่ระหว่างการพยายามส่ง"
    ),
}
