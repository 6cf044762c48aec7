"""The arithmetic of the three kinds of indicator (滞后 / 领先 / 风险), on plain values: no
database, so the recompute jobs load everything in a fixed number of queries and call these for
each goal and day, and tests can check the numbers directly.

Rules (documented in docs/tracking.md):
- Actual to date: a "sum" goal adds every value from the start of its period; a "latest" goal
  takes the total of the most recent day with values; an "average" goal averages its daily totals.
- Expected to date comes from the decomposed period targets (the finest of week / month / quarter
  in force): a sum goal expects every finished slice's challenge target plus the elapsed share of
  the current slice; a level goal expects the current slice's level. It counts completed days: a
  snapshot's own day is still being reported. Without a decomposition the
  challenge target is spread evenly over the period (levels move from the baseline toward it).
- Pace is actual against expected, attainment is actual against the challenge target, both in
  percent and direction-aware ("lower is better" divides the other way round).
- Status: off track when the pace is behind by the organisation's threshold (default 10 %), at
  risk when behind by half of it or when the plan's critical path has slipped, else on track.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Aggregation, Direction
from goals.periods import weeks
from goals.progress import attainment

from .models import IndicatorStatus, TierReached

FOUR = Decimal("0.0001")
TIER_ORDER = (TierReached.BASE, TierReached.CHALLENGE, TierReached.STRETCH)
FORECAST_WINDOW_DAYS = 28


@dataclass(frozen=True)
class Slice:
    start: date
    end: date
    challenge: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class GoalFacts:
    start: date
    end: date
    direction: str
    aggregation: str
    tiers: Mapping[str, Decimal]  # base / challenge / stretch in force
    slices: tuple[Slice, ...] = ()
    baseline: Decimal | None = None


@dataclass
class Reading:
    actual: Decimal | None
    expected: Decimal | None
    target: Decimal | None
    attainment: Decimal | None = None
    pace: Decimal | None = None
    gap: Decimal | None = None
    forecast: Decimal | None = None
    tier_reached: str = TierReached.NONE
    tier_projected: str = TierReached.NONE
    status: str = IndicatorStatus.NO_DATA
    detail: dict[str, object] = field(default_factory=dict)


def q4(value: Decimal) -> Decimal:
    return value.quantize(FOUR)


def tier_of(value: Decimal | None, tiers: Mapping[str, Decimal], direction: str) -> str:
    """The highest tier the value meets ("none" below base)."""
    if value is None:
        return TierReached.NONE
    reached: str = TierReached.NONE
    for tier in TIER_ORDER:
        target = tiers[tier]
        met = value <= target if direction == Direction.DOWN else value >= target
        if met:
            reached = tier
    return reached


def status_for(pace: Decimal | None, *, behind_pct: Decimal, plan_at_risk: bool = False) -> str:
    if pace is None:
        return IndicatorStatus.AT_RISK if plan_at_risk else IndicatorStatus.ON_TRACK
    behind = Decimal(100) - pace
    if behind >= behind_pct:
        return IndicatorStatus.OFF_TRACK
    if behind >= behind_pct / 2 or plan_at_risk:
        return IndicatorStatus.AT_RISK
    return IndicatorStatus.ON_TRACK


def explain(status: str, pace: Decimal | None, detail: Mapping[str, object]) -> str:
    """Why a lagging indicator has its status, in one or two sentences: how far the goal is from
    its expected path, and whether the plan's critical path has slipped (and by how much, where)."""
    reasons: list[str] = []
    if pace is not None:
        gap = (pace - Decimal(100)).quantize(Decimal("0.1"))
        if gap < 0:
            limit = detail.get("behind_pct")
            if status == IndicatorStatus.ON_TRACK and limit is not None:
                reasons.append(
                    _("%(pct)s%% behind the expected path, within the tolerance of %(limit)s%%.")
                    % {"pct": -gap, "limit": _pct_text(Decimal(str(limit)) / 2)}
                )
            else:
                reasons.append(_("%(pct)s%% behind the expected path.") % {"pct": -gap})
        elif gap > 0:
            reasons.append(_("%(pct)s%% ahead of the expected path.") % {"pct": gap})
        else:
            reasons.append(_("On the expected path."))
    elif status == IndicatorStatus.NO_DATA or not detail.get("plan_at_risk"):
        reasons.append(_("No values recorded yet."))
    if detail.get("plan_at_risk"):
        plan = detail.get("plan")
        if isinstance(plan, Mapping) and plan.get("kind") == "slipped":
            reasons.append(
                ngettext(
                    "The critical path has slipped %(days)d day (“%(initiative)s” is past due).",
                    "The critical path has slipped %(days)d days (“%(initiative)s” is past due).",
                    int(str(plan.get("days", 0))),
                )
                % {"days": int(str(plan.get("days", 0))), "initiative": plan.get("initiative", "")}
            )
        elif isinstance(plan, Mapping) and plan.get("kind") == "late":
            reasons.append(
                ngettext(
                    "The critical path ends %(days)d day after the goal's period (“%(initiative)s”).",
                    "The critical path ends %(days)d days after the goal's period (“%(initiative)s”).",
                    int(str(plan.get("days", 0))),
                )
                % {"days": int(str(plan.get("days", 0))), "initiative": plan.get("initiative", "")}
            )
        else:
            reasons.append(_("The plan's critical path has slipped."))
    return " ".join(reasons)


