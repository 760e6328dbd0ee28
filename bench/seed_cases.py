"""Fill a PostgreSQL database with a realistic case load for the list benchmarks.

    .venv/bin/python -m bench.seed_cases [DATABASE_URL] [--cases 1000000] [--users 300]

The database is migrated to head first (`onestop migrate`), then its case tables are emptied and
refilled. Everything is generated on the server (`generate_series`, `INSERT ... SELECT`), so a
million cases take a few minutes on two cores. The load looks like the center's:

- cases over the last three years, more of them recent;
- statuses skewed to `closed`: a case is open for a couple of weeks, a few stay open for long;
  `new` and `screened` cases have no lead yet;
- urgencies 3 % critical, 15 % high, 62 % normal, 20 % low;
- one to three categories per case (also in `case_categories`), some far more common;
- the 77 provinces weighted by size (Bangkok the most), a district for nine cases in ten;
- a few hundred users (volunteers, caseworkers, supervisors) as reporters and leads, a few of
  them far busier than the others;
- clients named from a pool of Thai and a few Latin names, with the real name keys.

`seed_cases()` takes an open connection and never commits, so the tests can seed a small load
inside their own transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import geothai
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from auth.passwords import hash_password_sync
from models.enums import Category, Role
from service.cases.client_fields import name_keys
from service.platform.crypto import CHAIN_PURPOSE, AuditKey, audit_key, derive_key, label
from service.platform.db import create_engine
from service.platform.migrations import upgrade

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_cases"
BENCH_PASSWORD = "onestop-bench-password"  # noqa: S105 - bench accounts only
USER_NAMESPACE = uuid.UUID("6f1d7c1e-3f55-4b55-9a43-0c6a2f0b9d10")


def _words(text: str) -> list[str]:
    return text.split()


THAI_FIRST_NAMES = _words(
    "สมชาย สมศรี สมพร สมศักดิ์ สมหญิง สมบัติ สมปอง สมจิตร สมบูรณ์ สมเกียรติ "
    "ประยุทธ ประเสริฐ ประภา ประพันธ์ ประสิทธิ์ ประทีป บุญมี บุญเรือน บุญส่ง บุญชู "
    "สุนทร สุนีย์ สุดา สุภาพ สุรชัย สุรพล สุวรรณ สุมาลี สุชาติ สุกัญญา "
    "วิชัย วิไล วิภา วิมล วีระ วัฒนา วันชัย วาสนา วรรณา วิโรจน์ "
    "นงลักษณ์ นิตยา นภา นพดล นิพนธ์ นันทนา ณัฐพล ณัฐวุฒิ ธนพล ธีรพงษ์ "
    "กมล กัลยา กาญจนา กิตติ กฤษณะ จันทร์เพ็ญ จิราพร ชัยวัฒน์ ชลธิชา ทองใบ "
    "ทองดี พรทิพย์ พิมพ์ใจ พัชรี พงษ์ศักดิ์ มาลี มานพ ยุพิน รัตนา ละเอียด "
    "ศรีสุดา ศิริพร ศักดิ์ชัย อนงค์ อรุณ อัมพร อำนาจ เอกชัย อุไร ไพโรจน์ "
    "แสงเดือน ดวงใจ ดารุณี เกศินี ขวัญใจ คำปุ่น คำแพง บัวผัน มะลิ ลำดวน"
)
THAI_LAST_NAMES = _words(
    "ใจดี สุขใจ ศรีสุข แสนดี มั่นคง รักไทย ทองคำ บุญมา ศรีวงศ์ สายทอง "
    "แก้วมณี จันทร์หอม พรหมมา วงศ์สวัสดิ์ ปัญญาดี สมบูรณ์ชัย ชัยมงคล ศักดิ์สิทธิ์ อินทร์แก้ว ทองสุข "
    "บุญประเสริฐ เพชรรัตน์ มณีวงศ์ ศรีสมบัติ นาคสวัสดิ์ พึ่งทอง คงมั่น ยิ้มแย้ม แก้วประเสริฐ สุวรรณรัตน์ "
    "รุ่งเรือง เจริญสุข ประเสริฐศรี กาญจนวงศ์ ทองมา บุญเกิด ศรีทอง จันทร์แก้ว พันธ์ดี สีดา "
    "ขันทอง คำมา แสงทอง ดวงดี ไชยวงศ์ อุดมสุข วิเศษสุวรรณ รัตนพันธ์ ธนากร เกษมสุข "
    "ภักดี นิลสุวรรณ ศรีประเสริฐ ทองใบ มีสุข อ่อนศรี โพธิ์ทอง พุ่มพวง บัวทอง สิงห์คำ"
)
LATIN_FIRST_NAMES = _words("Aung Min Thida Sokha Dara Bounmy Khin Zaw Maria John Somchai Nang")
LATIN_LAST_NAMES = _words("Win Htun Oo Chan Sok Phommachanh Kyaw Smith Lee Nguyen")
SUMMARIES = (
    "ผู้สูงอายุอาศัยอยู่ลำพัง ไม่มีรายได้ ขาดอาหารมาสองวัน เพื่อนบ้านแจ้งว่าไม่มีญาติดูแล",
    "เด็กถูกทิ้งไว้กับเพื่อนบ้าน พ่อแม่ไปทำงานต่างจังหวัด ไม่ได้ไปโรงเรียนมาหนึ่งเดือน",
    "ผู้หญิงถูกสามีทำร้ายร่างกายเป็นประจำ ต้องการที่พักชั่วคราวและคำปรึกษาด้านกฎหมาย",
    "คนไร้บ้านนอนอยู่ใต้สะพาน มีอาการป่วย ต้องการความช่วยเหลือด้านสุขภาพและที่พัก",
    "วัยรุ่นตั้งครรภ์ไม่พร้อม อายุสิบหกปี ต้องการคำปรึกษาและการดูแลจากหน่วยงาน",
    "ครอบครัวตกงานจากน้ำท่วม ขาดรายได้ ต้องการเงินช่วยเหลือฉุกเฉินและสิ่งของจำเป็น",
    "ผู้พิการทางการเคลื่อนไหวไม่มีบัตรคนพิการ ต้องการความช่วยเหลือในการเข้าถึงสิทธิ",
    "บุคคลไร้สัญชาติไม่มีเอกสาร ต้องการความช่วยเหลือด้านทะเบียนราษฎร์",
)
# Relative frequency of each category: poverty, older people and family problems dominate.
CATEGORY_WEIGHTS: dict[Category, int] = {
    Category.income_livelihood: 22,
    Category.older_person: 16,
    Category.family_relationship: 10,
    Category.family_violence: 9,
    Category.welfare_rights_access: 9,
    Category.disability: 8,
    Category.homeless_destitute: 7,
    Category.child_youth: 7,
    Category.health_mental_health: 7,
    Category.housing: 6,
    Category.unready_pregnancy: 3,
    Category.other_violence_abuse: 3,
    Category.drug_affected: 3,
    Category.begging: 2,
    Category.civil_registration_statelessness: 2,
    Category.disaster_affected: 2,
    Category.missing_person: 1,
    Category.other: 2,
    Category.human_trafficking: 1,
}
CATEGORY_CODES = [category.value for category in Category]
# Larger provinces (by number of districts) report more; Bangkok and a few cities much more.
PROVINCE_BOOST = {"10": 6.0, "50": 1.6, "40": 1.4, "30": 1.4, "20": 1.6, "90": 1.4, "41": 1.3}
AREA_SLOTS = 20_000
CATEGORY_SLOTS = 1_000
CASE_TABLES = ("case_categories", "case_notes", "case_duplicates", "case_events", "cases")


@dataclass(frozen=True)
class SeedSummary:
    cases: int
    case_categories: int
    users: int
    seconds: float


def _areas() -> tuple[list[tuple[int, str, str | None]], list[int]]:
    """Every district with its province, and a list of area indexes repeated by weight."""
    areas: list[tuple[int, str, str | None]] = []
    weights: list[float] = []
    for province in geothai.provinces():
        districts = geothai.districts(province.code)
        province_weight = max(len(districts), 3) * PROVINCE_BOOST.get(province.code, 1.0)
        # One case in ten has no district yet: an area entry with the province alone.
        areas.append((len(areas) + 1, province.code, None))
        weights.append(province_weight * 0.1)
        for position, district in enumerate(districts):
            # The first (central, "Mueang") districts of a province report the most.
            share = math.pow(1 + position, -0.7)
            areas.append((len(areas) + 1, province.code, district.code))
            weights.append(province_weight * 0.9 * share / _harmonic(len(districts)))
    return areas, _slots(weights, AREA_SLOTS)


def _harmonic(count: int) -> float:
    return sum(math.pow(1 + position, -0.7) for position in range(count))


def _slots(weights: list[float], size: int) -> list[int]:
    """1-based indexes, each repeated in proportion to its weight (at least once)."""
    total = sum(weights)
    slots: list[int] = []
    for index, weight in enumerate(weights, start=1):
        slots.extend([index] * max(1, round(weight / total * size)))
    return slots


def _names(rng: random.Random) -> list[tuple[int, str, str, dict[str, str | None]]]:
    """A pool of client names with their keys, the commonest first."""
    pairs = [(first, last) for first in THAI_FIRST_NAMES for last in THAI_LAST_NAMES]
    rng.shuffle(pairs)
    latin = [(first, last) for first in LATIN_FIRST_NAMES for last in LATIN_LAST_NAMES]
    rng.shuffle(latin)
    pool = pairs[:4000] + latin
    rng.shuffle(pool)
    rows = []
    for index, (first, last) in enumerate(pool, start=1):
        rows.append((index, first, last, name_keys(first, last)))
    return rows


def _users(count: int, now: datetime) -> list[dict[str, object]]:
    """Volunteers do most of the field work; caseworkers lead too; a few supervisors."""
    password_hash = hash_password_sync(BENCH_PASSWORD)
    volunteers = max(1, count * 2 // 3)
    supervisors = max(1, count // 15)
    caseworkers = max(1, count - volunteers - supervisors)
    users = []
    for role, number in (
        (Role.volunteer, volunteers),
        (Role.caseworker, caseworkers),
        (Role.supervisor, supervisors),
    ):
        for position in range(1, number + 1):
            username = f"bench.{role.value}.{position:04d}"
            users.append(
                {
                    "id": uuid.uuid5(USER_NAMESPACE, username),
                    "username": username,
                    "display_name": f"Bench {role.value} {position}",
                    "role": role.value,
                    "password_hash": password_hash,
                    "is_active": True,
                    "token_version": 1,
                    "password_changed_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return users


_CREATE_TEMP = (
    "CREATE TEMP TABLE seed_names (idx int PRIMARY KEY, first_name text, last_name text, "
    "name_key text, last_name_key text, first_sound text, last_sound text, "
    "first_skeleton text, last_skeleton text) ON COMMIT DROP",
    "CREATE TEMP TABLE seed_areas (idx int PRIMARY KEY, province_code text, "
    "district_code text) ON COMMIT DROP",
)

# One statement: the cases, then their category rows from what was inserted. Random draws are
# made once per row in `draws`; `shaped` turns them into statuses, urgencies and dates.
_INSERT_CASES = """
WITH draws AS (
    SELECT
        g AS n,
        CAST(:now AS timestamptz)
            - make_interval(secs => :span_seconds * power(random(), 1.25)) AS created_at,
        random() AS r_open, random() AS r_status, random() AS r_urgency, random() AS r_lead,
        random() AS r_reporter, random() AS r_name, random() AS r_area, random() AS r_cat1,
        random() AS r_cat2, random() AS r_cat3, random() AS r_ncat, random() AS r_channel,
        random() AS r_age, random() AS r_misc, random() AS r_phone, random() AS r_days
    FROM generate_series(1, :cases) AS g
),
shaped AS (
    SELECT
        d.*,
        extract(epoch FROM CAST(:now AS timestamptz) - d.created_at) / 86400.0 AS age_days,
        (CAST(:areas AS int[]))[1 + floor(d.r_area * :area_slots)::int] AS area_idx,
        CASE WHEN d.r_name < 0.8
            THEN 1 + floor(power(d.r_name / 0.8, 2) * :names)::int END AS name_idx,
        (CAST(:categories AS int[]))[1 + floor(d.r_cat1 * :category_slots)::int] AS c1,
        (CAST(:categories AS int[]))[1 + floor(d.r_cat2 * :category_slots)::int] AS c2,
        (CAST(:categories AS int[]))[1 + floor(d.r_cat3 * :category_slots)::int] AS c3,
        floor(d.r_age * 95)::int AS age
    FROM draws AS d
),
staged AS (
    SELECT
        s.*,
        CASE
            WHEN s.r_open >= 0.02 + 0.95 * exp(-s.age_days / 14.0) THEN 'closed'
            WHEN s.age_days < 1 AND s.r_status < 0.5 THEN 'new'
            WHEN s.age_days < 3 AND s.r_status < 0.4 THEN 'screened'
            WHEN s.r_status < 0.02 THEN 'new'
            WHEN s.r_status < 0.05 THEN 'screened'
            WHEN s.r_status < 0.60 THEN 'in_progress'
            WHEN s.r_status < 0.75 THEN 'awaiting_client'
            WHEN s.r_status < 0.88 THEN 'referred'
            ELSE 'resolved'
        END AS status,
        CASE
            WHEN s.r_urgency < 0.03 THEN 'critical'
            WHEN s.r_urgency < 0.18 THEN 'high'
            WHEN s.r_urgency < 0.80 THEN 'normal'
            ELSE 'low'
        END AS urgency,
        array_remove(ARRAY[
            s.c1,
            CASE WHEN s.r_ncat >= 0.6 AND s.c2 <> s.c1 THEN s.c2 END,
            CASE WHEN s.r_ncat >= 0.9 AND s.c3 <> s.c1 AND s.c3 <> s.c2 THEN s.c3 END
        ], NULL) AS category_idx
    FROM shaped AS s
),
numbered AS (
    SELECT
        st.*,
        (extract(year FROM st.created_at AT TIME ZONE 'Asia/Bangkok') + 543)::int AS be_year,
        row_number() OVER (
            PARTITION BY extract(year FROM st.created_at AT TIME ZONE 'Asia/Bangkok')
            ORDER BY st.created_at
        ) AS number
    FROM staged AS st
),
located AS (
    SELECT
        n.*,
        gen_random_uuid() AS case_id,
        'OS-' || n.be_year || '-' || lpad((n.number + coalesce(o.offset_by, 0))::text, 6, '0')
            AS reference,
        to_json(ARRAY(
            SELECT (CAST(:category_codes AS text[]))[c] FROM unnest(n.category_idx) AS c
        )) AS category_list,
        (ARRAY['mobile', 'mobile', 'mobile', 'phone', 'hotline_1300', 'walk_in', 'line',
               'web', 'agency_referral', 'outreach'])[1 + floor(n.r_channel * 10)::int]
            AS channel,
        ar.province_code, ar.district_code,
        nm.idx AS name_found, nm.first_name, nm.last_name, nm.name_key, nm.last_name_key,
        nm.first_sound, nm.last_sound, nm.first_skeleton, nm.last_skeleton,
        rep.id AS reporter_id, ld.id AS lead_pick
    FROM numbered AS n
    JOIN seed_areas AS ar ON ar.idx = n.area_idx
    LEFT JOIN seed_names AS nm ON nm.idx = n.name_idx
    JOIN seed_reporters AS rep ON rep.idx = 1 + floor(power(n.r_reporter, 1.5) * :reporters)::int
    JOIN seed_leads AS ld ON ld.idx = 1 + floor(power(n.r_lead, 1.3) * :leads)::int
    LEFT JOIN seed_offsets AS o ON o.year = n.be_year
),
-- The `created` event's chain hash, as `service.cases.events.chain_hash` makes it: HMAC-SHA256
-- (here from sha256() and the key's padded blocks) over a newline and the canonical JSON
-- payload (the backslash before the colon of seq keeps it from reading as a parameter).
-- Without a key (the tests' seeding) it is NULL and no event is written.
hashed AS (
    SELECT
        l.*,
        CAST(:key_label AS text) || encode(sha256(CAST(:outer_key AS bytea) || sha256(
            CAST(:inner_key AS bytea) || convert_to(
            E'\\n{"actor_id":"' || l.reporter_id || '","case_id":"' || l.case_id
            || '","changes":{},"data":{"categories":' || l.category_list::text
            || ',"channel":"' || l.channel || '","reference":"' || l.reference
            || '","urgency":"' || l.urgency || '"},"occurred_at":"'
            || to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
            || '+00:00","seq"\\:1,"type":"created"}',
            'UTF8'
        ))), 'hex') AS event_hash
    FROM located AS l
),
anchored AS (
    -- The keyed anchor of a one-event chain, as `service.cases.events.chain_anchor` signs it.
    SELECT
        h.*,
        CAST(:key_label AS text) || encode(sha256(CAST(:outer_key AS bytea) || sha256(
            CAST(:inner_key AS bytea) || convert_to(
                E'anchor\\n' || h.case_id || E'\\n1\\n' || h.event_hash, 'UTF8'
            )
        )), 'hex') AS anchor
    FROM hashed AS h
),
inserted AS (
    INSERT INTO cases (
        id, reference, status, urgency, suggested_urgency, immediate_danger, categories,
        target_groups, channel, summary, recorded_at, client_reference,
        client_title, client_first_name, client_last_name, client_nickname,
        client_name_key, client_last_name_key, client_first_sound, client_last_sound,
        client_first_skeleton, client_last_skeleton, client_id_type, client_age_estimate,
        client_gender, client_phone, client_nationality, client_languages,
        client_disability, client_pregnant, reporter_relationship, reporter_name,
        reporter_phone, reporter_anonymous, province_code, district_code,
        consent_data_collection, consent_share_with_agencies, legal_basis,
        consent_recorded_by_id, created_by_id, lead_id, screened_at, screened_by_id,
        resolved_at, closed_at, closure_reason, created_at, updated_at, version, event_count,
        last_event_hash, chain_anchor
    )
    SELECT
        n.case_id,
        n.reference,
        n.status,
        n.urgency,
        CASE WHEN n.r_misc < 0.5 THEN n.urgency END,
        n.urgency = 'critical' AND n.r_misc < 0.6,
        n.category_list,
        CAST(CASE
            WHEN n.age < 18 THEN '["child"]'
            WHEN n.age < 26 THEN '["youth"]'
            WHEN n.age >= 60 THEN '["older_person"]'
            ELSE '[]'
        END AS json),
        n.channel,
        (CAST(:summaries AS text[]))[1 + floor(n.r_misc * :summary_count)::int],
        n.created_at - make_interval(mins => floor(n.r_days * 180)::int),
        NULL,
        CASE
            WHEN n.name_found IS NULL THEN NULL
            WHEN n.age < 15 THEN CASE WHEN n.r_misc < 0.48 THEN 'เด็กหญิง' ELSE 'เด็กชาย' END
            WHEN n.r_misc < 0.25 THEN 'นางสาว'
            WHEN n.r_misc < 0.48 THEN 'นาง'
            ELSE 'นาย'
        END,
        n.first_name,
        n.last_name,
        NULL,
        n.name_key,
        n.last_name_key,
        n.first_sound,
        n.last_sound,
        n.first_skeleton,
        n.last_skeleton,
        'unknown',
        n.age,
        CASE WHEN n.r_misc < 0.48 THEN 'female' WHEN n.r_misc < 0.96 THEN 'male'
            ELSE 'unknown' END,
        CASE WHEN n.r_phone < 0.6
            THEN '+668' || lpad(floor(n.r_phone * 1e8)::text, 8, '0') END,
        CASE WHEN n.r_phone < 0.9 THEN 'TH' END,
        CAST('["th"]' AS json),
        n.r_cat3 < 0.08,
        n.age BETWEEN 14 AND 45 AND n.r_cat2 < 0.03 AND n.r_misc < 0.48,  -- women only
        (ARRAY['self', 'family', 'neighbour', 'volunteer', 'official', 'other'])
            [1 + floor(n.r_reporter * 6)::int],
        NULL,
        NULL,
        n.r_channel < 0.1,
        n.province_code,
        n.district_code,
        CASE WHEN n.r_days < 0.85 THEN 'given' WHEN n.r_days < 0.95 THEN 'not_possible'
            ELSE 'refused' END,
        n.r_days < 0.7,
        CASE WHEN n.status = 'new' THEN NULL WHEN n.r_days < 0.85 THEN 'consent'
            ELSE 'social_protection' END,
        n.reporter_id,
        n.reporter_id,
        CASE WHEN n.status IN ('new', 'screened') THEN NULL
             -- One closed case in twenty lost its lead; the draw's lower digits, so that
             -- the busiest leads (the lowest draws) keep their closed cases too.
             WHEN n.status = 'closed' AND n.r_lead * 100 - floor(n.r_lead * 100) < 0.05
                 THEN NULL
             ELSE n.lead_pick END,
        CASE WHEN n.status <> 'new' THEN n.created_at + make_interval(hours => 2) END,
        CASE WHEN n.status <> 'new' THEN n.lead_pick END,
        CASE WHEN n.status IN ('resolved', 'closed')
            THEN n.created_at + make_interval(days => 1 + floor(n.r_days * 20)::int) END,
        CASE WHEN n.status = 'closed'
            THEN n.created_at + make_interval(days => 2 + floor(n.r_days * 25)::int) END,
        CASE WHEN n.status = 'closed' THEN
            (ARRAY['resolved', 'resolved', 'resolved', 'resolved', 'referred_closed',
                   'referred_closed', 'unreachable', 'declined_help', 'duplicate',
                   'out_of_scope'])[1 + floor(n.r_lead * 10)::int]
        END,
        n.created_at,
        CASE WHEN n.status = 'closed'
            THEN n.created_at + make_interval(days => 2 + floor(n.r_days * 25)::int)
            ELSE n.created_at + make_interval(hours => floor(n.r_days * 48)::int) END,
        CASE WHEN n.status = 'new' THEN 1 ELSE 3 + floor(n.r_misc * 6)::int END,
        CASE WHEN n.event_hash IS NULL THEN 0 ELSE 1 END,
        n.event_hash,
        n.anchor
    FROM anchored AS n
    RETURNING id, reference, channel, urgency, categories, created_by_id, created_at,
        last_event_hash
),
categorised AS (
    INSERT INTO case_categories (case_id, category, created_at)
    SELECT i.id, c.category, i.created_at
    FROM inserted AS i, json_array_elements_text(i.categories) AS c(category)
)
INSERT INTO case_events (id, case_id, seq, type, actor_id, occurred_at, changes, data, prev_hash,
    hash)
SELECT
    gen_random_uuid(), i.id, 1, 'created', i.created_by_id, i.created_at, CAST('{}' AS json),
    json_build_object('reference', i.reference, 'channel', i.channel, 'urgency', i.urgency,
        'categories', i.categories),
    NULL, i.last_event_hash
FROM inserted AS i
WHERE i.last_event_hash IS NOT NULL
"""


def _hmac_blocks(key: AuditKey | None) -> dict[str, bytes | str | None]:
    """The inner and outer padded key blocks of HMAC-SHA256 (RFC 2104) of the audit key's
    current key, and the label that names it in stored values."""
    if key is None:
        return {"inner_key": None, "outer_key": None, "key_label": None}
    secret = derive_key(key.data_key.secret_for(key.key_id), CHAIN_PURPOSE)
    block = secret.ljust(64, b"\0")
    return {
        "inner_key": bytes(byte ^ 0x36 for byte in block),
        "outer_key": bytes(byte ^ 0x5C for byte in block),
        "key_label": label(key.key_id),
    }


async def _seq_position(connection: AsyncConnection) -> int:
    row = await connection.execute(
        sa.text(
            "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
            "FROM case_reference_seq"
        )
    )
    return int(row.scalar_one())


async def seed_cases(
    connection: AsyncConnection,
    *,
    cases: int,
    users: int = 300,
    seed: float = 0.42,
    now: datetime | None = None,
    analyze: bool = True,
    busiest: Sequence[uuid.UUID] = (),
    event_key: AuditKey | None = None,
) -> SeedSummary:
    """Insert `users` staff and `cases` cases with their categories; no commit.

    `busiest` are existing users who report and lead more cases than anyone else (the accounts
    a load test signs in with). With `event_key` (the audit key of the service that will serve
    the data) each case gets its `created` event, chained as the service chains it.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    await connection.execute(sa.text("SELECT setseed(:seed)"), {"seed": seed})

    user_rows = _users(users, now)
    await connection.execute(
        sa.text(
            "INSERT INTO users (id, username, display_name, role, password_hash, is_active, "
            "token_version, password_changed_at, created_at, updated_at) VALUES (:id, "
            ":username, :display_name, :role, :password_hash, :is_active, :token_version, "
            ":password_changed_at, :created_at, :updated_at)"
        ),
        user_rows,
    )
    reporters = [row["id"] for row in user_rows]
    rng.shuffle(reporters)
    leads = [row["id"] for row in user_rows if row["role"] != Role.supervisor.value]
    rng.shuffle(leads)
    # The first users of each list are the busiest (the draws are skewed to low indexes).
    reporters = [*busiest, *reporters]
    leads = [*busiest, *leads]

    for statement in _CREATE_TEMP:
        await connection.execute(sa.text(statement))
    for name, ids in (("seed_reporters", reporters), ("seed_leads", leads)):
        await connection.execute(
            sa.text(
                f"CREATE TEMP TABLE {name} ON COMMIT DROP AS "  # noqa: S608 - fixed names
                "SELECT CAST(o AS int) AS idx, u AS id FROM unnest(CAST(:ids AS uuid[])) "
                "WITH ORDINALITY AS t(u, o)"
            ),
            {"ids": ids},
        )
    names = _names(rng)
    await connection.execute(
        sa.text(
            "INSERT INTO seed_names VALUES (:idx, :first_name, :last_name, :client_name_key, "
            ":client_last_name_key, :client_first_sound, :client_last_sound, "
            ":client_first_skeleton, :client_last_skeleton)"
        ),
        [{"idx": i, "first_name": f, "last_name": la, **keys} for i, f, la, keys in names],
    )
    areas, area_slots = _areas()
    await connection.execute(
        sa.text("INSERT INTO seed_areas VALUES (:idx, :province_code, :district_code)"),
        [{"idx": i, "province_code": p, "district_code": d} for i, p, d in areas],
    )
    category_slots = _slots(
        [float(CATEGORY_WEIGHTS[Category(code)]) for code in CATEGORY_CODES], CATEGORY_SLOTS
    )

    # References continue each year's numbering: `seed_offsets` holds the numbers already
    # handed out per Buddhist Era year (sequence position minus the year's base).
    position = await _seq_position(connection)
    await connection.execute(
        sa.text(
            "CREATE TEMP TABLE seed_offsets ON COMMIT DROP AS "
            "SELECT year, CAST(:position AS bigint) - last AS offset_by FROM reference_counters"
        ),
        {"position": position},
    )
    await connection.execute(
        sa.text(_INSERT_CASES),
        {
            "now": now,
            "span_seconds": 3 * 365 * 86400.0,
            "cases": cases,
            "areas": area_slots,
            "area_slots": len(area_slots),
            "names": len(names),
            "categories": category_slots,
            "category_slots": len(category_slots),
            "category_codes": CATEGORY_CODES,
            "summaries": list(SUMMARIES),
            "summary_count": len(SUMMARIES),
            "reporters": len(reporters),
            "leads": len(leads),
            **_hmac_blocks(event_key),
        },
    )
    # Each year's base moves down by the numbers just used, so the next intake continues after
    # them: number = nextval - base.
    await connection.execute(
        sa.text(
            "INSERT INTO reference_counters (year, last) "
            "SELECT y.year, CAST(:position AS bigint) - coalesce(o.offset_by, 0) - y.used "
            "FROM (SELECT CAST(split_part(reference, '-', 2) AS int) AS year, "
            "      count(*) AS used FROM cases "
            "      WHERE created_by_id = ANY(CAST(:ids AS uuid[])) GROUP BY 1) AS y "
            "LEFT JOIN seed_offsets AS o ON o.year = y.year "
            "ON CONFLICT (year) DO UPDATE SET last = excluded.last"
        ),
        {"position": position, "ids": reporters},
    )
    if analyze:
        for table in ("users", "cases", "case_categories"):
            await connection.execute(sa.text(f"ANALYZE {table}"))
    if event_key is not None:
        await connection.execute(sa.text("ANALYZE case_events"))
    counts = await connection.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_categories), "
            "(SELECT count(*) FROM users)"
        )
    )
    total_cases, total_categories, total_users = counts.one()
    return SeedSummary(
        cases=int(total_cases),
        case_categories=int(total_categories),
        users=int(total_users),
        seconds=time.perf_counter() - started,
    )


