"""Decomposing "evenly" splits by calendar days (the partial weeks at a quarter's edges get their days'
share, sums stay exact); dates show their years when they are not this year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from goals import decompose, services
from goals.periods import span_label, weeks
from tests import factories


def test_evenly_gives_partial_weeks_their_share_of_the_days_and_keeps_the_sum_exact():
    # Q4 2026 starts on a Thursday and ends on a Thursday: its first and last weeks have 4 days.
    spans = weeks(date(2026, 10, 1), date(2026, 12, 31))
    slices = decompose.decompose(
        targets={"base": D(160000), "challenge": D(200000), "stretch": D(240000)}, spans=spans, additive=True,
        method="even",
    )  # fmt: skip
    first, full, last = slices[0], slices[1], slices[-1]
    assert (first.end - first.start).days + 1 == 4 and (last.end - last.start).days + 1 == 4
    assert full.challenge in (D(15217), D(15218))  # 200,000 × 7 / 92
    assert first.challenge in (D(8695), D(8696)) and last.challenge in (D(8695), D(8696))  # × 4 / 92
    for tier in ("base", "challenge", "stretch"):
        assert (
            sum(s.tier(tier) for s in slices)
            == {"base": 160000, "challenge": 200000, "stretch": 240000}[tier]
        )


def test_evenly_by_days_through_the_service_at_the_targets_precision(org, manager):
    goal = factories.goal(org, manager, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
                          base=D("1000.5"), challenge=D("1200.25"), stretch=D("1500"))  # fmt: skip
    months = services.decomposition_preview(goal=goal, kind="month", method="even")
    assert [s.challenge for s in months] == [
        D("404.43"),
        D("391.39"),
        D("404.43"),
    ]  # 31, 30 and 31 days of 92
    assert sum(s.challenge for s in months) == D("1200.25") and sum(s.base for s in months) == D("1000.5")


def test_dates_carry_their_years_when_not_this_year():
    today = date(2026, 12, 4)
    assert span_label(date(2026, 10, 5), date(2026, 11, 20), today=today) == "10-05 – 11-20"
    assert span_label(date(2030, 1, 5), date(2031, 1, 5), today=today) == "2030-01-05 – 2031-01-05"
    assert span_label(date(2026, 12, 28), date(2027, 1, 3), today=today) == "2026-12-28 – 2027-01-03"
    assert span_label(date(2027, 2, 1), date(2027, 2, 1), today=today) == "2027-02-01"
