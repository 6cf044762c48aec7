"""Reads of a past period for the apps above tracking (published through `results`): the goals'
burn-up charts, the team's recurring stand-up blockers, and the leading metrics week by week
against their weekly targets. Each a fixed number of queries whatever the number of goals."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from goals.models import Goal, SupportingMetric, TargetVersion
from goals.periods import weeks
from teams.models import Membership, Organization

from ..indicators import q4
from ..models import Standup
from .dashboards import burnup_chart
from .values import daily_totals, in_force, latest_snapshots

BLOCKER_DAYS = 2  # a blocker named on at least this many days recurs
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def burnup_charts(
    *, org: Organization, goal_ids: list[int], today: date, limit: int = 12
) -> dict[str, dict[str, Any]]:
    """{goal id (text): its burn-up chart} — the actual (cumulative for sum goals) against the base,
    challenge and stretch lines of the targets in force, as the team dashboard draws it (five
    queries)."""
    ids = list(dict.fromkeys(goal_ids))[:limit]
    if not ids:
        return {}
    goals = list(
        Goal.objects.filter(org=org, pk__in=ids)
        .defer("description", "rationale")
        .prefetch_related(Prefetch("versions", queryset=TargetVersion.objects.order_by("number")),
                          "versions__period_targets")
        .order_by("pk")
    )  # fmt: skip
    series = daily_totals(goal_ids=ids, until=today,
                          averaged={(g.pk, 0) for g in goals if g.aggregation == "average"})  # fmt: skip
    newest = latest_snapshots(org=org, goal_ids=ids)
    charts = {}
    for goal in goals:
        version = in_force(list(goal.versions.all()), min(today, goal.end_date))
        if version is not None:
            charts[str(goal.pk)] = burnup_chart(goal, version, series.get((goal.pk, 0), {}),
                                                newest.get((goal.pk, 0)), today)  # fmt: skip
    return charts


@dataclass(frozen=True)
class RecurringBlocker:
    text: str  # as first written
    people: tuple[str, ...]
    days: int  # stand-ups that named it
    first: date
    last: date
    open: bool  # the last stand-up naming it has not been cleared


def recurring_blockers(
    *, org: Organization, team_id: int, start: date, end: date, min_days: int = BLOCKER_DAYS
) -> list[RecurringBlocker]:
    """The blockers the team's people named in their stand-ups on at least `min_days` days of the
    period (the same words, whatever the spacing and punctuation), most frequent first (one query)."""
    people = Membership.objects.filter(org=org, teams__id=team_id).values("pk")
    groups: dict[str, list[Standup]] = defaultdict(list)
    for standup in (
        Standup.objects.filter(org=org, member__in=people, day__gte=start, day__lte=end)
        .exclude(blockers="")
        .select_related("member__user")
        .order_by("day", "pk")[:2000]
    ):
        key = _NOISE.sub(" ", standup.blockers.lower()).strip()[:120]
        if key:
            groups[key].append(standup)
    found = [
        RecurringBlocker(
            text=rows[0].blockers.strip()[:300],
            people=tuple(dict.fromkeys(r.member.user.get_full_name() for r in rows)),
            days=len({r.day for r in rows}),
            first=rows[0].day,
            last=rows[-1].day,
            open=rows[-1].blocker_resolved_at is None,
        )  # fmt: skip
        for rows in groups.values()
        if len({r.day for r in rows}) >= min_days
    ]
    return sorted(found, key=lambda b: (-b.days, b.first))[:20]


@dataclass(frozen=True)
class LeadingWeek:
    start: date
    end: date
    actual: Decimal
    target: Decimal  # the weekly target, pro rata for a part week

    @property
    def met(self) -> bool:
        return self.actual >= self.target


@dataclass(frozen=True)
class LeadingMetricWeeks:
    goal_id: int
    metric_id: int
    name: str
    unit: str
    weekly_target: Decimal
    weeks: tuple[LeadingWeek, ...]

    @property
    def weeks_met(self) -> int:
        return sum(1 for w in self.weeks if w.met)


def leading_weeks(
    *, org: Organization, goal_ids: list[int], start: date, end: date
) -> list[LeadingMetricWeeks]:
    """Each leading metric with a weekly target of these goals, week by week over the period (the
    part of it inside the goal's own period) against that target (two queries)."""
    ids = list(dict.fromkeys(goal_ids))
    if not ids:
        return []
    metrics = list(
        SupportingMetric.objects.filter(goal__org=org, goal_id__in=ids, kind=SupportingMetric.Kind.LEADING,
                                        weekly_target__isnull=False)
        .select_related("goal").order_by("goal_id", "position", "pk")[:100]
    )  # fmt: skip
    if not metrics:
        return []
    series = daily_totals(goal_ids=sorted({m.goal_id for m in metrics}), until=end, since=start)
    rows = []
    for metric in metrics:
        goal = metric.goal
        first, last = max(start, goal.start_date), min(end, goal.end_date)
        daily = series.get((goal.pk, metric.pk), {})
        target = metric.weekly_target or Decimal(0)
        spans = weeks(first, last) if first <= last else []
        rows.append(LeadingMetricWeeks(
            goal_id=goal.pk, metric_id=metric.pk, name=metric.name, unit=metric.unit, weekly_target=target,
            weeks=tuple(
                LeadingWeek(start=a, end=b, target=q4(target * Decimal((b - a).days + 1) / Decimal(7)),
                            actual=q4(sum((v for d, v in daily.items() if a <= d <= b), Decimal(0))))
                for a, b in spans
            ),
        ))  # fmt: skip
    return rows
