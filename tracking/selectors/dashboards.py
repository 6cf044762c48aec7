"""The team dashboard: goal cards and burn-up charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from goals.models import Goal, Status
from goals.progress import Attainment, goal_attainment
from teams.models import Organization, Team

from ..models import (
    Alert,
    IndicatorSnapshot,
)
from .alerts import alert_list
from .values import daily_totals, in_force, latest_snapshots

# --- Team dashboard -------------------------------------------------------------------------------
CHART_LIMIT = 12  # burn-up charts drawn on a team dashboard (cards and the table show every goal)


@dataclass
class GoalCard:
    goal: Goal
    lagging: IndicatorSnapshot | None
    supporting: list[IndicatorSnapshot]
    chart: dict[str, Any] | None = None
    progress: Attainment | None = None  # against the targets in force, or rolled up from sub-goals

    @property
    def target(self) -> Decimal | None:
        """The challenge target in force (the snapshot's until a revision is recomputed)."""
        own = self.progress.own if self.progress is not None else None
        if own is not None and own.target is not None:
            return own.target
        return self.lagging.target if self.lagging is not None else None

    @property
    def attainment(self) -> Decimal | None:
        if self.progress is not None and self.progress.source == "measured":
            return self.progress.percent
        return self.lagging.attainment if self.lagging is not None else None

    @property
    def expected_pct(self) -> Decimal | None:
        s, target = self.lagging, self.target
        if s is None or s.expected is None or not target:
            return None
        return min(Decimal(100), (s.expected / target * 100).quantize(Decimal("0.1")))

    @property
    def actual_pct(self) -> Decimal | None:
        value = self.attainment
        if value is None:
            return None
        return min(Decimal(100), max(Decimal(0), value))


@dataclass
class TeamDashboard:
    team: Team
    today: date
    cards: list[GoalCard]
    alerts: list[Alert]

    @property
    def charts(self) -> dict[str, dict[str, Any]]:
        return {str(c.goal.pk): c.chart for c in self.cards if c.chart is not None}


def _tier_paths(goal: Goal, version: Any) -> dict[str, list[tuple[str, float]]]:
    """Where each tier says the goal should be over its period: cumulative for sum goals (from the
    decomposition when there is one), the level for the others."""
    tiers = version.tiers()
    pieces = sorted(
        version.period_targets.all(), key=lambda p: (p.kind != "week", p.kind != "month", p.start_date)
    )
    finest = [p for p in pieces if pieces and p.kind == pieces[0].kind]
    paths: dict[str, list[tuple[str, float]]] = {}
    for tier in ("base", "challenge", "stretch"):
        if goal.aggregation == "sum":
            points = [(goal.start_date.isoformat(), 0.0)]
            if finest:
                total = Decimal(0)
                for piece in finest:
                    total += getattr(piece, tier)
                    points.append((piece.end_date.isoformat(), float(total)))
            else:
                points.append((goal.end_date.isoformat(), float(tiers[tier])))
        else:
            points = [
                (goal.start_date.isoformat(), float(tiers[tier])),
                (goal.end_date.isoformat(), float(tiers[tier])),
            ]
        paths[tier] = points
    return paths


def burnup_chart(goal: Goal, version: Any, daily: dict[date, Decimal], snapshot: IndicatorSnapshot | None,
                 today: date) -> dict[str, Any]:  # fmt: skip
    """Actual (cumulative for sum goals) against the three tier lines, with the forecast."""
    asof = min(today, goal.end_date)
    points = sorted((d, v) for d, v in daily.items() if goal.start_date <= d <= asof)
    actual: list[tuple[str, float]] = []
    running = Decimal(0)
    for count, (day, value) in enumerate(points, start=1):
        running += value
        if goal.aggregation == "sum":
            shown = running
        elif goal.aggregation == "average":
            shown = running / count
        else:
            shown = value
        actual.append((day.isoformat(), float(shown)))
    forecast = []
    if (
        snapshot is not None
        and snapshot.forecast is not None
        and snapshot.actual is not None
        and asof < goal.end_date
    ):
        forecast = [
            (asof.isoformat(), float(snapshot.actual)),
            (goal.end_date.isoformat(), float(snapshot.forecast)),
        ]
    return {
        "title": goal.title, "unit": goal.unit, "today": today.isoformat(), "actual": actual, "forecast": forecast,
        "tiers": _tier_paths(goal, version), "start": goal.start_date.isoformat(), "end": goal.end_date.isoformat(),
    }  # fmt: skip


def team_dashboard(*, org: Organization, team: Team, today: date) -> TeamDashboard:
    """Goal cards with progress against the expected pace, burn-up charts, the traffic-light rows
    and open alerts, in a fixed number of queries whatever the number of goals."""
    goals = list(
        Goal.objects.filter(org=org, team=team, status=Status.ACTIVE)
        .select_related("owner__user")
        .prefetch_related("versions__period_targets")
        .order_by("end_date", "title")
    )
    newest = latest_snapshots(org=org, goal_ids=[g.pk for g in goals])
    progress = goal_attainment(org=org, goals=goals)
    charted = [g.pk for g in goals[:CHART_LIMIT]]
    series = (
        daily_totals(
            goal_ids=charted, until=today, averaged={(g.pk, 0) for g in goals if g.aggregation == "average"}
        )
        if charted
        else {}
    )
    cards = []
    for goal in goals:
        snapshot = newest.get((goal.pk, 0))
        supporting = sorted(
            (s for (g, k), s in newest.items() if g == goal.pk and k != 0), key=lambda s: s.metric_key
        )
        card = GoalCard(goal=goal, lagging=snapshot, supporting=supporting, progress=progress.get(goal.pk))
        version = in_force(sorted(goal.versions.all(), key=lambda v: v.number), today)
        if goal.pk in charted and version is not None:
            card.chart = burnup_chart(goal, version, series.get((goal.pk, 0), {}), snapshot, today)
        cards.append(card)
    alerts = list(alert_list(org=org, state="unresolved", team=team)[:50])
    return TeamDashboard(team=team, today=today, cards=cards, alerts=alerts)
