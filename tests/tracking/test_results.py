"""tracking.selectors.results: the one read of how goals did in a period, for the apps above
tracking (targets in force, actual, attainment of base, tier, pace, the period's slices)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals import services as goal_services
from goals.models import PeriodTarget
from goals.services import SliceInput
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tracking import services as tracking_services
from tracking.models import MetricEntry
from tracking.selectors.results import IndicatorKind, TierReached, goal_period_results

START, END = date(2026, 1, 1), date(2026, 3, 31)


def _goal(org, owner, **fields):
    fields = {"start_date": START, "end_date": END, "base": D(100), "challenge": D(110), "stretch": D(150),
              "status": "active", **fields}  # fmt: skip
    return factories.goal(org, owner, **fields)


def _log(org, actor, goal, day, value):
    tracking_services.entry_create(org=org, actor=actor, data=tracking_services.EntryInput(
        goal_id=goal.pk, value=str(value), day=day.isoformat()))  # fmt: skip


def _by_month(goal, actor):
    method = "even" if goal.aggregation == "sum" else "level"
    rows = goal_services.decomposition_preview(goal=goal, kind="month", method=method)
    goal_services.decomposition_apply(goal=goal, actor=actor, kind="month",
                                      rows=[SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in rows])  # fmt: skip
    goal.refresh_from_db()


def test_a_goal_at_110_percent_of_base_reaches_challenge(org, admin):
    goal = _goal(org, admin)
    _log(org, admin, goal, date(2026, 1, 10), 60)
    _log(org, admin, goal, date(2026, 3, 20), 50)

    result = goal_period_results(org=org, goal_ids=[goal.pk], start=START, end=END)[goal.pk]

    assert (result.targets.base, result.targets.challenge, result.targets.stretch) == (D(100), D(110), D(150))
    assert result.targets.version == result.in_force.version == 1
    assert result.actual == D(110) and result.attainment == D("110.0")
    assert result.tier == TierReached.CHALLENGE and result.met
    # The period is over: the whole of it is expected (the challenge target), and 110 is on it.
    assert result.pace.asof == END and result.pace.expected == D(110) and result.pace.ahead is True
    assert (result.start, result.end) == (START, END)


def test_below_base_reaches_no_tier_and_is_behind(org, admin):
    goal = _goal(org, admin)
    _log(org, admin, goal, date(2026, 2, 1), 90)
    result = goal_period_results(org=org, goal_ids=[goal.pk], start=START, end=END)[goal.pk]
    assert result.attainment == D("90.0") and result.tier == TierReached.NONE and not result.met
    assert result.pace.ahead is False
    # Without a value, nothing is reached and there is no attainment.
    empty = _goal(org, admin)
    result = goal_period_results(org=org, goal_ids=[empty.pk], start=START, end=END)[empty.pk]
    assert result.actual is None and result.attainment is None and result.tier == TierReached.NONE


def test_a_month_is_measured_against_its_slice_and_the_slices_carry_their_own_figures(org, admin):
    goal = _goal(org, admin, base=D(300), challenge=D(330), stretch=D(450))
    _by_month(goal, admin)
    _log(org, admin, goal, date(2026, 1, 31), 500)  # January: not in February's figure
    _log(org, admin, goal, date(2026, 2, 3), 70)
    _log(org, admin, goal, date(2026, 2, 27), 40)

    result = goal_period_results(org=org, goal_ids=[goal.pk], start=date(2026, 2, 1), end=date(2026, 2, 28))[
        goal.pk
    ]

    assert (result.start, result.end) == (date(2026, 2, 1), date(2026, 2, 28))
    piece = PeriodTarget.objects.get(version__goal=goal, kind="month", start_date=date(2026, 2, 1))
    assert (result.targets.base, result.targets.challenge) == (
        piece.base,
        piece.challenge,
    )  # February's slice
    assert piece.base < D(110) < piece.stretch  # the even split: by days
    assert (result.in_force.base, result.in_force.challenge) == (D(300), D(330))  # the goal's
    assert result.actual == D(110) and result.tier == TierReached.CHALLENGE
    [february] = result.slices
    assert (february.kind, february.start, february.end) == ("month", date(2026, 2, 1), date(2026, 2, 28))
    assert february.actual == D(110) and february.met and february.targets == result.targets
    assert february.attainment == (D(110) / piece.base * 100).quantize(D("0.1"))

    quarter = goal_period_results(org=org, goal_ids=[goal.pk], start=START, end=END)[goal.pk]
    assert [s.actual for s in quarter.slices] == [D(500), D(110), None]
    assert [s.tier for s in quarter.slices] == [TierReached.STRETCH, TierReached.CHALLENGE, TierReached.NONE]
    assert quarter.actual == D(610) and quarter.tier == TierReached.STRETCH


def test_without_a_decomposition_a_part_of_a_sum_goal_counts_pro_rata(org, admin):
    goal = _goal(org, admin, start_date=date(2026, 1, 1), end_date=date(2026, 1, 10))
    result = goal_period_results(org=org, goal_ids=[goal.pk], start=date(2026, 1, 1), end=date(2026, 1, 5))[
        goal.pk
    ]
    assert (result.targets.base, result.targets.challenge) == (D(50), D(55)) and result.slices == ()


def test_lower_is_better_and_level_goals_compare_in_their_direction(org, admin):
    cost = _goal(org, admin, direction="down", base=D(100), challenge=D(90), stretch=D(80))
    _log(org, admin, cost, date(2026, 1, 5), 85)
    level = _goal(org, admin, aggregation="latest", base=D(50), challenge=D(60), stretch=D(70))
    _log(org, admin, level, date(2026, 1, 5), 80)
    _log(org, admin, level, date(2026, 3, 5), 55)

    results = goal_period_results(org=org, goal_ids=[cost.pk, level.pk], start=START, end=END)

    assert results[cost.pk].tier == TierReached.CHALLENGE and results[cost.pk].attainment == D("117.6")
    assert results[level.pk].actual == D(55) and results[level.pk].tier == TierReached.BASE


def test_a_closed_goal_carries_its_final_result_and_tier(org, admin):
    goal = _goal(org, admin)
    goal_services.goal_set_status(goal=goal, actor=admin, status="achieved", result_value=D(160))
    result = goal_period_results(org=org, goal_ids=[goal.pk], start=START, end=END)[goal.pk]
    assert result.closed and result.final == D(160) and result.final_tier == TierReached.STRETCH
    assert result.progress == D("145.5")  # of the challenge target, as the goals app shows it


def test_snapshots_as_of_the_period_end_and_the_newest(org, admin):
    today = org_today(org)
    goal = _goal(org, admin, start_date=today - timedelta(days=40), end_date=today + timedelta(days=40))
    _log(org, admin, goal, today - timedelta(days=30), 30)
    tracking_services.indicators_recompute(org=org)

    result = goal_period_results(org=org, goal_ids=[goal.pk], start=goal.start_date, end=goal.end_date)[
        goal.pk
    ]

    assert result.latest is not None and result.latest.day == today and result.latest.actual == D(30)
    assert result.at_end == result.latest  # the period runs on: as of today
    assert result.latest.tier in TierReached.values and result.progress is not None
    assert result.pace.asof == today and result.pace.actual == D(30)
    assert IndicatorKind.LAGGING == "lagging"


def test_other_organisations_goals_are_not_read(org, other_org, admin):
    theirs = _goal(other_org, factories.member(other_org, Role.ADMIN))
    assert goal_period_results(org=org, goal_ids=[theirs.pk], start=START, end=END) == {}
    assert goal_period_results(org=org, goal_ids=[], start=START, end=END) == {}


def _count(org, ids, start, end):
    with CaptureQueriesContext(connection) as ctx:
        goal_period_results(org=org, goal_ids=ids, start=start, end=end)
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_goals(org, admin):
    first = _goal(org, admin)
    _by_month(first, admin)
    _log(org, admin, first, date(2026, 2, 1), 10)
    one = _count(org, [first.pk], START, END)
    more = [first.pk]
    for n in range(4):
        goal = _goal(org, admin, aggregation="average" if n % 2 else "sum")
        _by_month(goal, admin)
        _log(org, admin, goal, date(2026, 2, 2), 10)
        more.append(goal.pk)
    assert _count(org, more, START, END) == one == 6


def test_a_repeated_read_is_served_from_the_cache_and_any_write_changes_the_next_one(org, admin):
    goal = _goal(org, admin)
    _log(org, admin, goal, date(2026, 1, 10), 60)
    read = lambda: goal_period_results(org=org, goal_ids=[goal.pk], start=START, end=END)[goal.pk]  # noqa: E731
    assert read().actual == D(60)
    assert _count(org, [goal.pk], START, END) == 0  # nothing changed: no query

    _log(org, admin, goal, date(2026, 2, 10), 50)  # a value logged
    assert read().actual == D(110) and read().tier == TierReached.CHALLENGE

    _by_month(goal, admin)  # a decomposition: February is measured against its own slice
    february = goal_period_results(org=org, goal_ids=[goal.pk], start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert february[goal.pk].slices and february[goal.pk].actual == D(50)

    entry = MetricEntry.objects.filter(goal=goal).order_by("day").first()  # a value deleted
    tracking_services.entry_delete(entry=entry, actor=admin)
    assert read().actual == D(50)

    goal_services.goal_set_status(goal=goal, actor=admin, status="achieved", result_value=D(160))  # closed
    assert read().closed and read().final == D(160)
