"""Demo data for development: one account per role and fifty realistic cases in Thai.

The cases go through the same services as real work: intake (`service.cases.intake.submit_case`),
screening, transitions and notes (`service.cases.reading`), so their references, events, hash chains
and possible-duplicate links are real. Each demo case has a fixed `client_reference`, so seeding
again finds the cases already there and creates nothing. Their times are spread over the last
seven weeks, so queues, timelines and statistics look like a working center.

A volunteer comes to lead a case by accepting an offer a caseworker made after screening; both
the offer and the acceptance are events on the case's chain, and the volunteer then takes the
working steps (notes, waiting for the client, resolving) as the lead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import geothai
from sqlalchemy.ext.asyncio import AsyncSession

from models.case import Case, CaseCreate, NoteIn, TransitionIn
from models.enums import (
    CaseEventType,
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    LegalBasis,
    Role,
    Urgency,
)
from models.user import User
from service.cases import intake
from service.cases import reading as cases
from service.cases.events import append_event
from service.demo.accounts import ensure_demo_accounts
from service.platform.errors import Forbidden
from service.platform.settings import Settings
from service.thai.ids import thai_id_check_digit

# Demo client references are uuid5 names in this namespace: stable across machines and runs.
DEMO_NAMESPACE = uuid.UUID("6f1d7c1e-3b0a-4c59-9a43-0f5e2d8b7a10")

C = Category
S = CaseStatus
U = Urgency
CH = Channel
R = ClosureReason


def thai_id(first_twelve: str) -> str:
    """A Thai 13-digit id: the given 12 digits and their mod-11 check digit."""
    return first_twelve + str(thai_id_check_digit(first_twelve))


def person(
    title: str | None, first: str | None, last: str | None, gender: str, **more: Any
) -> dict[str, Any]:
    """The `client` part of an intake."""
    client: dict[str, Any] = {"gender": gender, "languages": ["th"], **more}
    for key, value in (("title", title), ("first_name", first), ("last_name", last)):
        if value is not None:
            client[key] = value
    return client


def reporter(
    relationship: str, name: str | None = None, phone: str | None = None
) -> dict[str, Any]:
    """The `reporter` part of an intake."""
    return {"relationship": relationship, "name": name, "phone": phone}


GIVEN: dict[str, Any] = {"data_collection": "given", "share_with_agencies": True}


@dataclass(frozen=True)
class DemoCase:
    """One demo case: what was reported, and how far its handling has gone."""

    key: str
    days_ago: float
    summary: str
    categories: tuple[Category, ...]
    urgency: Urgency
    channel: Channel
    area: str  # a subdistrict, district or province code; the rest comes from geothai
    client: dict[str, Any]
    reporter: dict[str, Any]
    ends: CaseStatus
    consent: dict[str, Any] = field(default_factory=lambda: dict(GIVEN))
    immediate_danger: bool = False
    screened_as: Urgency | None = None
    basis: LegalBasis | None = None
    reported_by: Role | None = None  # by default volunteers report from the field
    lead: Role = Role.caseworker
    closure: ClosureReason | None = None
    duplicate_of: str | None = None
    notes: tuple[str, ...] = ()
    detour: bool = False  # waited for the client once before going on
    reopen: tuple[str, str] | None = None  # (reason, note after reopening)
    address: str | None = None

    @property
    def client_reference(self) -> uuid.UUID:
        return uuid.uuid5(DEMO_NAMESPACE, self.key)

    @property
    def decided_urgency(self) -> Urgency:
        if self.immediate_danger:
            return Urgency.critical
        return self.screened_as or self.urgency

    @property
    def reporter_role(self) -> Role:
        if self.reported_by is not None:
            return self.reported_by
        return Role.volunteer if self.channel in (CH.mobile, CH.outreach) else Role.caseworker


DEMO_CASES: tuple[DemoCase, ...] = (
    # ------------------------------------------------------------------ new
    DemoCase(
        key="older-alone-phra-nakhon",
        days_ago=0.4,
        summary=(
            "ผู้สูงอายุหญิงอายุ 83 ปี อาศัยอยู่ลำพังในห้องเช่าย่านวังบูรพา ลูกหลานไม่ได้มาเยี่ยม"
            "หลายเดือน เพื่อนบ้านแจ้งว่าไม่มีอาหารรับประทานมาสองวัน เดินไม่ค่อยไหว "
            "และยังไม่ได้รับเบี้ยยังชีพผู้สูงอายุ"
        ),
        categories=(C.older_person, C.income_livelihood),
        urgency=U.high,
        channel=CH.hotline_1300,
        area="100102",
        client=person(
            "นาง",
            "บุญมี",
            "ศรีสุข",
            "female",
            id_type="thai_id",
            id_number=thai_id("310010045678"),
            birth_year=2484,
            phone="081-245-6670",
        ),
        reporter=reporter("neighbour", "นางสมพร แก้วใส", "089-245-6671"),
        ends=S.new,
        address="ห้องเช่าหลังตลาด ซอยสำราญราษฎร์",
    ),
    DemoCase(
        key="older-alone-phra-nakhon-daughter-call",
        days_ago=0.1,
        summary=(
            "ลูกสาวโทรจากจังหวัดระยอง แจ้งว่ามารดาอายุ 83 ปีอยู่ลำพังที่เขตพระนคร "
            "ติดต่อไม่ได้สองวัน ขอให้เจ้าหน้าที่ไปเยี่ยมบ้านและช่วยประสานเรื่องเบี้ยยังชีพ"
        ),
        categories=(C.older_person,),
        urgency=U.normal,
        channel=CH.phone,
        area="100102",
        client=person("นาง", "บุญมี", "ศรีสุข", "female", phone="0812456670", age_estimate=83),
        reporter=reporter("family", "นางสาวจันทร์เพ็ญ ศรีสุข", "086-112-3489"),
        ends=S.new,
    ),
    DemoCase(
        key="teen-pregnancy-korat",
        days_ago=0.7,
        summary=(
            "นักเรียนหญิงชั้นมัธยมศึกษาปีที่ 4 อายุ 16 ปี ตั้งครรภ์ประมาณ 10 สัปดาห์ "
            "ยังไม่กล้าบอกผู้ปกครอง ทักมาทางไลน์ขอคำปรึกษาเรื่องทางเลือกและการเรียนต่อ "
            "มีความเครียดสูงและนอนไม่หลับ"
        ),
        categories=(C.unready_pregnancy, C.child_youth),
        urgency=U.high,
        channel=CH.line,
        area="300102",
        client=person(
            "นางสาว",
            "ปวีณา",
            "ทองมา",
            "female",
            nickname="แพร",
            birth_date="2552-08-14",
            pregnant=True,
            phone="092-318-4470",
        ),
        reporter=reporter("self", "ปวีณา", "092-318-4470"),
        ends=S.new,
    ),
    DemoCase(
        key="flood-khong-chiam",
        days_ago=0.05,
        summary=(
            "น้ำโขงล้นตลิ่งท่วมบ้านชั้นเดียวของครอบครัว 5 คน มีผู้สูงอายุติดเตียง 1 คน "
            "และเด็กเล็ก 2 คน ตอนนี้อพยพไปพักที่ศาลาวัด ขาดเครื่องนอน อาหาร "
            "และยารักษาโรคประจำตัวของผู้สูงอายุ"
        ),
        categories=(C.disaster_affected, C.housing),
        urgency=U.high,
        channel=CH.mobile,
        area="340301",
        client=person(
            "นาย",
            "สมหมาย",
            "พรมมา",
            "male",
            id_type="thai_id",
            id_number=thai_id("334030012345"),
            birth_year=2518,
            phone="093-441-2087",
        ),
        reporter=reporter("volunteer", "อาสาสมัครศูนย์ฯ ทีมอุบลราชธานี", "062-771-0934"),
        ends=S.new,
        address="ศาลาวัดบ้านโขงเจียม",
    ),
    DemoCase(
        key="missing-grandfather-hat-yai",
        days_ago=0.15,
        summary=(
            "ผู้สูงอายุชายอายุ 81 ปี มีภาวะสมองเสื่อม ออกจากบ้านตั้งแต่เช้าและยังไม่กลับ "
            "ไม่ได้พกโทรศัพท์ สวมเสื้อสีฟ้า กางเกงสีน้ำตาล ญาติแจ้งตำรวจแล้ว "
            "ขอให้ช่วยประสานหน่วยงานในพื้นที่และประกาศตามหา"
        ),
        categories=(C.missing_person, C.older_person, C.health_mental_health),
        urgency=U.critical,
        immediate_danger=True,
        channel=CH.phone,
        area="901101",
        client=person(
            "นาย",
            "เจริญ",
            "ศักดิ์ดี",
            "male",
            id_type="thai_id",
            id_number=thai_id("390110023456"),
            birth_year=2486,
        ),
        reporter=reporter("family", "นางวันเพ็ญ ศักดิ์ดี", "089-765-4312"),
        ends=S.new,
    ),
    DemoCase(
        key="scholarship-question",
        days_ago=1.2,
        summary=(
            "นักศึกษาชั้นปีที่ 1 สอบถามช่องทางขอทุนการศึกษาและกองทุนเงินให้กู้ยืมเพื่อการศึกษา "
            "เนื่องจากบิดาประสบอุบัติเหตุและครอบครัวขาดรายได้หลัก"
        ),
        categories=(C.income_livelihood, C.child_youth),
        urgency=U.low,
        channel=CH.web,
        area="65",
        client=person("นาย", "ธนพล", "ใจงาม", "male", birth_year=2549, phone="095-208-7713"),
        reporter=reporter("self", "ธนพล ใจงาม", "095-208-7713"),
        ends=S.new,
    ),
    DemoCase(
        key="begging-mother-child-pattaya",
        days_ago=1.0,
        summary=(
            "พบหญิงชาวกัมพูชาพร้อมเด็กเล็กอายุประมาณ 3 ขวบ นั่งขอทานบริเวณถนนคนเดินพัทยา"
            "ในช่วงกลางคืน เด็กมีไข้ ผู้หญิงสื่อสารภาษาไทยได้เล็กน้อย ไม่มีเอกสารประจำตัว"
        ),
        categories=(C.begging, C.child_youth),
        urgency=U.normal,
        channel=CH.outreach,
        area="200402",
        client=person(
            None,
            None,
            None,
            "female",
            nickname="มาลี",
            id_type="none",
            age_estimate=30,
            nationality="กัมพูชา",
            languages=["km", "th"],
        ),
        reporter=reporter("volunteer", "อาสาสมัครทีมชลบุรี", "064-318-2290"),
        consent={"data_collection": "not_possible", "basis": "social_protection"},
        ends=S.new,
        address="ถนนคนเดินพัทยา",
    ),
    DemoCase(
        key="welfare-card-advice",
        days_ago=2.0,
        summary=(
            "ขอคำแนะนำเรื่องการลงทะเบียนบัตรสวัสดิการแห่งรัฐ เคยลงทะเบียนแล้วไม่ผ่านเกณฑ์ "
            "ปัจจุบันตกงานและเลี้ยงลูกอายุ 2 ขวบตามลำพัง"
        ),
        categories=(C.welfare_rights_access,),
        urgency=U.low,
        channel=CH.web,
        area="400102",
        client=person("นางสาว", "อรอุมา", "ศรีวงศ์", "female", birth_year=1990, phone="061-552-8031"),
        reporter=reporter("self", "อรอุมา ศรีวงศ์", "061-552-8031"),
        reported_by=Role.supervisor,
        ends=S.new,
    ),
    # ------------------------------------------------------------------ screened
    DemoCase(
        key="child-alone-chiang-mai",
        days_ago=1.5,
        summary=(
            "ครูประจำชั้นแจ้งว่านักเรียนชายชั้น ป.3 อายุ 9 ปี มาโรงเรียนด้วยเสื้อผ้าสกปรก"
            "และหิวบ่อย เล่าว่าพ่อแม่ใช้ยาเสพติดและทิ้งให้อยู่บ้านคนเดียวหลายคืน"
        ),
        categories=(C.child_youth, C.drug_affected),
        urgency=U.normal,
        screened_as=U.high,
        channel=CH.phone,
        area="500103",
        client=person(
            "เด็กชาย",
            "ภูมิ",
            "แสงคำ",
            "male",
            id_type="thai_id",
            id_number=thai_id("150010078901"),
            birth_date="2559-01-20",
        ),
        reporter=reporter("official", "นางสาวศิริพร ครูประจำชั้น", "084-602-1175"),
        consent={"data_collection": "not_possible"},
        basis=LegalBasis.social_protection,
        ends=S.screened,
    ),
    DemoCase(
        key="elder-financial-abuse-khon-kaen",
        days_ago=3.0,
        summary=(
            "ผู้สูงอายุชายอายุ 85 ปี ถูกหลานที่รับมาดูแลยึดบัตรเอทีเอ็มและเบี้ยยังชีพ "
            "ไม่ได้รับอาหารครบมื้อ เพื่อนบ้านเห็นรอยฟกช้ำที่แขนหลายครั้ง"
        ),
        categories=(C.other_violence_abuse, C.older_person),
        urgency=U.high,
        channel=CH.phone,
        area="400103",
        client=person(
            "นาย",
            "ทองดี",
            "มีสุข",
            "male",
            id_type="thai_id",
            id_number=thai_id("340010056712"),
            birth_year=2482,
        ),
        reporter=reporter("neighbour", "นายประยูร สายทอง", "087-330-5521"),
        consent={"data_collection": "refused"},
        basis=LegalBasis.social_protection,
        ends=S.screened,
    ),
    DemoCase(
        key="stateless-student-mae-fa-luang",
        days_ago=4.0,
        summary=(
            "เยาวชนหญิงชาติพันธุ์อาข่าอายุ 17 ปี เกิดในประเทศไทยแต่ยังไม่ได้สัญชาติไทย "
            "ถือบัตรประจำตัวบุคคลที่ไม่มีสถานะทางทะเบียน ต้องการยื่นขอสัญชาติเพื่อเรียนต่อ"
            "มหาวิทยาลัย มารดาพามาขอคำปรึกษาเรื่องเอกสารและพยานบุคคล"
        ),
        categories=(C.civil_registration_statelessness, C.child_youth),
        urgency=U.normal,
        channel=CH.walk_in,
        area="571502",
        client=person(
            "นางสาว",
            "อาหมี่",
            "เชอมือ",
            "female",
            id_type="non_thai_id",
            id_number=thai_id("057158901234"),
            birth_year=2551,
            nationality="ไม่มีสัญชาติ",
            languages=["th", "akha"],
        ),
        reporter=reporter("family", "นางหมี่จู เชอมือ"),
        consent={**GIVEN, "guardian_name": "นางหมี่จู เชอมือ"},
        ends=S.screened,
    ),
    DemoCase(
        key="disabled-no-card-phitsanulok",
        days_ago=5.0,
        summary=(
            "ชายพิการขาขาดจากอุบัติเหตุเมื่อสองปีก่อน ยังไม่มีบัตรประจำตัวคนพิการ "
            "จึงไม่ได้รับเบี้ยความพิการ รถเข็นชำรุด อาศัยอยู่กับมารดาสูงอายุ"
        ),
        categories=(C.disability, C.welfare_rights_access),
        urgency=U.normal,
        channel=CH.mobile,
        area="650103",
        client=person(
            "นาย",
            "ประเสริฐ",
            "บุญเรือง",
            "male",
            id_type="thai_id",
            id_number=thai_id("165010034567"),
            birth_year=2520,
            disability=True,
            phone="098-114-6620",
        ),
        reporter=reporter("volunteer", "อาสาสมัครทีมพิษณุโลก", "063-550-1187"),
        ends=S.screened,
    ),
    DemoCase(
        key="laid-off-father-si-racha",
        days_ago=6.0,
        summary=(
            "ถูกเลิกจ้างจากโรงงานย่านแหลมฉบัง ค้างค่าเช่าบ้านสองเดือน มีปากเสียงกับภรรยาบ่อยขึ้น "
            "ต้องการหางานใหม่และขอเงินสงเคราะห์ครอบครัวชั่วคราว"
        ),
        categories=(C.income_livelihood, C.family_relationship),
        urgency=U.low,
        channel=CH.web,
        area="200703",
        client=person("นาย", "วีระ", "ทองคำ", "male", birth_year=1985, phone="081-907-3342"),
        reporter=reporter("self", "วีระ ทองคำ", "081-907-3342"),
        ends=S.screened,
    ),
    DemoCase(
        key="trans-youth-kicked-out",
        days_ago=2.5,
        summary=(
            "เยาวชนข้ามเพศอายุ 19 ปี ถูกครอบครัวไล่ออกจากบ้านหลังเปิดเผยตัวตน "
            "ตอนนี้นอนบ้านเพื่อนชั่วคราว ไม่มีรายได้ ต้องการที่พักและคำปรึกษาด้านจิตใจ"
        ),
        categories=(C.family_relationship, C.housing, C.health_mental_health),
        urgency=U.high,
        channel=CH.line,
        area="100601",
        client=person(None, "ณัฐ", "พึ่งบุญ", "other", nickname="เจได", birth_year=2548),
        reporter=reporter("self", "เจได", "080-661-2394"),
        ends=S.screened,
    ),
    # ------------------------------------------------------------------ in progress
    DemoCase(
        key="suicidal-student-khlong-luang",
        days_ago=3.0,
        summary=(
            "เพื่อนร่วมหอแจ้งว่านักศึกษาชายอายุ 20 ปี โพสต์ข้อความลาตายในโซเชียลมีเดีย "
            "ขังตัวอยู่ในห้องพักและไม่รับโทรศัพท์ เคยรักษาโรคซึมเศร้าแต่หยุดยาเอง"
        ),
        categories=(C.health_mental_health, C.child_youth),
        urgency=U.critical,
        immediate_danger=True,
        channel=CH.line,
        area="130203",
        client=person(
            "นาย",
            "กฤษดา",
            "วงศ์ใหญ่",
            "male",
            id_type="thai_id",
            id_number=thai_id("113020045671"),
            birth_year=2547,
            phone="095-447-1209",
        ),
        reporter=reporter("other", "นายภาคิน เพื่อนร่วมหอพัก", "095-447-3310"),
        consent={"data_collection": "not_possible", "basis": "vital_interest"},
        lead=Role.supervisor,
        notes=(
            "ประสานสายด่วนสุขภาพจิต 1323 และเจ้าหน้าที่หอพักเปิดห้อง พบตัวปลอดภัย "
            "นำส่งโรงพยาบาลธรรมศาสตร์เฉลิมพระเกียรติ",
            "ออกจากโรงพยาบาลแล้ว นัดพบนักจิตวิทยาทุกสัปดาห์ และให้เพื่อนร่วมหอช่วยสังเกตอาการ",
        ),
        ends=S.in_progress,
        reported_by=Role.caseworker,
    ),
    DemoCase(
        key="homeless-hua-lamphong",
        days_ago=9.0,
        summary=(
            "ชายไร้บ้านอายุประมาณ 60 ปี นอนประจำบริเวณสถานีหัวลำโพงมากว่าหนึ่งปี "
            "มีแผลอักเสบที่ขา จำเลขบัตรประชาชนไม่ได้ บอกว่าเป็นคนจังหวัดสุรินทร์ "
            "ยินดีรับความช่วยเหลือ"
        ),
        categories=(C.homeless_destitute, C.health_mental_health),
        urgency=U.normal,
        channel=CH.outreach,
        area="100701",
        client=person(None, None, None, "male", nickname="ลุงแดง", age_estimate=60),
        reporter=reporter("volunteer", "อาสาสมัครทีมหัวลำโพง", "065-223-9014"),
        lead=Role.volunteer,
        notes=(
            "พาไปทำแผลที่ศูนย์บริการสาธารณสุข และนำอาหารกับเสื้อผ้าไปให้",
            "ประสานสำนักทะเบียนเขตตรวจสอบประวัติทะเบียนราษฎรจากลายพิมพ์นิ้วมือ",
        ),
        ends=S.in_progress,
        address="ลานด้านหน้าสถานีหัวลำโพง",
    ),
    DemoCase(
        key="stateless-boy-mae-sai",
        days_ago=12.0,
        summary=(
            "เด็กชายอายุ 15 ปี เกิดที่อำเภอแม่สาย บิดามารดาเป็นชาวไทใหญ่ที่เสียชีวิตแล้ว "
            "ไม่มีสูติบัตรหรือเอกสารใด ๆ อาศัยอยู่กับป้า ต้องการเพิ่มชื่อในทะเบียนราษฎร"
            "เพื่อเรียนต่อและรับการรักษาพยาบาล"
        ),
        categories=(C.civil_registration_statelessness, C.child_youth),
        urgency=U.normal,
        channel=CH.walk_in,
        area="570903",
        client=person(
            "เด็กชาย",
            "จายคำ",
            None,
            "male",
            id_type="none",
            birth_year=2553,
            nationality="ไม่ปรากฏสัญชาติ",
            languages=["th", "shn"],
        ),
        reporter=reporter("family", "นางนางคำ แสงจันทร์", "093-827-6650"),
        consent={**GIVEN, "guardian_name": "นางนางคำ แสงจันทร์"},
        notes=(
            "นัดป้าและผู้ใหญ่บ้านไปให้ปากคำเป็นพยานบุคคลที่ที่ว่าการอำเภอแม่สาย",
            "ยื่นคำร้องขอเพิ่มชื่อในทะเบียนบ้าน (ท.ร.14) แล้ว รอผลตรวจสารพันธุกรรมยืนยันความสัมพันธ์",
        ),
        ends=S.in_progress,
    ),
    DemoCase(
        key="migrant-passport-withheld-mahachai",
        days_ago=6.0,
        summary=(
            "แรงงานชาวเมียนมาอายุ 29 ปี ทำงานในโรงงานแปรรูปอาหารทะเล นายจ้างยึดหนังสือเดินทาง"
            "และไม่จ่ายค่าจ้างสามเดือน ถูกห้ามออกนอกที่พัก มูลนิธิเครือข่ายแรงงานส่งต่อเรื่องมา"
        ),
        categories=(C.human_trafficking, C.income_livelihood),
        urgency=U.high,
        channel=CH.agency_referral,
        area="740101",
        client=person(
            "นาย",
            "มินมิน",
            "อ่อง",
            "male",
            id_type="passport",
            id_number="MH482913",
            birth_year=1996,
            nationality="เมียนมา",
            languages=["my"],
        ),
        reporter=reporter("official", "เจ้าหน้าที่สำนักงานแรงงานจังหวัดสมุทรสาคร", "034-411-207"),
        notes=(
            "สัมภาษณ์ผ่านล่ามภาษาเมียนมา ประเมินข้อบ่งชี้การค้ามนุษย์ตามแบบคัดแยกผู้เสียหาย",
            "ประสานพนักงานตรวจแรงงานและตำรวจเพื่อเข้าตรวจสถานประกอบการ",
        ),
        ends=S.in_progress,
    ),
    DemoCase(
        key="family-violence-tha-phra",
        days_ago=30.0,
        summary=(
            "หญิงอายุ 37 ปี ถูกสามีทำร้ายร่างกายเมื่อดื่มสุรา มีลูกสองคนอายุ 6 และ 10 ปี "
            "ต้องการคำปรึกษาเรื่องการแจ้งความและการขอคำสั่งคุ้มครองตามกฎหมายคุ้มครองสถาบันครอบครัว"
        ),
        categories=(C.family_violence,),
        urgency=U.high,
        channel=CH.phone,
        area="400104",
        client=person(
            "นาง",
            "สุภาพร",
            "ดวงแก้ว",
            "female",
            id_type="thai_id",
            id_number=thai_id("140010067823"),
            birth_year=2530,
            phone="086-559-0142",
        ),
        reporter=reporter("self", "สุภาพร ดวงแก้ว", "086-559-0142"),
        notes=(
            "พาไปแจ้งความที่สถานีตำรวจและตรวจร่างกายที่ศูนย์พึ่งได้ โรงพยาบาลขอนแก่น",
            "ผู้รับบริการย้ายไปพักกับมารดา สามียอมเข้ารับการบำบัดการดื่มสุรา",
        ),
        reopen=(
            "ผู้รับบริการโทรแจ้งว่าถูกทำร้ายซ้ำหลังสามีกลับมาอยู่บ้าน",
            "ประสานตำรวจขอคำสั่งกำหนดมาตรการคุ้มครองชั่วคราว และจัดที่พักในบ้านพักเด็กและครอบครัว",
        ),
        ends=S.in_progress,
    ),
    DemoCase(
        key="bedridden-elder-fang",
        days_ago=8.0,
        summary=(
            "ผู้สูงอายุชายอายุ 91 ปี ติดเตียงหลังเส้นเลือดในสมองตีบ ภรรยาอายุ 86 ปี "
            "เป็นผู้ดูแลเพียงคนเดียว ต้องการที่นอนลม ผ้าอ้อมผู้ใหญ่ และการเยี่ยมบ้านของทีมสุขภาพ"
        ),
        categories=(C.older_person, C.disability),
        urgency=U.normal,
        channel=CH.mobile,
        area="500901",
        client=person(
            "นาย",
            "แก้ว",
            "อินต๊ะ",
            "male",
            id_type="thai_id",
            id_number=thai_id("350090012876"),
            birth_year=2477,
            disability=True,
            languages=["th", "nod"],
        ),
        reporter=reporter("volunteer", "อาสาสมัครทีมฝาง", "066-118-7734"),
        lead=Role.volunteer,
        detour=True,
        notes=(
            "ประสาน รพ.สต. ให้ทีมหมอครอบครัวเยี่ยมบ้าน และยืมที่นอนลมจากธนาคารกายอุปกรณ์ชุมชน",
            "ลูกชายที่ทำงานต่างจังหวัดยินดีส่งเงินช่วยค่าผ้าอ้อมทุกเดือน",
        ),
        ends=S.in_progress,
    ),
    DemoCase(
        key="drug-rehab-father-nakhon-si",
        days_ago=10.0,
        summary=(
            "ภรรยาพาสามีอายุ 37 ปี ที่ติดยาบ้ามาขอเข้ารับการบำบัดโดยสมัครใจ สามีตกงาน "
            "ครอบครัวมีหนี้นอกระบบ ลูกสองคนยังเรียนชั้นประถม"
        ),
        categories=(C.drug_affected, C.family_relationship),
        urgency=U.normal,
        channel=CH.walk_in,
        area="800102",
        client=person(
            "นาย",
            "อนุชา",
            "ชูแก้ว",
            "male",
            id_type="thai_id",
            id_number=thai_id("180010098765"),
            birth_year=1988,
            phone="091-224-8876",
        ),
        reporter=reporter("family", "นางจิราพร ชูแก้ว", "091-224-8877"),
        notes=("ส่งตัวเข้ารับการบำบัดแบบผู้ป่วยนอกที่โรงพยาบาลมหาราชนครศรีธรรมราช",),
        ends=S.in_progress,
    ),
    DemoCase(
        key="trafficked-girl-ubon",
        days_ago=5.0,
        summary=(
            "ผู้แจ้งไม่ประสงค์ออกนาม แจ้งว่ามีเด็กหญิงชาวลาวอายุประมาณ 16 ปี ถูกบังคับให้นั่งดริ้งก์"
            "และค้าประเวณีในร้านคาราโอเกะ ถูกยึดโทรศัพท์และถูกขู่ว่าจะทำร้ายครอบครัวหากหนี"
        ),
        categories=(C.human_trafficking, C.child_youth, C.other_violence_abuse),
        urgency=U.critical,
        immediate_danger=True,
        channel=CH.hotline_1300,
        area="340104",
        client=person(
            None,
            None,
            None,
            "female",
            nickname="น้อย",
            id_type="none",
            age_estimate=16,
            nationality="ลาว",
            languages=["lo", "th"],
        ),
        reporter={"relationship": "other", "anonymous": True},
        consent={"data_collection": "not_possible", "basis": "vital_interest"},
        reported_by=Role.supervisor,
        lead=Role.supervisor,
        notes=(
            "ทีมสหวิชาชีพและตำรวจเข้าตรวจค้น ช่วยเด็กออกมาได้ นำส่งบ้านพักเด็กและครอบครัวจังหวัด",
            "คัดแยกเป็นผู้เสียหายจากการค้ามนุษย์ จัดล่ามภาษาลาวและประสานสถานกงสุลลาว",
        ),
        ends=S.in_progress,
    ),
    DemoCase(
        key="single-mother-evicted-phuket",
        days_ago=7.0,
        summary=(
            "แม่เลี้ยงเดี่ยวลูกสองคนถูกเจ้าของห้องเช่าแจ้งให้ออกภายในสิ้นเดือน "
            "รายได้จากงานโรงแรมลดลงหลังถูกลดชั่วโมงงาน ต้องการที่พักราคาถูกและทุนประกอบอาชีพ"
        ),
        categories=(C.housing, C.income_livelihood),
        urgency=U.normal,
        channel=CH.web,
        area="830102",
        client=person(
            "นางสาว",
            "กมลวรรณ",
            "เพชรรัตน์",
            "female",
            id_type="thai_id",
            id_number=thai_id("183010045219"),
            birth_year=2535,
            phone="089-873-2215",
        ),
        reporter=reporter("self", "กมลวรรณ เพชรรัตน์", "089-873-2215"),
        lead=Role.volunteer,
        notes=("เยี่ยมบ้านแล้ว ช่วยเขียนคำขอเงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย",),
        ends=S.in_progress,
    ),
    DemoCase(
        key="fire-bang-sue",
        days_ago=4.0,
        summary=(
            "เกิดเพลิงไหม้ชุมชนริมทางรถไฟ บ้านของครอบครัว 6 คนเสียหายทั้งหลัง เอกสารประจำตัวสูญหาย "
            "ต้องการถุงยังชีพ ที่พักชั่วคราว และเงินช่วยเหลือผู้ประสบภัย"
        ),
        categories=(C.disaster_affected, C.housing),
        urgency=U.high,
        channel=CH.hotline_1300,
        area="102901",
        client=person(
            "นาย",
            "สมชาย",
            "ปานทอง",
            "male",
            id_type="thai_id",
            id_number=thai_id("310290076543"),
            birth_year=2511,
            phone="082-630-4471",
        ),
        reporter=reporter("official", "เจ้าหน้าที่สำนักงานเขตบางซื่อ", "02-587-0771"),
        notes=(
            "มอบถุงยังชีพและเครื่องนอน ครอบครัวพักที่ศูนย์พักพิงชั่วคราวของเขต",
            "พาไปทำบัตรประชาชนใหม่ที่สำนักงานเขต และยื่นขอเงินช่วยเหลือผู้ประสบสาธารณภัย",
        ),
        ends=S.in_progress,
    ),
    DemoCase(
        key="autistic-child-korat",
        days_ago=11.0,
        summary=(
            "เด็กชายออทิสติกอายุ 7 ปี มารดาลาออกจากงานมาดูแลเต็มเวลา ครอบครัวเครียดและขาดรายได้ "
            "ต้องการที่เรียนที่รับเด็กพิเศษและการช่วยเหลือด้านค่าเดินทางไปกระตุ้นพัฒนาการ"
        ),
        categories=(C.disability, C.child_youth, C.family_relationship),
        urgency=U.normal,
        channel=CH.mobile,
        area="300104",
        client=person(
            "เด็กชาย",
            "ธีรภัทร",
            "สุขเจริญ",
            "male",
            id_type="thai_id",
            id_number=thai_id("130010098112"),
            birth_date="2561-05-02",
            disability=True,
        ),
        reporter=reporter("family", "นางพิมพ์ชนก สุขเจริญ", "097-442-1865"),
        consent={**GIVEN, "guardian_name": "นางพิมพ์ชนก สุขเจริญ"},
        notes=("ประสานศูนย์การศึกษาพิเศษประจำจังหวัดนครราชสีมา นัดประเมินพัฒนาการ",),
        ends=S.in_progress,
    ),
    DemoCase(
        key="elder-scam-phuket",
        days_ago=13.0,
        summary=(
            "ผู้สูงอายุหญิงอายุ 74 ปี ถูกแก๊งคอลเซ็นเตอร์หลอกให้โอนเงินเก็บทั้งหมดกว่า 3 แสนบาท "
            "ซึมเศร้า ไม่ยอมรับประทานอาหาร ลูกชายขอความช่วยเหลือด้านจิตใจและการแจ้งความ"
        ),
        categories=(C.other_violence_abuse, C.older_person, C.health_mental_health),
        urgency=U.normal,
        channel=CH.phone,
        area="830104",
        client=person(
            "นาง",
            "ลำดวน",
            "ศรีทอง",
            "female",
            id_type="thai_id",
            id_number=thai_id("383010012094"),
            birth_year=2494,
            phone="076-211-934",
        ),
        reporter=reporter("family", "นายธีระ ศรีทอง", "081-892-4406"),
        notes=("พาไปแจ้งความที่สถานีตำรวจภูธรเมืองภูเก็ตและอายัดบัญชีปลายทาง",),
        ends=S.in_progress,
    ),
    # ------------------------------------------------------------------ awaiting client
    DemoCase(
        key="drug-son-threatens-parents",
        days_ago=14.0,
        summary=(
            "มารดาแจ้งว่าบุตรชายอายุ 26 ปี ใช้ยาบ้าและข่มขู่จะทำร้ายพ่อแม่เมื่อไม่ได้เงิน "
            "ทำลายข้าวของในบ้าน ต้องการให้บุตรเข้ารับการบำบัด"
        ),
        categories=(C.drug_affected, C.family_violence),
        urgency=U.high,
        channel=CH.phone,
        area="300101",
        client=person(
            "นาย",
            "วัชระ",
            "บุญประเสริฐ",
            "male",
            id_type="thai_id",
            id_number=thai_id("130010023488"),
            birth_year=1999,
        ),
        reporter=reporter("family", "นางบุญเรือน บุญประเสริฐ", "044-242-118"),
        notes=(
            "ให้คำปรึกษามารดาเรื่องการนำตัวเข้าบำบัดตาม พ.ร.บ.ยาเสพติด",
            "รอมารดาตัดสินใจเรื่องการแจ้งความและนำตัวเข้าบำบัด นัดโทรติดตามสัปดาห์หน้า",
        ),
        ends=S.awaiting_client,
    ),
    DemoCase(
        key="student-pregnancy-chiang-mai",
        days_ago=10.0,
        summary=(
            "นักศึกษาหญิงอายุ 19 ปี ตั้งครรภ์ 14 สัปดาห์ แฟนไม่รับผิดชอบ ยังไม่ได้บอกครอบครัว "
            "ต้องการคำปรึกษาเรื่องทางเลือก การฝากครรภ์ และการเรียนต่อ"
        ),
        categories=(C.unready_pregnancy,),
        urgency=U.normal,
        channel=CH.mobile,
        area="500104",
        client=person(
            "นางสาว",
            "ชลธิชา",
            "คำแสน",
            "female",
            id_type="thai_id",
            id_number=thai_id("150010067321"),
            birth_year=2549,
            pregnant=True,
            phone="080-455-7128",
        ),
        reporter=reporter("self", "ชลธิชา คำแสน", "080-455-7128"),
        lead=Role.volunteer,
        notes=("รอผู้รับบริการปรึกษาครอบครัวก่อนตัดสินใจ นัดพบที่ศูนย์พึ่งได้ โรงพยาบาลนครพิงค์",),
        ends=S.awaiting_client,
    ),
    DemoCase(
        key="widow-land-dispute",
        days_ago=18.0,
        summary=(
            "หญิงหม้ายอายุ 58 ปี ถูกญาติฝ่ายสามีฟ้องขับไล่ออกจากที่ดินที่อยู่อาศัยมากว่า 30 ปี "
            "ต้องการคำปรึกษาทางกฎหมายและที่อยู่อาศัยสำรอง"
        ),
        categories=(C.housing, C.family_relationship, C.other),
        urgency=U.low,
        channel=CH.walk_in,
        area="800106",
        client=person(
            "นาง",
            "สายใจ",
            "แก้วมณี",
            "female",
            id_type="thai_id",
            id_number=thai_id("380010054190"),
            birth_year=2510,
            phone="087-290-6613",
        ),
        reporter=reporter("self", "สายใจ แก้วมณี", "087-290-6613"),
        notes=("ส่งข้อมูลให้สำนักงานยุติธรรมจังหวัด รอผู้รับบริการนำเอกสารสิทธิ์มาให้ตรวจสอบ",),
        ends=S.awaiting_client,
    ),
    DemoCase(
        key="runaway-girl-bang-khen",
        days_ago=16.0,
        summary=(
            "บิดาแจ้งว่าบุตรสาวอายุ 14 ปี ออกจากบ้านไปพบเพื่อนที่รู้จักทางออนไลน์ และไม่กลับบ้านสามวัน โทรศัพท์ปิดเครื่อง"
        ),
        categories=(C.missing_person, C.child_youth),
        urgency=U.high,
        channel=CH.phone,
        area="100502",
        client=person(
            "เด็กหญิง",
            "ณิชา",
            "รุ่งเรือง",
            "female",
            id_type="thai_id",
            id_number=thai_id("110050034561"),
            birth_year=2554,
        ),
        reporter=reporter("family", "นายสุรชัย รุ่งเรือง", "081-339-0275"),
        consent={**GIVEN, "guardian_name": "นายสุรชัย รุ่งเรือง"},
        detour=True,
        notes=(
            "พบตัวเด็กปลอดภัยที่จังหวัดนนทบุรี ตำรวจส่งกลับครอบครัวแล้ว",
            "รอครอบครัวมาตามนัดเข้ารับคำปรึกษาครอบครัวที่ศูนย์ฯ",
        ),
        ends=S.awaiting_client,
    ),
    DemoCase(
        key="stateless-elder-umphang",
        days_ago=20.0,
        summary=(
            "ผู้สูงอายุชาวกะเหรี่ยงอายุ 72 ปี อาศัยในประเทศไทยมากว่า 50 ปี ถือบัตรประจำตัว"
            "บุคคลบนพื้นที่สูง ยังไม่ได้สัญชาติไทย จึงไม่ได้รับเบี้ยยังชีพและสิทธิหลักประกันสุขภาพ"
        ),
        categories=(
            C.civil_registration_statelessness,
            C.older_person,
            C.welfare_rights_access,
        ),
        urgency=U.normal,
        channel=CH.outreach,
        area="630801",
        client=person(
            "นาย",
            "จอแฮ",
            None,
            "male",
            id_type="non_thai_id",
            id_number=thai_id("663080012345"),
            birth_year=2496,
            nationality="ไม่มีสัญชาติ",
            languages=["kar", "th"],
        ),
        reporter=reporter("volunteer", "อาสาสมัครทีมอุ้มผาง", "086-770-4312"),
        lead=Role.volunteer,
        notes=("รอลูกชายรวบรวมหลักฐานการอยู่อาศัย รูปถ่ายเก่า และพยานบุคคลในหมู่บ้าน",),
        ends=S.awaiting_client,
    ),
    DemoCase(
        key="street-vendor-debt-hat-yai",
        days_ago=15.0,
        summary=(
            "แม่ค้าขายอาหารริมทางอายุ 45 ปี ถูกเทศกิจให้ย้ายแผง รายได้หายไปครึ่งหนึ่ง "
            "มีหนี้นอกระบบดอกเบี้ยร้อยละ 20 ต่อเดือน ต้องการทุนประกอบอาชีพ"
        ),
        categories=(C.income_livelihood,),
        urgency=U.low,
        channel=CH.line,
        area="901102",
        client=person(
            "นาง",
            "ฮาลีมะห์",
            "สาและ",
            "female",
            id_type="thai_id",
            id_number=thai_id("390110087126"),
            birth_year=1980,
            phone="093-610-2218",
            languages=["th", "ms"],
        ),
        reporter=reporter("self", "ฮาลีมะห์ สาและ", "093-610-2218"),
        notes=("รอผู้รับบริการส่งสำเนาทะเบียนบ้านและแผนการค้าประกอบคำขอกู้ยืมทุนประกอบอาชีพ",),
        ends=S.awaiting_client,
    ),
    # ------------------------------------------------------------------ resolved
    DemoCase(
        key="flood-nong-khon-resolved",
        days_ago=25.0,
        summary=(
            "บ้านของครอบครัวผู้รับบริการถูกน้ำท่วมสูงกว่า 1 เมตรนานสองสัปดาห์ ข้าวของเสียหาย "
            "สามีอายุ 64 ปีเป็นผู้ป่วยโรคไต ต้องเดินทางไปฟอกไตสัปดาห์ละ 3 ครั้ง"
        ),
        categories=(C.disaster_affected, C.health_mental_health),
        urgency=U.high,
        channel=CH.hotline_1300,
        area="340105",
        client=person(
            "นาง",
            "คำปุ่น",
            "ศรีบุญ",
            "female",
            id_type="thai_id",
            id_number=thai_id("334010077651"),
            birth_year=2505,
            phone="080-991-3321",
        ),
        reporter=reporter("self", "คำปุ่น ศรีบุญ", "080-991-3321"),
        notes=(
            "ประสานรถรับส่งผู้ป่วยของ อบต. ไปฟอกไตระหว่างน้ำท่วม",
            "ได้รับเงินช่วยเหลือผู้ประสบภัยและวัสดุซ่อมแซมบ้านจากจังหวัดแล้ว",
        ),
        ends=S.resolved,
    ),
    DemoCase(
        key="allowance-registration-chiang-mai",
        days_ago=22.0,
        summary=(
            "ผู้สูงอายุหญิงอายุ 68 ปี ไม่เคยลงทะเบียนรับเบี้ยยังชีพเพราะเข้าใจว่า"
            "ต้องมีทะเบียนบ้านในเขตเทศบาลมาไม่น้อยกว่าสิบปี"
        ),
        categories=(C.welfare_rights_access, C.older_person),
        urgency=U.low,
        channel=CH.mobile,
        area="500102",
        client=person(
            "นาง",
            "จันทร์ตา",
            "ปัญญาวงศ์",
            "female",
            id_type="thai_id",
            id_number=thai_id("350010021877"),
            birth_date="2500-11-03",
            phone="084-661-0392",
        ),
        reporter=reporter("volunteer", "อาสาสมัครทีมเชียงใหม่", "062-119-4478"),
        lead=Role.volunteer,
        notes=("พาไปลงทะเบียนที่เทศบาลนครเชียงใหม่เรียบร้อย จะได้รับเบี้ยยังชีพตั้งแต่เดือนถัดไป",),
        ends=S.resolved,
    ),
    DemoCase(
        key="elder-begging-sanam-luang",
        days_ago=21.0,
        summary=(
            "ผู้สูงอายุชายอายุประมาณ 70 ปี ขอทานบริเวณท้องสนามหลวงทุกวัน บอกว่ามาจากจังหวัดร้อยเอ็ด "
            "ลูกหลานไม่ทราบว่าอยู่กรุงเทพฯ"
        ),
        categories=(C.begging, C.older_person, C.homeless_destitute),
        urgency=U.normal,
        channel=CH.outreach,
        area="100101",
        client=person(
            "นาย",
            "บุญส่ง",
            "นามวงศ์",
            "male",
            id_type="thai_id",
            id_number=thai_id("345010067219"),
            age_estimate=70,
        ),
        reporter=reporter("official", "เจ้าหน้าที่เทศกิจเขตพระนคร", "02-221-5031"),
        reported_by=Role.caseworker,
        notes=(
            "ตรวจสอบทะเบียนราษฎรพบญาติที่อำเภอเสลภูมิ ญาติยินดีรับกลับ",
            "ส่งกลับภูมิลำเนาแล้ว ประสานสำนักงานพัฒนาสังคมฯ จังหวัดร้อยเอ็ดติดตามต่อ",
        ),
        ends=S.resolved,
    ),
    DemoCase(
        key="injured-migrant-chon-buri",
        days_ago=28.0,
        summary=(
            "แรงงานก่อสร้างชาวกัมพูชาอายุ 34 ปี ตกนั่งร้านขาหัก นายจ้างไม่พาไปรักษาต่อ "
            "และไม่แจ้งประกันสังคม ภรรยาและลูกเล็กขาดรายได้"
        ),
        categories=(C.income_livelihood, C.health_mental_health),
        urgency=U.normal,
        channel=CH.walk_in,
        area="200103",
        client=person(
            "นาย",
            "สุขา",
            "เจีย",
            "male",
            id_type="passport",
            id_number="N01827364",
            birth_year=1991,
            nationality="กัมพูชา",
            languages=["km", "th"],
            phone="098-331-5176",
        ),
        reporter=reporter("self", "สุขา เจีย", "098-331-5176"),
        notes=(
            "ประสานสำนักงานประกันสังคมจังหวัดชลบุรีผ่านล่ามภาษาเขมร",
            "ได้รับค่าทดแทนจากกองทุนเงินทดแทนและค่ารักษาพยาบาลครบแล้ว",
        ),
        ends=S.resolved,
    ),
    DemoCase(
        key="student-family-conflict-klong-song",
        days_ago=19.0,
        summary=(
            "นักศึกษาหญิงอายุ 20 ปี ทะเลาะกับบิดามารดาเรื่องการย้ายคณะ ถูกตัดค่าใช้จ่าย "
            "นอนไม่หลับ ขอคำปรึกษาและงานพิเศษ"
        ),
        categories=(C.family_relationship, C.health_mental_health),
        urgency=U.low,
        channel=CH.web,
        area="130202",
        client=person(
            "นางสาว",
            "พิชญา",
            "อุดมสุข",
            "female",
            birth_year=2548,
            phone="096-204-8813",
        ),
        reporter=reporter("self", "พิชญา อุดมสุข", "096-204-8813"),
        lead=Role.volunteer,
        notes=(
            "พูดคุยร่วมกับครอบครัวที่ศูนย์ฯ ตกลงกันได้ ผู้ปกครองส่งค่าใช้จ่ายต่อ",
            "แนะนำงานผู้ช่วยห้องสมุดของมหาวิทยาลัย และบริการปรึกษาของศูนย์สุขภาวะนักศึกษา",
        ),
        ends=S.resolved,
    ),
    DemoCase(
        key="disability-card-nakhon-thai",
        days_ago=26.0,
        summary=(
            "หญิงพิการทางการได้ยินอายุ 41 ปี ต้องการทำบัตรคนพิการและขอรับเครื่องช่วยฟัง โรงพยาบาลชุมชนส่งต่อเรื่องมา"
        ),
        categories=(C.disability, C.welfare_rights_access),
        urgency=U.normal,
        channel=CH.agency_referral,
        area="650201",
        client=person(
            "นาง",
            "ดวงใจ",
            "เรือนคำ",
            "female",
            id_type="thai_id",
            id_number=thai_id("365020045178"),
            birth_year=2527,
            disability=True,
            languages=["th", "tsl"],
        ),
        reporter=reporter("official", "นักสังคมสงเคราะห์โรงพยาบาลนครไทย", "055-389-112"),
        notes=("ได้บัตรประจำตัวคนพิการและลงทะเบียนรับเครื่องช่วยฟังแล้ว",),
        ends=S.resolved,
    ),
    # ------------------------------------------------------------------ closed
    DemoCase(
        key="abandoned-elder-hospital",
        days_ago=40.0,
        summary=(
            "ผู้สูงอายุชายอายุ 78 ปี ถูกทิ้งไว้ที่โรงพยาบาลหลังรักษาหาย ญาติไม่มารับ "
            "ไม่มีที่อยู่อาศัย โรงพยาบาลขอให้ช่วยหาที่พัก"
        ),
        categories=(C.older_person, C.homeless_destitute),
        urgency=U.high,
        channel=CH.agency_referral,
        area="400101",
        client=person(
            "นาย",
            "สมบัติ",
            "พลอยงาม",
            "male",
            id_type="thai_id",
            id_number=thai_id("340010034877"),
            birth_year=2490,
        ),
        reporter=reporter("official", "นักสังคมสงเคราะห์โรงพยาบาลศรีนครินทร์", "043-363-001"),
        consent={"data_collection": "given", "share_with_agencies": True, "basis": "consent"},
        notes=(
            "ติดต่อญาติได้หนึ่งราย แต่ไม่พร้อมรับดูแล",
            "ส่งเข้าศูนย์พัฒนาการจัดสวัสดิการสังคมผู้สูงอายุขอนแก่นเรียบร้อย",
        ),
        closure=R.resolved,
        ends=S.closed,
    ),
    DemoCase(
        key="child-abuse-stepfather",
        days_ago=35.0,
        summary=(
            "ยายแจ้งว่าหลานสาวอายุ 11 ปี ถูกพ่อเลี้ยงทำร้ายร่างกายและข่มขู่ มีรอยช้ำตามตัว "
            "เด็กไม่กล้ากลับบ้าน ตอนนี้หลบอยู่ที่บ้านยาย"
        ),
        categories=(C.family_violence, C.child_youth, C.other_violence_abuse),
        urgency=U.critical,
        immediate_danger=True,
        channel=CH.hotline_1300,
        area="901103",
        client=person(
            "เด็กหญิง",
            "อรปรียา",
            "ทองสุข",
            "female",
            id_type="thai_id",
            id_number=thai_id("190110076452"),
            birth_year=2557,
        ),
        reporter=reporter("family", "นางเยาวลักษณ์ ทองสุข", "089-733-5501"),
        consent={"data_collection": "not_possible", "basis": "vital_interest"},
        lead=Role.supervisor,
        notes=(
            "ทีมสหวิชาชีพตรวจร่างกายที่ศูนย์พึ่งได้ ตำรวจรับแจ้งความดำเนินคดีพ่อเลี้ยง",
            "ศาลมีคำสั่งให้ยายเป็นผู้ดูแลชั่วคราว เด็กย้ายโรงเรียนและได้รับการบำบัดทางจิตใจต่อเนื่อง",
        ),
        closure=R.resolved,
        ends=S.closed,
    ),
    DemoCase(
        key="fishing-boat-trafficking",
        days_ago=45.0,
        summary=(
            "ลูกเรือประมงชาวกัมพูชาอายุ 24 ปี หลบหนีจากเรือ แจ้งว่าถูกบังคับทำงานวันละ 20 ชั่วโมง "
            "ถูกทำร้ายและไม่ได้รับค่าจ้าง"
        ),
        categories=(C.human_trafficking, C.other_violence_abuse),
        urgency=U.high,
        channel=CH.agency_referral,
        area="900101",
        client=person(
            "นาย",
            "โสภณ",
            "เลือง",
            "male",
            id_type="passport",
            id_number="N09736152",
            birth_year=2001,
            nationality="กัมพูชา",
            languages=["km"],
        ),
        reporter=reporter("official", "ศูนย์ควบคุมการแจ้งเข้าออกเรือประมงสงขลา", "074-311-560"),
        consent={"data_collection": "given", "share_with_agencies": True},
        notes=(
            "คัดแยกผู้เสียหายร่วมกับพนักงานสอบสวนและล่าม",
            "ส่งต่อศูนย์คุ้มครองผู้เสียหายจากการค้ามนุษย์ ดำเนินการคุ้มครองและส่งกลับอย่างปลอดภัย",
        ),
        closure=R.referred_closed,
        ends=S.closed,
    ),
    DemoCase(
        key="teen-drugs-samui",
        days_ago=38.0,
        summary=("มารดาแจ้งว่าบุตรชายอายุ 15 ปี เริ่มใช้ยาเสพติดกับกลุ่มเพื่อน หนีเรียนบ่อย ขอความช่วยเหลือให้เข้าบำบัด"),
        categories=(C.drug_affected, C.child_youth),
        urgency=U.normal,
        channel=CH.line,
        area="840404",
        client=person(
            "เด็กชาย",
            "ภาณุพงศ์",
            "ทิพย์มณี",
            "male",
            id_type="thai_id",
            id_number=thai_id("184040012653"),
            birth_year=2553,
        ),
        reporter=reporter("family", "นางรัตนา ทิพย์มณี", "081-537-2046"),
        consent={**GIVEN, "guardian_name": "นางรัตนา ทิพย์มณี"},
        notes=("ส่งต่อศูนย์ฟื้นฟูสมรรถภาพผู้ติดยาเสพติดสำหรับเด็กและเยาวชน ศูนย์รับดำเนินการแล้ว",),
        closure=R.referred_closed,
        ends=S.closed,
    ),
    DemoCase(
        key="unreachable-caller-thanyaburi",
        days_ago=33.0,
        summary=(
            "ผู้แจ้งโทรมาขอความช่วยเหลือเรื่องค่าเช่าบ้านค้างชำระ สายหลุดก่อนให้ข้อมูลครบ "
            "ให้ไว้เพียงชื่อเล่นและเบอร์โทรศัพท์"
        ),
        categories=(C.income_livelihood, C.housing),
        urgency=U.low,
        channel=CH.phone,
        area="130301",
        client=person(None, None, None, "unknown", nickname="ต่าย", phone="092-760-1138"),
        reporter=reporter("self", "ต่าย", "092-760-1138"),
        notes=("โทรกลับสามครั้งในสามวันทำการ ไม่มีผู้รับสาย ส่งข้อความแจ้งช่องทางติดต่อไว้แล้ว",),
        closure=R.unreachable,
        ends=S.closed,
    ),
    DemoCase(
        key="homeless-moved-on-pattaya",
        days_ago=31.0,
        summary=(
            "หญิงไร้บ้านอายุประมาณ 45 ปี นอนบริเวณชายหาดพัทยา มีอาการพูดคนเดียว "
            "ยอมให้อาสาสมัครพาไปพบแพทย์ในครั้งแรก"
        ),
        categories=(C.homeless_destitute, C.health_mental_health),
        urgency=U.normal,
        channel=CH.outreach,
        area="200401",
        client=person(None, None, None, "female", nickname="ป้าหน่อย", age_estimate=45),
        reporter=reporter("volunteer", "อาสาสมัครทีมชลบุรี", "064-318-2291"),
        lead=Role.volunteer,
        notes=(
            "พาไปพบจิตแพทย์ที่โรงพยาบาลบางละมุง ได้รับยาต่อเนื่องหนึ่งเดือน",
            "ออกติดตามสามครั้งไม่พบตัวในพื้นที่เดิม คนในพื้นที่เล่าว่าย้ายไปจังหวัดอื่นแล้ว",
        ),
        closure=R.unreachable,
        ends=S.closed,
    ),
    DemoCase(
        key="elder-refuses-shelter-ubon",
        days_ago=29.0,
        summary=(
            "ผู้สูงอายุชายอายุ 80 ปี อาศัยในเพิงพักริมคลองเพียงลำพัง หลังคารั่ว เพื่อนบ้านกังวลเรื่องความปลอดภัยในฤดูฝน"
        ),
        categories=(C.older_person, C.housing),
        urgency=U.normal,
        channel=CH.mobile,
        area="340107",
        client=person(
            "นาย",
            "ทองใบ",
            "สีดา",
            "male",
            id_type="thai_id",
            id_number=thai_id("334010045287"),
            birth_year=2488,
        ),
        reporter=reporter("neighbour", "นางบัวผัน ใจดี", "085-104-6629"),
        notes=(
            "เสนอที่พักในสถานสงเคราะห์คนชรา ผู้รับบริการขอไม่ย้าย",
            "ผู้รับบริการยืนยันไม่รับความช่วยเหลือเพิ่มเติม แจ้ง อสม. ในพื้นที่ให้แวะเยี่ยมเป็นระยะ",
        ),
        closure=R.declined_help,
        ends=S.closed,
    ),
    DemoCase(
        key="family-violence-tha-phra-repeat-report",
        days_ago=2.0,
        summary=(
            "สายด่วน 1300 ส่งเรื่องหญิงอายุ 37 ปี ถูกสามีทำร้ายร่างกาย อำเภอเมืองขอนแก่น "
            "ผู้แจ้งเป็นน้องสาวของผู้ประสบปัญหา"
        ),
        categories=(C.family_violence,),
        urgency=U.high,
        channel=CH.hotline_1300,
        area="400104",
        client=person(
            "นาง",
            "สุภาพร",
            "ดวงแก้ว",
            "female",
            id_type="thai_id",
            id_number=thai_id("140010067823"),
        ),
        reporter=reporter("family", "นางสาวสุนิสา ดวงแก้ว", "086-559-7720"),
        duplicate_of="family-violence-tha-phra",
        closure=R.duplicate,
        ends=S.closed,
    ),
    DemoCase(
        key="debt-negotiation-rangsit",
        days_ago=12.0,
        summary=(
            "ขอให้ศูนย์ช่วยเจรจาหนี้บัตรเครดิตกับธนาคาร ไม่มีปัญหาด้านสังคมอื่น "
            "แนะนำให้ติดต่อคลินิกแก้หนี้และศูนย์ไกล่เกลี่ยข้อพิพาท"
        ),
        categories=(C.other,),
        urgency=U.low,
        channel=CH.phone,
        area="130303",
        client=person("นางสาว", "ศศิธร", "มั่นคง", "female", birth_year=1993, phone="083-215-9908"),
        reporter=reporter("self", "ศศิธร มั่นคง", "083-215-9908"),
        closure=R.out_of_scope,
        ends=S.closed,
    ),
    DemoCase(
        key="visa-question-out-of-scope",
        days_ago=17.0,
        summary=(
            "ชาวต่างชาติสอบถามการต่ออายุวีซ่าท่องเที่ยวและใบอนุญาตทำงาน "
            "แนะนำให้ติดต่อสำนักงานตรวจคนเข้าเมืองและสำนักงานจัดหางาน"
        ),
        categories=(C.other,),
        urgency=U.low,
        channel=CH.web,
        area="5001",
        client=person(
            None,
            "John",
            "Miller",
            "male",
            id_type="passport",
            id_number="533184201",
            nationality="สหรัฐอเมริกา",
            languages=["en"],
        ),
        reporter=reporter("self", "John Miller"),
        closure=R.out_of_scope,
        ends=S.closed,
    ),
    DemoCase(
        key="terminal-elder-wang-nam-khu",
        days_ago=42.0,
        summary=(
            "ผู้สูงอายุหญิงอายุ 89 ปี ป่วยระยะท้ายด้วยโรคมะเร็ง ลูกสาวดูแลเพียงคนเดียวและ"
            "ต้องหยุดงาน ขอความช่วยเหลือค่าใช้จ่ายและการดูแลแบบประคับประคองที่บ้าน"
        ),
        categories=(C.older_person, C.health_mental_health, C.income_livelihood),
        urgency=U.high,
        channel=CH.phone,
        area="650102",
        client=person(
            "นาง",
            "ทองคำ",
            "วงศ์ษา",
            "female",
            id_type="thai_id",
            id_number=thai_id("365010078112"),
            birth_date="2479-02-29",
        ),
        reporter=reporter("family", "นางสาวอัมพร วงศ์ษา", "081-046-3398"),
        notes=(
            "ประสานทีมดูแลแบบประคับประคองของโรงพยาบาลพุทธชินราชเยี่ยมบ้าน และมอบเงินสงเคราะห์",
            "ผู้รับบริการเสียชีวิตอย่างสงบที่บ้าน ประสานเงินช่วยเหลือค่าจัดการศพผู้สูงอายุให้ครอบครัว",
        ),
        closure=R.deceased,
        ends=S.closed,
    ),
    DemoCase(
        key="young-mother-newborn-ubon",
        days_ago=48.0,
        summary=(
            "หญิงอายุ 18 ปี ตั้งครรภ์ 7 เดือน ฝ่ายชายหนีไป ครอบครัวยากจน ไม่มีของใช้เตรียมคลอด "
            "ต้องการคำปรึกษาและการสนับสนุนหลังคลอด"
        ),
        categories=(C.unready_pregnancy, C.income_livelihood),
        urgency=U.normal,
        channel=CH.walk_in,
        area="340101",
        client=person(
            "นางสาว",
            "สุดารัตน์",
            "บุญมา",
            "female",
            id_type="thai_id",
            id_number=thai_id("134010056341"),
            birth_year=2550,
            pregnant=True,
            phone="064-902-7735",
        ),
        reporter=reporter("self", "สุดารัตน์ บุญมา", "064-902-7735"),
        detour=True,
        notes=(
            "ลงทะเบียนเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด และมอบชุดของใช้เตรียมคลอด",
            "คลอดบุตรปลอดภัย มารดาได้รับการฝึกอาชีพและกลับไปเรียน กศน.",
        ),
        closure=R.resolved,
        ends=S.closed,
    ),
)


# --------------------------------------------------------------------------- building intakes


def demo_location(area: str, address: str | None = None) -> dict[str, Any]:
    """The `location` of an intake from the most precise code known, completed from geothai."""
    location: dict[str, Any] = {}
    if len(area) == 6:
        found = geothai.address(area)
        if found is None:
            raise ValueError(f"unknown subdistrict {area}")
        location = {
            "province_code": found.province.code,
            "district_code": found.district.code,
            "subdistrict_code": found.subdistrict.code,
            "postal_code": found.subdistrict.postal_codes[0],
        }
    elif len(area) == 4:
        district = geothai.district(area)
        if district is None:
            raise ValueError(f"unknown district {area}")
        location = {"province_code": district.province_code, "district_code": district.code}
    else:
        location = {"province_code": area}
    if address:
        location["address"] = address
    return location


def demo_intake(spec: DemoCase, *, recorded_at: datetime) -> CaseCreate:
    """The intake a reporter would have sent for a demo case."""
    return CaseCreate.model_validate(
        {
            "summary": spec.summary,
            "categories": [c.value for c in spec.categories],
            "immediate_danger": spec.immediate_danger,
            "urgency": spec.urgency.value,
            "channel": spec.channel.value,
            "recorded_at": recorded_at,
            "client_reference": spec.client_reference,
            "client": spec.client,
            "reporter": {k: v for k, v in spec.reporter.items() if v is not None},
            "location": demo_location(spec.area, spec.address),
            "consent": spec.consent,
        }
    )


# --------------------------------------------------------------------------- handling


@dataclass(frozen=True)
class HandlingStep:
    """One thing a person does to a case after intake."""

    kind: str  # screen, take, offer, accept, note, move, close, reopen
    by: Role
    to: CaseStatus | None = None
    text: str | None = None
    closure: ClosureReason | None = None


def handling(spec: DemoCase) -> list[HandlingStep]:
    """What happens to a demo case after intake, in order, to reach its final status."""
    senior = Role.supervisor if spec.decided_urgency is Urgency.critical else Role.caseworker
    if spec.duplicate_of is not None:
        return [HandlingStep("close", Role.caseworker, closure=ClosureReason.duplicate)]
    if spec.ends is S.new:
        return []
    steps = [HandlingStep("screen", senior)]
    if spec.ends is S.screened:
        return steps
    if spec.closure is ClosureReason.out_of_scope:
        return [*steps, HandlingStep("close", senior, closure=ClosureReason.out_of_scope)]
    lead = spec.lead
    if lead is Role.volunteer:
        steps += [HandlingStep("offer", Role.caseworker), HandlingStep("accept", Role.volunteer)]
    else:
        steps.append(HandlingStep("take", lead))
    notes = [HandlingStep("note", lead, text=text) for text in spec.notes]
    steps += notes[:1]
    if spec.detour:
        steps += [
            HandlingStep("move", lead, to=S.awaiting_client),
            HandlingStep("move", lead, to=S.in_progress),
        ]
    steps += notes[1:]
    if spec.ends is S.awaiting_client:
        return [*steps, HandlingStep("move", lead, to=S.awaiting_client)]
    if spec.ends is S.in_progress and spec.reopen is None:
        return steps
    steps.append(HandlingStep("move", lead, to=S.resolved))
    if spec.ends is S.resolved:
        return steps
    steps.append(HandlingStep("close", senior, closure=spec.closure or ClosureReason.resolved))
    if spec.reopen is not None:
        reason, follow_up = spec.reopen
        steps += [
            HandlingStep("reopen", Role.supervisor, text=reason),
            HandlingStep("note", lead, text=follow_up),
        ]
    return steps


async def _offer_to_volunteer(
    session: AsyncSession,
    *,
    settings: Settings,
    case_id: uuid.UUID,
    offered_by: User,
    volunteer: User,
    now: datetime,
) -> None:
    """A caseworker offers a screened case to the demo volunteer."""
    case = await session.get(Case, case_id, with_for_update=True, populate_existing=True)
    assert case is not None and case.status is S.screened
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.offered,
        actor_id=offered_by.id,
        now=now,
        data={"offered_to": str(volunteer.id)},
    )
    await session.flush()


async def _volunteer_accepts(
    session: AsyncSession, *, settings: Settings, case_id: uuid.UUID, volunteer: User, now: datetime
) -> str:
    """The volunteer accepts the offer: they lead the case, which is now in progress."""
    case = await session.get(Case, case_id, with_for_update=True, populate_existing=True)
    assert case is not None and case.status is S.screened and case.lead_id is None
    case.status = S.in_progress
    case.lead_id = volunteer.id
    case.version += 1
    case.updated_at = now
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.offer_accepted,
        actor_id=volunteer.id,
        now=now,
        changes={
            "status": [S.screened.value, S.in_progress.value],
            "lead_id": [None, str(volunteer.id)],
        },
    )
    await session.flush()
    return cases.etag(case)


async def _handle(
    session: AsyncSession,
    *,
    settings: Settings,
    spec: DemoCase,
    case_id: uuid.UUID,
    tag: str,
    people: dict[Role, User],
    ids: dict[str, uuid.UUID],
    start: datetime,
    now: datetime,
) -> None:
    """Carry a new demo case through its handling, each step a little later than the last."""
    steps = handling(spec)
    gap = (now - start) / (len(steps) + 1)
    for number, step in enumerate(steps, start=1):
        at = start + gap * number
        user = people[step.by]
        if step.kind == "note":
            assert step.text is not None
            await cases.add_note(
                session,
                settings=settings,
                user=user,
                case_id=case_id,
                body=NoteIn(body=step.text),
                now=at,
            )
            continue
        if step.kind == "offer":
            await _offer_to_volunteer(
                session,
                settings=settings,
                case_id=case_id,
                offered_by=user,
                volunteer=people[Role.volunteer],
                now=at,
            )
            continue
        if step.kind == "accept":
            tag = await _volunteer_accepts(
                session, settings=settings, case_id=case_id, volunteer=user, now=at
            )
            continue
        if step.kind == "screen":
            body = TransitionIn(to=S.screened, urgency=spec.decided_urgency, basis=spec.basis)
        elif step.kind == "take":
            body = TransitionIn(to=S.in_progress)
        elif step.kind == "move":
            assert step.to is not None
            body = TransitionIn(to=step.to)
        elif step.kind == "close":
            duplicate_of = ids[spec.duplicate_of] if spec.duplicate_of is not None else None
            body = TransitionIn(to=S.closed, closure_reason=step.closure, duplicate_of=duplicate_of)
        elif step.kind == "reopen":
            body = TransitionIn(to=S.in_progress, reason=step.text)
        else:  # pragma: no cover - the plan only holds the kinds above
            raise ValueError(f"unknown step {step.kind}")
        _, tag = await cases.transition_case(
            session,
            settings=settings,
            user=user,
            case_id=case_id,
            body=body,
            if_match=tag,
            now=at,
        )


async def seed_demo_cases(
    session: AsyncSession, *, settings: Settings, people: dict[Role, User], now: datetime
) -> tuple[int, int]:
    """Report and handle the demo cases that are missing; returns (demo cases, created now)."""
    ids: dict[str, uuid.UUID] = {}
    created = 0
    # Oldest first, so reference numbers follow the order the cases came in.
    for spec in sorted(DEMO_CASES, key=lambda s: -s.days_ago):
        start = now - timedelta(days=spec.days_ago)
        captured = timedelta(minutes=40 if spec.channel in (CH.mobile, CH.outreach) else 3)
        data = demo_intake(spec, recorded_at=start - captured)
        answer = await intake.submit_case(
            session,
            settings=settings,
            reporter=people[spec.reporter_role],
            data=data,
            raw_body=data.model_dump_json().encode(),
            idempotency_key=None,
            now=start,
        )
        case_id = uuid.UUID(answer.headers["location"].rsplit("/", 1)[-1])
        ids[spec.key] = case_id
        if answer.status_code != 201:
            continue  # seeded before
        created += 1
        await _handle(
            session,
            settings=settings,
            spec=spec,
            case_id=case_id,
            tag=answer.headers["etag"],
            people=people,
            ids=ids,
            start=start,
            now=now,
        )
    return len(ids), created


async def seed_demo(session: AsyncSession, *, settings: Settings, now: datetime) -> dict[str, int]:
    """Create the demo data that is missing; refused outside development."""
    if not settings.is_development:
        raise Forbidden(f"Demo data is only for development; this is {settings.environment.value}.")
    accounts = await ensure_demo_accounts(session, now=now)
    people = {account.role: account for account in accounts}
    demo_cases, created = await seed_demo_cases(session, settings=settings, people=people, now=now)
    return {"accounts": len(accounts), "cases": demo_cases, "cases_created": created}
