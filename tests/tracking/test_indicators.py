"""The arithmetic of lagging, leading and risk indicators, on plain values."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from tracking import indicators
from tracking.indicators import GoalFacts, Slice

TIERS = {"base": D("900"), "challenge": D("1000"), "stretch": D("1200")}
Q = GoalFacts(start=date(2026, 10, 1), end=date(2026, 12, 30), direction="up", aggregation="sum", tiers=TIERS)


def spread(start: date, days: int, per_day: D) -> dict[date, D]:
    return {start + timedelta(days=n): per_day for n in range(days)}


def test_the_article_sales_team_ten_percent_behind_is_off_track():
    # 91-day quarter; by the end of day 45 the team should have 45/91 of 1,000 (the 46th day is
    # still being reported) and it has 9.6 a day.
    daily = spread(date(2026, 10, 1), 46, D("9.6"))
    reading = indicators.lagging(Q, daily, date(2026, 11, 15))
    assert reading.actual == D("441.6") and reading.expected == D("494.5055")
    assert reading.pace == D("89.3") and reading.status == "off_track"
    assert reading.attainment == D("44.2") and reading.gap == D("52.9055")
    assert reading.tier_reached == "none"
    # 9.6 a day for the 45 days left ends at 873.6: short of even the base tier.
    assert reading.forecast == D("873.6") and reading.tier_projected == "none"


def test_a_team_on_pace_for_challenge_is_on_track_and_a_slipped_plan_makes_it_at_risk():
    daily = spread(date(2026, 10, 1), 46, D("11.5"))
    reading = indicators.lagging(Q, daily, date(2026, 11, 15))
    assert reading.status == "on_track" and reading.tier_projected == "challenge"
    assert indicators.lagging(Q, daily, date(2026, 11, 15), plan_at_risk=True).status == "at_risk"
    # A stricter organisation (behind by 5 % is off track) judges 94 % differently.
    behind = spread(date(2026, 10, 1), 46, D("10.1"))
    assert indicators.lagging(Q, behind, date(2026, 11, 15)).status == "at_risk"
    assert indicators.lagging(Q, behind, date(2026, 11, 15), behind_pct=D(5)).status == "off_track"


def test_expected_follows_the_decomposed_slices_not_a_straight_line():
    slices = (
        Slice(date(2026, 10, 1), date(2026, 10, 31), D("200")),
        Slice(date(2026, 11, 1), date(2026, 11, 30), D("300")),
        Slice(date(2026, 12, 1), date(2026, 12, 30), D("500")),
    )
    facts = GoalFacts(Q.start, Q.end, "up", "sum", TIERS, slices)
    # October done (200) plus 15 of November's 30 days (150).
    assert indicators.expected_to_date(facts, date(2026, 11, 15)) == D("350")
    assert indicators.expected_to_date(facts, date(2026, 12, 30)) == D("1000")
    # The period target in force is reported beside the whole period: November so far against 300.
    daily = spread(date(2026, 10, 1), 46, D(10))
    reading = indicators.lagging(facts, daily, date(2026, 11, 15))
    assert reading.detail["slice"] == {"start": "2026-11-01", "end": "2026-11-30", "target": "300",
                                       "actual": "150.0000", "attainment": "50.0"}  # fmt: skip


def test_levels_latest_and_average():
    dau = GoalFacts(Q.start, Q.end, "up", "latest", {"base": D(100), "challenge": D(115), "stretch": D(130)},
                    baseline=D(100))  # fmt: skip
    daily = {date(2026, 10, 1): D(100), date(2026, 10, 15): D(104), date(2026, 11, 1): D(108)}
    reading = indicators.lagging(dau, daily, date(2026, 11, 1))
    assert reading.actual == D(108)  # the latest day, not the sum
    assert reading.expected == D("105.1099")  # baseline 100 moving to 115: 31 completed of 91 days
    assert reading.tier_reached == "base" and reading.status == "on_track"
    # The trend (about +4 every two weeks) carries it past the challenge level by the end.
    assert reading.forecast > D(115) and reading.tier_projected == "challenge"
    rate = GoalFacts(Q.start, Q.end, "up", "average", {"base": D(90), "challenge": D(95), "stretch": D(98)})
    assert indicators.lagging(
        rate, {date(2026, 10, 1): D(90), date(2026, 10, 2): D(96)}, date(2026, 10, 2)
    ).actual == D(93)


def test_lower_is_better_divides_the_other_way():
    cost = GoalFacts(Q.start, Q.end, "down", "latest", {"base": D(50), "challenge": D(40), "stretch": D(30)})
    reading = indicators.lagging(cost, {date(2026, 10, 5): D(50)}, date(2026, 10, 5))
    assert reading.attainment == D("80.0") and reading.tier_reached == "base" and reading.gap == D(10)


def test_no_values_is_no_data_not_zero():
    reading = indicators.lagging(Q, {}, date(2026, 11, 15))
    assert reading.status == "no_data" and reading.actual is None and reading.expected == D("494.5055")


def test_leading_metric_two_completed_weeks_below_target_is_off_track():
    start, end = date(2026, 10, 5), date(2026, 12, 27)  # Mondays to Sundays: whole weeks
    week1 = spread(start, 7, D(3))  # 21 of 20
    week2 = spread(start + timedelta(days=7), 7, D(2))  # 14 of 20
    week3 = spread(start + timedelta(days=14), 7, D(2))  # 14 of 20
    args = {"start": start, "end": end, "weekly_target": D(20), "direction": "up"}
    after_two = indicators.leading(**args, daily=week1 | week2, day=start + timedelta(days=14))
    assert after_two.status == "at_risk" and after_two.detail["weeks_below_running"] == 1
    after_three = indicators.leading(**args, daily=week1 | week2 | week3, day=start + timedelta(days=21))
    assert after_three.status == "off_track" and after_three.detail["weeks_below_running"] == 2
    weeks = after_three.detail["weeks"]
    assert [w["completion"] for w in weeks[:3]] == ["105.0", "70.0", "70.0"]
    assert indicators.leading(**args, daily={}, day=start).status == "no_data"


def test_risk_metric_threshold_state_and_since_when():
    daily = {date(2026, 10, 1): D("1.5"), date(2026, 10, 2): D("2.4"), date(2026, 10, 3): D("2.6")}
    reading = indicators.risk(
        threshold=D(2), direction="down", daily=daily, start=date(2026, 10, 1), day=date(2026, 10, 3)
    )
    assert reading.status == "off_track" and reading.detail["breached_since"] == "2026-10-02"
    assert reading.actual == D("2.6") and reading.gap == D("0.6")
    fine = indicators.risk(
        threshold=D(2), direction="down", daily=daily, start=date(2026, 10, 1), day=date(2026, 10, 1)
    )
    assert fine.status == "on_track" and fine.detail["breached_since"] is None