def _pct_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _gap(actual: Decimal, expected: Decimal, direction: str) -> Decimal:
    """How far behind expected (positive) or ahead (negative)."""
    return q4(actual - expected if direction == Direction.DOWN else expected - actual)


def _days_in(daily: Mapping[date, Decimal], start: date, end: date) -> list[tuple[date, Decimal]]:
    return sorted((d, v) for d, v in daily.items() if start <= d <= end)


def _trend_at(points: list[tuple[date, Decimal]], at: date) -> Decimal:
    """Least-squares line through the points, read at a date (the last value with < 2 points)."""
    if len(points) < 2:
        return points[-1][1]
    xs = [Decimal(p[0].toordinal()) for p in points]
    ys = [p[1] for p in points]
    n = Decimal(len(points))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var
    return mean_y + slope * (Decimal(at.toordinal()) - mean_x)


def expected_to_date(facts: GoalFacts, asof: date) -> Decimal:
    challenge = facts.tiers[TierReached.CHALLENGE]
    total_days = (facts.end - facts.start).days + 1
    elapsed = min(max((asof - facts.start).days + 1, 0), total_days)
    if facts.aggregation == Aggregation.SUM:
        if facts.slices:
            expected = Decimal(0)
            for piece in facts.slices:
                if piece.end <= asof:
                    expected += piece.challenge
                elif piece.start <= asof:
                    expected += piece.challenge * Decimal((asof - piece.start).days + 1) / Decimal(piece.days)
            return q4(expected)
        return q4(challenge * Decimal(elapsed) / Decimal(total_days))
    current = next((s for s in facts.slices if s.start <= asof <= s.end), None)
    if current is not None:
        return q4(current.challenge)
    if facts.baseline is not None:
        return q4(facts.baseline + (challenge - facts.baseline) * Decimal(elapsed) / Decimal(total_days))
    return q4(challenge)


def actual_to_date(facts: GoalFacts, daily: Mapping[date, Decimal], asof: date) -> Decimal | None:
    points = _days_in(daily, facts.start, asof)
    if not points:
        return None
    if facts.aggregation == Aggregation.SUM:
        return q4(sum((v for _d, v in points), Decimal(0)))
    if facts.aggregation == Aggregation.LATEST:
        return q4(points[-1][1])
    return q4(sum((v for _d, v in points), Decimal(0)) / Decimal(len(points)))


