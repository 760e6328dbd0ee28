"""Suggestions for a case: the helpers who could take it, ranked, and the agencies, each with
its score and reasons, and who was left out and why.

People are ranked by `service.routing.people` (the helpers of the case's province as the
process keeps them, `service.routing.helper_pool`, checked and scored by the pure
`service.routing.ranking`); only the first `limit` are given their reasons. Agencies are ranked
by `service.routing.agency_suggestions` over the agency directory.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.user import User
from service.cases.loading import case_facts, case_not_found, require_readable
from service.routing.agency_directory import directory_at
from service.routing.agency_suggestions import suggest_agencies
from service.routing.people import case_and_state, rank_people
from service.routing.ranking import Ranked, Ranking

DEFAULT_SUGGESTIONS = 10
MAX_SUGGESTIONS = 50


def candidate_json(ranking: Ranking, ranked: Ranked) -> dict[str, Any]:
    """A ranked helper as the answer and the decision log show them (`PersonCandidate`),
    built from the ranking's own typed values, so not validated again."""
    helper = ranked.helper
    return {
        "user_id": str(helper.user_id),
        "display_name": helper.display_name,
        "role": helper.role.value,
        "score": ranked.score,
        "reasons": [
            {"reason": r.reason, "points": r.points, "detail": r.detail}
            for r in ranking.reasons(ranked)
        ],
    }


def candidates_record(ranking: Ranking, *, limit: int) -> list[dict[str, Any]]:
    """The first `limit` candidates, as the answer and the decision log show them."""
    return [candidate_json(ranking, r) for r in ranking.ranked[:limit]]


def people_json(ranking: Ranking, *, limit: int) -> dict[str, Any]:
    """The ranked people of a suggestion (`PeopleSuggestions`)."""
    return {
        "items": candidates_record(ranking, limit=limit),
        "total": len(ranking.ranked),
        "filtered": {reason.value: count for reason, count in sorted(ranking.filtered.items())},
    }


async def suggest(
    session: AsyncSession,
    *,
    user: User,
    case_id: uuid.UUID,
    limit: int,
    now: datetime,
) -> dict[str, Any]:
    """Ranked people and agencies for a case, with reasons, and who was left out and why: the
    JSON document `Suggestions` describes (rendered once, without models in between)."""
    # The case's routing columns, the stamps and its offers in one statement.
    read = await case_and_state(session, case_id=case_id, now=now)
    if read is None:
        raise case_not_found()
    require_readable(user, case_facts(read.case), offered_to=read.offered_to)
    case, state = read.case, read.state
    ranking = await rank_people(session, case=case, now=now, state=state)
    directory = await directory_at(session, stamp=state.directory_stamp)
    return {
        "people": people_json(ranking, limit=limit),
        "agencies": await suggest_agencies(
            session, case=case, now=now, limit=limit, directory=directory
        ),
    }