async def reset_cases(connection: AsyncConnection) -> None:
    """Empty the case tables (and anything hanging off them) and remove earlier bench users."""
    await connection.execute(sa.text("TRUNCATE " + ", ".join(CASE_TABLES) + " CASCADE"))
    await connection.execute(sa.text("DELETE FROM users WHERE username LIKE 'bench.%'"))


async def main(
    url: str,
    *,
    cases: int,
    users: int,
    seed: float,
    busiest: Sequence[uuid.UUID] = (),
    event_key: AuditKey | None = None,
) -> None:
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("SET LOCAL synchronous_commit = off"))
            await connection.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
            await connection.execute(sa.text("SET LOCAL work_mem = '64MB'"))
            await reset_cases(connection)
            summary = await seed_cases(
                connection,
                cases=cases,
                users=users,
                seed=seed,
                analyze=False,
                busiest=busiest,
                event_key=event_key,
            )
        # VACUUM marks the pages all-visible (index-only scans), as autovacuum would by now.
        autocommit = await engine.connect()
        try:
            connection = await autocommit.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("users", "cases", "case_categories", "case_events"):
                await connection.execute(sa.text(f"VACUUM (ANALYZE) {table}"))
        finally:
            await autocommit.close()
    finally:
        await engine.dispose()
    print(
        f"seeded {summary.cases:,} cases, {summary.case_categories:,} category rows and "
        f"{summary.users:,} users in {summary.seconds:.1f} s"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="a postgresql+asyncpg URL")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seed", type=float, default=0.42, help="between -1 and 1")
    parser.add_argument(
        "--busiest",
        type=lambda text: [uuid.UUID(item) for item in text.split(",") if item],
        default=[],
        help="comma-separated ids of existing users who report and lead the most cases",
    )
    parser.add_argument(
        "--events",
        action="store_true",
        help="write each case's `created` event, chained with the key of ONESTOP_DATA_KEY",
    )
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    asyncio.run(
        main(
            arguments.url,
            cases=arguments.cases,
            users=arguments.users,
            seed=arguments.seed,
            busiest=arguments.busiest,
            event_key=audit_key(os.environ["ONESTOP_DATA_KEY"]) if arguments.events else None,
        )
    )
