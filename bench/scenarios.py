"""What `make bench` measures: each scenario is one declaration of the calls it makes.

A call names who makes it (a role, or the limit app), a method and path, a body kind and a
weight. Paths take placeholders filled from the seeded data (`Samples`):

- `{case}`: any seeded case; `{open_case}`: a case not yet closed; `{own_case}`: a case the
  caller leads (volunteers may only read and change those);
- `{reference}`: a seeded case's reference; `{first_name}`: one of the commonest first names;
- `{district}`: the busiest Bangkok district, where intake reports its clients.

Body kinds are made by `load.lua`, fresh for every request: `intake` (a new case with a fresh
Idempotency-Key, client_reference, Thai id number and mobile phone, a name from a small pool of
names already common in the busy district, so the duplicate check finds candidates),
`limit_intake` (the limit app's body), `patch` (a new summary, `If-Match: *`) and `note`.

To add a scenario, add one `Scenario(...)` to `SCENARIOS`.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

Role = Literal["volunteer", "caseworker", "supervisor", "limit"]
Body = Literal["", "intake", "limit_intake", "patch", "note"]
Kind = Literal["intake", "read", "list", "queue", "suggestions", "mixed", "limit"]
# The kinds whose SPEC target is a latency (p95), measured again with a few clients.
LATENCY_KINDS = frozenset({"read", "list", "queue", "suggestions"})
# Distinct variants of one call per caller: enough that requests spread over many rows.
VARIANTS = 200


@dataclass(frozen=True)
class Call:
    role: Role
    path: str
    method: str = "GET"
    body: Body = ""
    weight: float = 1.0


@dataclass(frozen=True)
class Scenario:
    """`kind` decides which SPEC targets apply; `ratio_to` names the limit scenario whose
    requests per second this one is divided by (run just before it)."""

    name: str
    calls: tuple[Call, ...]
    kind: Kind
    server: Literal["service", "limit"] = "service"
    ratio_to: str | None = None


def _list(name: str, query: str, role: Role = "caseworker") -> Scenario:
    return Scenario(name, (Call(role, f"/api/v1/cases?{query}&limit=50"),), kind="list")


def _queue(name: str, path: str) -> Scenario:
    """A supervisor's first page of a work queue (`bench.seed_queues` fills them)."""
    return Scenario(f"queue-{name}", (Call("supervisor", f"/api/v1/{path}"),), kind="queue")


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "limit-intake",
        (Call("limit", "/cases", "POST", "limit_intake"),),
        kind="limit",
        server="limit",
    ),
    Scenario(
        "intake",
        (Call("volunteer", "/api/v1/cases", "POST", "intake"),),
        kind="intake",
        ratio_to="limit-intake",
    ),
    Scenario("detail", (Call("caseworker", "/api/v1/cases/{case}"),), kind="read"),
    Scenario("timeline", (Call("caseworker", "/api/v1/cases/{case}/timeline"),), kind="read"),
    _list("list-status", "status=new"),
    _list("list-urgency", "urgency=critical"),
    _list("list-category", "category=older_person"),
    _list("list-province", "province=10"),
    _list("list-district", "district={district}"),
    _list("list-lead-me", "lead=me", role="volunteer"),
    _list("list-q-name", "q={first_name}"),
    _list("list-q-reference", "q={reference}"),
    # Ranked helpers (5,000 seeded) and agencies (300) for open cases, as a caseworker routing.
    Scenario(
        "suggestions",
        (Call("caseworker", "/api/v1/cases/{open_case}/suggestions"),),
        kind="suggestions",
    ),
    # The supervisors' queues at 1,000,000 cases, 50 a page.
    _queue("unassigned", "queues/unassigned?limit=50"),
    _queue("at-risk", "queues/at-risk?limit=50"),
    _queue("breached", "queues/breached?limit=50"),
    _queue("workload", "queues/workload?limit=50"),
    _queue("escalated", "queues/escalated?limit=50"),
    _queue("offers", "queues/offers?limit=50"),
    _queue("referrals", "queues/referrals?limit=50"),
    Scenario(
        "mixed",
        (
            # Volunteers: report, then work their own cases.
            Call("volunteer", "/api/v1/cases", "POST", "intake", weight=3),
            Call("volunteer", "/api/v1/cases?lead=me&limit=50", weight=3),
            Call("volunteer", "/api/v1/cases/{own_case}", weight=2),
            Call("volunteer", "/api/v1/cases/{own_case}/timeline"),
            Call("volunteer", "/api/v1/cases/{own_case}/notes", "POST", "note"),
            # Caseworkers: screen the new, search, read and update.
            Call("caseworker", "/api/v1/cases?status=new&limit=50", weight=2),
            Call("caseworker", "/api/v1/cases?q={first_name}&limit=50"),
            Call("caseworker", "/api/v1/cases?district={district}&category=older_person"),
            Call("caseworker", "/api/v1/cases/{case}", weight=2),
            Call("caseworker", "/api/v1/cases/{case}/timeline"),
            Call("caseworker", "/api/v1/cases/{open_case}", "PATCH", "patch"),
            Call("caseworker", "/api/v1/cases/{open_case}/notes", "POST", "note"),
            # Supervisors: the queues.
            Call("supervisor", "/api/v1/cases?status=new&lead=none&limit=50"),
            Call("supervisor", "/api/v1/cases?urgency=critical&status=in_progress&limit=50"),
            Call("supervisor", "/api/v1/cases/{case}"),
        ),
        kind="mixed",
    ),
)


@dataclass(frozen=True)
class Caller:
    role: Role
    user_id: str
    token: str


@dataclass
class Samples:
    """Values drawn from the seeded database, to fill the placeholders."""

    cases: list[str]
    open_cases: list[str]
    references: list[str]
    first_names: list[str]
    district: str
    intake_names: list[tuple[str, str]]
    own_cases: dict[str, list[str]] = field(default_factory=dict)  # by user id


def plan_lines(
    scenario: Scenario, callers: Sequence[Caller], samples: Samples, rng: random.Random
) -> list[str]:
    """The plan `load.lua` reads: the intake area and names, then weighted requests."""
    lines = [f"area\t10\t{samples.district}"]
    lines += [f"name\t{first}\t{last}" for first, last in samples.intake_names]
    for call in scenario.calls:
        expanded = list(_expand(call, callers, samples, rng))
        if not expanded:
            raise ValueError(f"{scenario.name}: no data or caller for {call.role} {call.path}")
        weight = call.weight / len(expanded)
        lines += [
            f"req\t{weight:.9f}\t{call.method}\t{call.body or '-'}\t{token}\t{path}"
            for token, path in expanded
        ]
    return lines


def _expand(
    call: Call, callers: Sequence[Caller], samples: Samples, rng: random.Random
) -> Iterator[tuple[str, str]]:
    names = {name for _, name, _, _ in string.Formatter().parse(call.path) if name}
    for caller in (c for c in callers if c.role == call.role):
        pools = {
            "case": samples.cases,
            "open_case": samples.open_cases,
            "own_case": samples.own_cases.get(caller.user_id, []),
            "reference": samples.references,
            "first_name": samples.first_names,
            "district": [samples.district],
        }
        if any(not pools[name] for name in names):
            continue
        for _ in range(VARIANTS if names else 1):
            values = {name: quote(rng.choice(pools[name]), safe="") for name in names}
            yield caller.token, call.path.format(**values)