def forecast_at_end(facts: GoalFacts, daily: Mapping[date, Decimal], asof: date, actual: Decimal) -> Decimal:
    """Where the period ends if the recent trend holds (the last four weeks)."""
    remaining = (facts.end - asof).days
    if remaining <= 0:
        return actual
    window_start = max(facts.start, asof - timedelta(days=FORECAST_WINDOW_DAYS - 1))
    recent = _days_in(daily, window_start, asof)
    if facts.aggregation == Aggregation.SUM:
        window = (asof - window_start).days + 1
        rate = sum((v for _d, v in recent), Decimal(0)) / Decimal(window)
        return q4(actual + rate * Decimal(remaining))
    if not recent:
        return actual
    if facts.aggregation == Aggregation.LATEST:
        return q4(_trend_at(recent, facts.end))
    # Average: the days still to come follow the trend; their mean joins the mean so far.
    so_far = _days_in(daily, facts.start, asof)
    midpoint = asof + timedelta(days=(remaining + 1) // 2)
    ahead = _trend_at(recent, midpoint)
    count = Decimal(len(so_far))
    return q4((actual * count + ahead * Decimal(remaining)) / (count + Decimal(remaining)))


def lagging(
    facts: GoalFacts,
    daily: Mapping[date, Decimal],
    day: date,
    *,
    behind_pct: Decimal = Decimal(10),
    plan_at_risk: bool = False,
    plan: Mapping[str, object] | None = None,
) -> Reading:
    """The lagging indicator on a day. ``plan`` says why the plan is at risk (see
    plans.selectors.PlanRisk), kept in the detail so the status can say why."""
    asof = min(day, facts.end)
    challenge = facts.tiers[TierReached.CHALLENGE]
    # Expected counts the completed days: the snapshot's own day is still being reported (the
    # nightly job runs before anyone has logged), unless the period is over.
    expected = expected_to_date(facts, asof if day > facts.end else asof - timedelta(days=1))
    actual = actual_to_date(facts, daily, asof)
    total_days = (facts.end - facts.start).days + 1
    detail: dict[str, object] = {
        "elapsed_days": min(max((asof - facts.start).days + 1, 0), total_days),
        "total_days": total_days,
        "plan_at_risk": plan_at_risk,
        "behind_pct": str(behind_pct),
    }
    if plan_at_risk and plan:
        detail["plan"] = dict(plan)
    if actual is None:
        status = IndicatorStatus.AT_RISK if plan_at_risk else IndicatorStatus.NO_DATA
        return Reading(actual=None, expected=expected, target=challenge, status=status, detail=detail)
    forecast = forecast_at_end(facts, daily, asof, actual)
    pace = attainment(actual=actual, target=expected, direction=facts.direction) if expected else None
    current = next((piece for piece in facts.slices if piece.start <= asof <= piece.end), None)
    if current is not None:
        # The period target in force now (this week / month / quarter of the decomposition).
        in_slice = GoalFacts(current.start, current.end, facts.direction, facts.aggregation,
                             {**facts.tiers, TierReached.CHALLENGE: current.challenge})  # fmt: skip
        slice_actual = actual_to_date(in_slice, daily, asof)
        detail["slice"] = {
            "start": current.start.isoformat(), "end": current.end.isoformat(), "target": str(current.challenge),
            "actual": None if slice_actual is None else str(slice_actual),
            "attainment": None if slice_actual is None else _pct(slice_actual, current.challenge, facts.direction),
        }  # fmt: skip
    return Reading(
        actual=actual,
        expected=expected,
        target=challenge,
        attainment=attainment(actual=actual, target=challenge, direction=facts.direction),
        pace=pace,
        gap=_gap(actual, expected, facts.direction),
        forecast=forecast,
        # A lower-is-better total (a cost) meets its tiers only once the period is over.
        tier_reached=TierReached.NONE
        if facts.aggregation == Aggregation.SUM and facts.direction == Direction.DOWN and day <= facts.end
        else tier_of(actual, facts.tiers, facts.direction),
        tier_projected=tier_of(forecast, facts.tiers, facts.direction),
        status=status_for(pace, behind_pct=behind_pct, plan_at_risk=plan_at_risk),
        detail=detail,
    )


def leading(
    *,
    start: date,
    end: date,
    weekly_target: Decimal,
    direction: str,
    daily: Mapping[date, Decimal],
    day: date,
    behind_pct: Decimal = Decimal(10),
) -> Reading:
    """Completion against the weekly target, week by week (first and last weeks pro rata)."""
    asof = min(day, end)
    rows: list[dict[str, object]] = []
    current: dict[str, object] | None = None
    for week_start, week_end in weeks(start, end):
        if week_start > asof:
            break
        span = (week_end - week_start).days + 1
        target = q4(weekly_target * Decimal(span) / Decimal(7))
        actual = q4(sum((v for _d, v in _days_in(daily, week_start, min(week_end, asof))), Decimal(0)))
        complete = week_end < asof or asof == end
        row: dict[str, object] = {
            "start": week_start.isoformat(),
            "end": week_end.isoformat(),
            "actual": str(actual),
            "target": str(target),
            "completion": _pct(actual, target, direction),
            "complete": complete,
        }
        rows.append(row)
        if not complete:
            elapsed = (asof - week_start).days  # completed days of the week
            row["expected"] = str(q4(target * Decimal(elapsed) / Decimal(span)))
            current = row
    done = [r for r in rows if r["complete"]]
    below = [r for r in done if r["completion"] is not None and Decimal(str(r["completion"])) < 100]
    has_data = any(d <= asof and d >= start for d in daily)
    if not has_data:
        return Reading(actual=None, expected=None, target=weekly_target, detail={"weeks": rows})
    shown = current or (rows[-1] if rows else None)
    actual = Decimal(str(shown["actual"])) if shown else Decimal(0)
    expected = Decimal(str(shown.get("expected", shown["target"]))) if shown else None
    pace = attainment(actual=actual, target=expected, direction=direction) if expected else None
    running_below = 0
    for r in reversed(done):
        if r in below:
            running_below += 1
        else:
            break
    if running_below >= 2:
        status = IndicatorStatus.OFF_TRACK
    elif running_below == 1:
        status = IndicatorStatus.AT_RISK
    else:
        status = status_for(pace, behind_pct=behind_pct)
        if status == IndicatorStatus.OFF_TRACK:
            status = IndicatorStatus.AT_RISK  # one unfinished week is a warning, not a verdict
    return Reading(
        actual=actual,
        expected=expected,
        target=Decimal(str(shown["target"])) if shown else weekly_target,
        attainment=attainment(actual=actual, target=Decimal(str(shown["target"])), direction=direction)
        if shown and Decimal(str(shown["target"]))
        else None,
        pace=pace,
        status=status,
        detail={"weeks": rows, "weeks_below_running": running_below},
    )


def risk(
    *, threshold: Decimal, direction: str, daily: Mapping[date, Decimal], start: date, day: date
) -> Reading:
    """Threshold state of the latest value; "lower is better" metrics breach above the threshold."""
    points = _days_in(daily, start, day)
    if not points:
        return Reading(actual=None, expected=None, target=threshold)

    def breached(value: Decimal) -> bool:
        return value > threshold if direction == Direction.DOWN else value < threshold

    latest_day, latest = points[-1]
    since: date | None = None
    for point_day, value in reversed(points):
        if not breached(value):
            break
        since = point_day
    is_breached = breached(latest)
    return Reading(
        actual=q4(latest),
        expected=None,
        target=threshold,
        gap=q4(latest - threshold if direction == Direction.DOWN else threshold - latest),
        status=IndicatorStatus.OFF_TRACK if is_breached else IndicatorStatus.ON_TRACK,
        detail={
            "breached": is_breached,
            "breached_since": since.isoformat() if is_breached and since else None,
            "latest_day": latest_day.isoformat(),
        },
    )


def _pct(actual: Decimal, target: Decimal, direction: str) -> str | None:
    value = attainment(actual=actual, target=target, direction=direction)
    return None if value is None else str(value)
