"""Request examples shown in the OpenAPI document and by `/docs`'s "Try it out".

Each one is a request that succeeds as it stands (a test sends every request-body example the
OpenAPI carries), so a reader who copies it starts from something that works.
"""

from __future__ import annotations

from typing import Any

INTAKE_EXAMPLES: dict[str, dict[str, Any]] = {
    "older_person_alone": {
        "summary": "An older woman living alone without income",
        "description": "A neighbour reports her through the mobile app; her Thai id number "
        "(mod-11 check digit) and Bangkok address codes are valid, and her birth year is "
        "given in the Buddhist Era.",
        "value": {
            "summary": "ผู้สูงอายุอาศัยอยู่ลำพัง ไม่มีรายได้ ขาดอาหารมาสองวัน",
            "categories": ["older_person", "income_livelihood"],
            "immediate_danger": False,
            "urgency": "high",
            "channel": "mobile",
            "client": {
                "title": "นาง",
                "first_name": "สมศรี",
                "last_name": "ใจดี",
                "id_type": "thai_id",
                "id_number": "1-1017-00230-70-8",
                "birth_year": 2490,
                "gender": "female",
                "phone": "081-234-5678",
                "languages": ["th"],
            },
            "reporter": {"relationship": "neighbour", "name": "สมชาย", "phone": "0891234567"},
            "location": {
                "province_code": "10",
                "district_code": "1001",
                "subdistrict_code": "100101",
                "postal_code": "10200",
                "address": "ซอย 5 ถนนราชดำเนิน",
            },
            "consent": {"data_collection": "given", "share_with_agencies": True},
        },
    },
    "held_abroad": {
        "summary": "A Thai woman held abroad",
        "description": "Her sister reports her by phone from home: she is in Malaysia (a "
        "country code, a city and an address, no Thai area code), her home province is Udon "
        "Thani (41); she cannot be asked for consent, so the basis is her vital interest.",
        "value": {
            "summary": "ถูกหลอกไปทำงานร้านอาหารที่มาเลเซีย ถูกบังคับทำงานในร้านคาราโอเกะ ถูกยึดหนังสือเดินทาง",
            "categories": ["human_trafficking"],
            "immediate_danger": True,
            "channel": "phone",
            "client": {
                "title": "นางสาว",
                "first_name": "ดวงใจ",
                "gender": "female",
                "nationality": "ไทย",
                "home_province_code": "41",
            },
            "reporter": {"relationship": "family", "name": "สุดารัตน์", "phone": "086-219-4470"},
            "location": {
                "country_code": "MY",
                "city": "Johor Bahru",
                "address": "ร้านคาราโอเกะย่านตามันเปอลางี",
            },
            "consent": {
                "data_collection": "not_possible",
                "share_with_agencies": True,
                "basis": "vital_interest",
            },
        },
    },
}
