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
}

ORGANIZATION_EXAMPLES: dict[str, dict[str, Any]] = {
    "district_welfare_unit": {
        "summary": "A district's local government welfare unit",
        "description": "A municipality's welfare division in Chiang Mai, with its phone and "
        "office; its services are added one by one.",
        "value": {
            "name": "กองสวัสดิการสังคม เทศบาลตำบลแม่เหียะ",
            "alternate_name": "Social Welfare Division, Mae Hia Subdistrict Municipality",
            "description": "ดูแลเบี้ยยังชีพ ผู้สูงอายุ คนพิการ และครอบครัวที่เดือดร้อนในตำบลแม่เหียะ",
            "email": "welfare@example-maehia.go.th",
            "phones": [{"id": "5b0f9c7e-3f1a-4c2e-9a51-7d2f1e0a6b01", "number": "+66 53 000 7700"}],
            "locations": [
                {
                    "id": "5b0f9c7e-3f1a-4c2e-9a51-7d2f1e0a6b02",
                    "location_type": "physical",
                    "name": "สำนักงานเทศบาลตำบลแม่เหียะ",
                    "addresses": [
                        {
                            "id": "5b0f9c7e-3f1a-4c2e-9a51-7d2f1e0a6b03",
                            "address_1": "ตำบลแม่เหียะ",
                            "city": "เมืองเชียงใหม่",
                            "state_province": "เชียงใหม่",
                            "postal_code": "50100",
                            "country": "TH",
                            "address_type": "physical",
                        }
                    ],
                }
            ],
        },
    }
}

SERVICE_EXAMPLES: dict[str, dict[str, Any]] = {
    "counselling_for_families": {
        "summary": "Family counselling at the Chiang Mai Home for Children and Families",
        "description": "A new service of a demo organization: who it serves, where, in which "
        "languages, how many places it has and how soon it answers a referral.",
        "value": {
            "organization_id": "3934dfd7-d968-5794-96bc-5ac3a67b20f4",
            "name": "ให้คำปรึกษาครอบครัว",
            "alternate_name": "Family counselling",
            "status": "active",
            "eligibility_description": "ครอบครัวที่มีเด็กอายุต่ำกว่า 18 ปี",
            "maximum_age": 17,
            "service_areas": [
                {
                    "id": "7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d01",
                    "name": "จังหวัดเชียงใหม่",
                    "x_onestop": {"area_code": "50"},
                }
            ],
            "languages": [{"id": "7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d02", "code": "th"}],
            "capacities": [
                {
                    "id": "7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d03",
                    "unit": {"id": "7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d04", "name": "cases"},
                    "available": 5,
                    "maximum": 20,
                    "updated": "2026-11-30T09:00:00+07:00",
                }
            ],
            "x_onestop": {
                "categories": ["family_relationship", "child_youth"],
                "target_groups": ["child"],
                "accepts_referrals": True,
                "response_deadline_hours": {"high": 24, "normal": 72},
            },
        },
    }
}
