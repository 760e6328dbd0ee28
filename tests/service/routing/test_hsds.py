"""The directory as HSDS JSON: round trips without loss, refuses malformed files whole with a
line per problem, upserts by id, and `onestop import-directory` / `export-directory`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.agency import Organization, Phone, Service
from models.base import utcnow
from service.routing.hsds import DirectoryRefused, export_directory, import_directory
from tests.conftest import ROOT, run_cli, wipe_database_blocking

DEMO = ROOT / "service" / "demo" / "directory.json"


def _demo() -> dict[str, Any]:
    return dict(json.loads(DEMO.read_text(encoding="utf-8")))


async def test_demo_directory_imports_and_exports_as_the_data_file(session: AsyncSession) -> None:
    done = await import_directory(session, text=DEMO.read_text(encoding="utf-8"), now=utcnow())
    assert done["organizations created"] == len(_demo()["organizations"])

    exported = await export_directory(session)

    assert json.loads(exported) == _demo()
    assert exported == DEMO.read_text(encoding="utf-8")


async def test_import_export_import_export_gives_identical_bytes(session: AsyncSession) -> None:
    document = _demo()
    # A file written by someone else: other key order, times with an offset.
    first = document["organizations"][0]
    first["services"][0]["capacities"] = [
        {
            "updated": "2026-11-23T09:00:00+07:00",
            "available": 2,
            "unit": {"name": "beds", "id": "4b0e7c1e-5d2a-4f59-9a7e-1e6f0c0b9a01"},
            "id": "4b0e7c1e-5d2a-4f59-9a7e-1e6f0c0b9a02",
        }
    ]
    await import_directory(session, text=json.dumps(document), now=utcnow())
    once = await export_directory(session)
    await import_directory(session, text=once, now=utcnow())
    twice = await export_directory(session)
    assert once == twice
    capacity = json.loads(once)["organizations"][0]["services"][0]["capacities"][0]
    assert capacity["updated"] == "2026-11-23T02:00:00Z"


async def test_import_is_an_upsert_by_id_and_replaces_children(session: AsyncSession) -> None:
    document = _demo()
    await import_directory(session, text=json.dumps(document), now=utcnow())
    organization = document["organizations"][0]
    organization["name"] = "ชื่อใหม่"
    organization["phones"] = []
    organization["services"][0]["x_onestop"]["accepts_referrals"] = False

    done = await import_directory(session, text=json.dumps(document), now=utcnow())

    assert done["organizations updated"] == len(document["organizations"])
    assert "organizations created" not in done
    assert await session.scalar(sa.select(sa.func.count()).select_from(Organization)) == len(
        document["organizations"]
    )
    row = await session.get(Organization, uuid.UUID(organization["id"]))
    assert row is not None and row.name == "ชื่อใหม่" and row.version == 2
    phones = await session.scalar(
        sa.select(sa.func.count()).select_from(Phone).where(Phone.organization_id == row.id)  # type: ignore[arg-type]
    )
    assert phones == 0
    service = await session.get(Service, uuid.UUID(organization["services"][0]["id"]))
    assert service is not None and service.accepts_referrals is False


def _broken() -> dict[str, Any]:
    document = _demo()
    organization = document["organizations"][0]
    service = organization["services"][0]
    service["service_areas"][0]["x_onestop"]["area_code"] = "99"
    service["minimum_age"], service["maximum_age"] = 30, 10
    service["surprise"] = True
    del organization["description"]
    document["organizations"][1]["id"] = organization["id"]
    return document


async def test_a_malformed_file_is_refused_whole_with_a_line_per_problem(
    session: AsyncSession,
) -> None:
    document = _broken()
    with pytest.raises(DirectoryRefused) as refused:
        await import_directory(session, text=json.dumps(document), now=utcnow())
    pointers = {pointer for pointer, _ in refused.value.problems}
    assert pointers == {"/organizations/0/description", "/organizations/0/services/0/surprise"}

    # Once the schema passes, the checks beyond it report every problem too.
    del document["organizations"][0]["services"][0]["surprise"]
    document["organizations"][0]["description"] = "มี"
    with pytest.raises(DirectoryRefused) as refused:
        await import_directory(session, text=json.dumps(document), now=utcnow())
    problems = dict(refused.value.problems)
    assert problems["/organizations/0/services/0/service_areas/0/x_onestop/area_code"] == (
        "unknown Thai area code 99"
    )
    assert problems["/organizations/0/services/0/maximum_age"] == (
        "maximum_age is below minimum_age"
    )
    assert "/organizations/1/id" in problems
    assert await session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


async def test_a_service_may_only_be_offered_at_its_own_organization_locations(
    session: AsyncSession,
) -> None:
    document = _demo()
    organizations = document["organizations"]
    with_location = next(o for o in organizations if o.get("locations"))
    other = next(o for o in organizations if o is not with_location and o["services"])
    other["services"][0]["service_at_locations"] = [
        {
            "id": "0b6f4a1e-9a43-4a3c-8e1f-2b7d3c4e5f60",
            "location_id": with_location["locations"][0]["id"],
        }
    ]
    with pytest.raises(DirectoryRefused) as refused:
        await import_directory(session, text=json.dumps(document), now=utcnow())
    (problem,) = refused.value.problems
    assert problem[0].endswith("/service_at_locations/0/location_id")


async def test_text_that_is_not_json_is_refused(session: AsyncSession) -> None:
    with pytest.raises(DirectoryRefused) as refused:
        await import_directory(session, text="{not json", now=utcnow())
    assert refused.value.problems[0][0] == ""


@pytest.mark.slow
def test_the_cli_imports_exports_and_refuses(
    committed_db: Any, database_url: str, tmp_path: Path
) -> None:
    wipe_database_blocking(database_url)
    imported = run_cli(database_url, "import-directory", str(DEMO))
    assert imported.returncode == 0, imported.stderr
    assert "organizations created 13" in imported.stdout

    exported = run_cli(database_url, "export-directory", "-o", str(tmp_path / "out.json"))
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == DEMO.read_text(encoding="utf-8")

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(_broken()), encoding="utf-8")
    refused = run_cli(database_url, "import-directory", str(broken))
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert lines[-1] == "directory refused: 2 problem(s)"
    assert f"{broken}: /organizations/0/services/0/surprise: " in refused.stderr
    wipe_database_blocking(database_url)


def test_the_demo_directory_has_what_suggestions_need() -> None:
    services = [s for o in _demo()["organizations"] for s in o["services"]]
    assert len(services) >= 15
    assert any(s["x_onestop"].get("serves_abroad") for s in services)
    assert any(c["available"] == 0 for s in services for c in s.get("capacities", []))
    assert {s["status"] for s in services} >= {"active", "temporarily closed"}
    assert any(not s["x_onestop"]["accepts_referrals"] for s in services)
