"""Ranking people for a case: eligibility, scores and their reasons, and the order's promises."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.enums import IneligibleReason, Role
from service.routing.helper_group import HelperGroup, rank
from service.routing.ranking import (
    AreaMatch,
    CaseNeeds,
    Helper,
    Ranking,
    area_match,
    card_valid,
    ineligibility,
)
from tests.support.routing import ranked_one_by_one

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
NEEDS = CaseNeeds(
    categories=frozenset({"older_person", "income_livelihood"}),
    languages=frozenset({"th"}),
    province_code="10",
    district_code="1001",
    subdistrict_code="100101",
    critical=False,
)


def helper(**changes: object) -> Helper:
    base = Helper(
        user_id=uuid.uuid4(),
        display_name="Helper",
        role=Role.volunteer,
        is_active=True,
        available=True,
        leave_until=None,
        skills=frozenset({"older_person"}),
        languages=frozenset({"th"}),
        areas=frozenset({"1001"}),
        capacity=5,
        load=1,
        card_expires_on=date(2027, 12, 31),
        last_assigned_at=NOW - timedelta(days=3),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_eligible_helper_is_scored_with_every_reason() -> None:
    ranking = rank([helper()], NEEDS, now=NOW)
    (ranked,) = ranking.ranked
    reasons = {reason.reason: reason for reason in ranking.reasons(ranked)}
    assert set(reasons) == {"skill", "area", "load", "language", "last_assignment"}
    assert reasons["skill"].points == 20.0 and reasons["skill"].detail == "1/2"
    assert reasons["area"].detail == "district" and reasons["area"].points == 15.0
    assert reasons["load"].points == 12.0 and reasons["load"].detail == "1/5"
    assert reasons["language"].points == 15.0
    assert reasons["last_assignment"].points == 0.5
    assert ranked.score == 62.5
    assert not ranking.filtered


def test_each_reason_to_leave_a_helper_out() -> None:
    cases = [
        (helper(is_active=False), IneligibleReason.inactive),
        (helper(role=Role.supervisor), IneligibleReason.inactive),
        (helper(available=False), IneligibleReason.unavailable),
        (helper(leave_until=NOW + timedelta(hours=1)), IneligibleReason.on_leave),
        (helper(areas=frozenset({"1002"})), IneligibleReason.out_of_area),
        (helper(areas=frozenset({"11"})), IneligibleReason.out_of_area),
        (helper(load=5), IneligibleReason.at_capacity),
        (helper(capacity=0, load=0), IneligibleReason.at_capacity),
        (helper(past_answer=IneligibleReason.declined), IneligibleReason.declined),
        (helper(past_answer=IneligibleReason.expired_offer), IneligibleReason.expired_offer),
        (helper(card_expires_on=None), IneligibleReason.card_missing),
        (helper(card_expires_on=date(2026, 11, 29)), IneligibleReason.card_expired),
    ]
    for candidate, reason in cases:
        assert ineligibility(candidate, NEEDS, now=NOW) is reason, reason
    ranking = rank([c for c, _ in cases], NEEDS, now=NOW)
    assert ranking.ranked == []
    assert sum(ranking.filtered.values()) == len(cases)


def test_leave_that_ended_and_a_caseworker_without_card_are_eligible() -> None:
    assert ineligibility(helper(leave_until=NOW), NEEDS, now=NOW) is None
    caseworker = helper(role=Role.caseworker, card_expires_on=None)
    assert ineligibility(caseworker, NEEDS, now=NOW) is None


def test_critical_cases_go_to_caseworkers_only() -> None:
    critical = replace(NEEDS, critical=True)
    volunteer, caseworker = helper(), helper(role=Role.caseworker)
    ranking = rank([volunteer, caseworker], critical, now=NOW)
    assert [r.helper for r in ranking.ranked] == [caseworker]
    assert ranking.filtered == {IneligibleReason.volunteer_on_critical: 1}


def test_a_card_is_valid_through_its_expiry_date_in_bangkok() -> None:
    # 2026-11-30 18:00 UTC is already 1 December in Bangkok.
    late = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    assert card_valid(date(2026, 11, 30), now=NOW)
    assert not card_valid(date(2026, 11, 30), now=late)


def test_area_matches_from_subdistrict_to_province() -> None:
    assert area_match({"10", "1001", "100101"}, NEEDS) is AreaMatch.subdistrict
    assert area_match({"10", "1001"}, NEEDS) is AreaMatch.district
    assert area_match({"10"}, NEEDS) is AreaMatch.province
    assert area_match({"100102"}, NEEDS) is None
    unknown_district = replace(NEEDS, district_code=None, subdistrict_code=None)
    assert area_match({"1001"}, unknown_district) is AreaMatch.province


def test_no_language_points_when_the_client_has_none_known() -> None:
    ranking = rank([helper()], replace(NEEDS, languages=frozenset()), now=NOW)
    assert "language" not in {reason.reason for reason in ranking.reasons(ranking.ranked[0])}


helpers_strategy = st.builds(
    helper,
    user_id=st.uuids(),
    role=st.sampled_from([Role.volunteer, Role.caseworker]),
    available=st.booleans(),
    skills=st.frozensets(st.sampled_from(["older_person", "income_livelihood", "housing"])),
    languages=st.frozensets(st.sampled_from(["th", "en", "my"])),
    areas=st.frozensets(st.sampled_from(["10", "1001", "1002", "100101", "100102", "11"])),
    capacity=st.integers(0, 8),
    load=st.integers(0, 8),
    card_expires_on=st.sampled_from([None, date(2026, 1, 1), date(2028, 1, 1)]),
    last_assigned_at=st.one_of(st.none(), st.integers(0, 90).map(lambda d: NOW - timedelta(d))),
)


@given(st.lists(helpers_strategy, max_size=12), st.booleans())
def test_filtered_helpers_never_appear_and_every_helper_is_counted(
    helpers: list[Helper], critical: bool
) -> None:
    needs = replace(NEEDS, critical=critical)
    ranking = rank(helpers, needs, now=NOW)
    for ranked in ranking.ranked:
        assert ineligibility(ranked.helper, needs, now=NOW) is None
    assert len(ranking.ranked) + sum(ranking.filtered.values()) == len(helpers)
    scores = [r.score for r in ranking.ranked]
    assert scores == sorted(scores, reverse=True)
    for ranked in ranking.ranked:
        points = sum(reason.points for reason in ranking.reasons(ranked))
        assert abs(points - ranked.score) < 0.05  # each part rounded to two decimals


@given(st.lists(helpers_strategy, min_size=1, max_size=10), st.data())
def test_more_load_never_raises_a_rank(helpers: list[Helper], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(helpers) - 1))
    extra = data.draw(st.integers(1, 4))
    chosen = helpers[index]
    before = rank(helpers, NEEDS, now=NOW).ranked
    heavier = [*helpers[:index], replace(chosen, load=chosen.load + extra), *helpers[index + 1 :]]
    after = rank(heavier, NEEDS, now=NOW).ranked
    position_before = next((i for i, r in enumerate(before) if r.helper is chosen), None)
    position_after = next(
        (i for i, r in enumerate(after) if r.helper.user_id == chosen.user_id), None
    )
    if position_before is None:
        assert position_after is None
    elif position_after is not None:
        assert position_after >= position_before


@given(helpers_strategy)
def test_an_exact_district_match_never_ranks_below_a_province_match(base: Helper) -> None:
    district = replace(base, areas=frozenset({"1001"}), user_id=uuid.UUID(int=2))
    province = replace(base, areas=frozenset({"10"}), user_id=uuid.UUID(int=1))
    ranked = [r.helper for r in rank([province, district], NEEDS, now=NOW).ranked]
    if district in ranked and province in ranked:
        assert ranked.index(district) < ranked.index(province)


# Helpers and cases spread over two provinces, their districts and subdistricts, every field
# that a check or a score reads varied, boundaries included (a card expiring today, leave
# ending now, load equal to capacity).
CODES = ["10", "1001", "1002", "100101", "100102", "100201", "11", "1101", "110101"]
group_helpers = st.builds(
    helper,
    user_id=st.uuids(),
    role=st.sampled_from([Role.volunteer, Role.caseworker, Role.supervisor]),
    is_active=st.booleans(),
    available=st.booleans(),
    leave_until=st.sampled_from([None, NOW - timedelta(hours=1), NOW, NOW + timedelta(days=1)]),
    skills=st.frozensets(st.sampled_from(["older_person", "income_livelihood", "housing"])),
    languages=st.frozensets(st.sampled_from(["th", "en", "my"])),
    areas=st.frozensets(st.sampled_from(CODES), max_size=4),
    capacity=st.integers(0, 4),
    load=st.integers(0, 5),
    card_expires_on=st.sampled_from(
        [None, date(2026, 11, 29), date(2026, 11, 30), date(2028, 1, 1)]
    ),
    last_assigned_at=st.one_of(
        st.none(), st.integers(0, 90 * 24).map(lambda h: NOW - timedelta(hours=h))
    ),
    past_answer=st.sampled_from(
        [None, None, None, IneligibleReason.declined, IneligibleReason.expired_offer]
    ),
)
case_needs = st.builds(
    CaseNeeds,
    categories=st.frozensets(st.sampled_from(["older_person", "income_livelihood", "housing"])),
    languages=st.frozensets(st.sampled_from(["th", "en", "my"])),
    province_code=st.sampled_from(["10", "11", ""]),
    district_code=st.sampled_from([None, "1001", "1002", "1101"]),
    subdistrict_code=st.sampled_from([None, "100101", "100201", "110101"]),
    critical=st.booleans(),
)


def _seen(ranking: Ranking) -> tuple[object, ...]:
    return (
        [(r.helper, r.score) for r in ranking.ranked],
        dict(ranking.filtered),
        [ranking.reasons(r) for r in ranking.ranked],
    )


@given(st.lists(group_helpers, max_size=25), st.lists(case_needs, min_size=1, max_size=4))
def test_a_group_ranks_every_case_as_the_rules_read_helper_by_helper(
    helpers: list[Helper], cases: list[CaseNeeds]
) -> None:
    group = HelperGroup(helpers)
    for needs in cases:  # one group, case after case, as a process ranks them
        for now in (NOW, NOW + timedelta(hours=20)):  # the next day in Bangkok too
            assert _seen(group.rank(needs, now=now)) == _seen(
                ranked_one_by_one(helpers, needs, now=now)
            )


@given(st.lists(group_helpers, max_size=15), case_needs, st.data())
def test_past_answers_given_to_a_group_count_as_the_helpers_own(
    helpers: list[Helper], needs: CaseNeeds, data: st.DataObject
) -> None:
    unanswered = [replace(h, past_answer=None) for h in helpers]
    chosen = data.draw(st.sets(st.sampled_from(unanswered))) if unanswered else set()
    answers = {
        h.user_id: data.draw(
            st.sampled_from([IneligibleReason.declined, IneligibleReason.expired_offer])
        )
        for h in chosen
    }
    answered = [replace(h, past_answer=answers.get(h.user_id)) for h in unanswered]
    given_answers = HelperGroup(unanswered).rank(needs, now=NOW, past_answers=answers)
    assert _seen(given_answers) == _seen(ranked_one_by_one(answered, needs, now=NOW))


def test_the_area_match_of_a_group_is_the_closest_code_covering_the_case() -> None:
    helpers = [
        helper(areas=frozenset({"10"})),
        helper(areas=frozenset({"10", "1001"})),
        helper(areas=frozenset({"1001", "100101"})),
        helper(areas=frozenset({"100102"})),
        helper(areas=frozenset({"11", "1101"})),
    ]
    group = HelperGroup(helpers)
    assert group.matches(NEEDS) == {
        0: AreaMatch.province,
        1: AreaMatch.district,
        2: AreaMatch.subdistrict,
    }
    whole_district = replace(NEEDS, subdistrict_code=None)
    assert group.matches(whole_district)[3] is AreaMatch.district
    whole_province = replace(NEEDS, district_code=None, subdistrict_code=None)
    assert set(group.matches(whole_province).values()) == {AreaMatch.province}
    assert 4 not in group.matches(whole_province)
