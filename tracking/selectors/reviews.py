"""Weekly and monthly reviews, prepared from the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from goals.models import Goal, Status
from goals.periods import month_span
from plans.models import FINISHED, Initiative
from teams.models import Membership, Organization, Team

from ..models import (
    Alert,
    CorrectiveAction,
    IndicatorKind,
    IndicatorSnapshot,
    Review,
    Standup,
)
from .values import newest_snapshot_day


# --- Weekly and monthly reviews -------------------------------------------------------------------
def snapshots_as_of(
    *, org: Organization, goal_ids: list[int], day: date
) -> dict[tuple[int, int], IndicatorSnapshot]:
    """Each goal's and supporting metric's newest snapshot on or before a day (one query)."""
    qs = IndicatorSnapshot.objects.filter(
        org=org, goal_id__in=goal_ids, day=newest_snapshot_day(on_or_before=day)
    ).select_related("supporting_metric")
    return {(s.goal_id, s.metric_key): s for s in qs}


@dataclass
class ReviewGoal:
    goal: Goal
    lagging: IndicatorSnapshot | None
    leading: list[tuple[IndicatorSnapshot, dict[str, Any] | None]]
    risks: list[IndicatorSnapshot]
    trend: list[tuple[str, float | None]] = field(default_factory=list)


@dataclass
class ReviewPage:
    team: Team
    kind: str
    start: date
    end: date
    asof: date
    goals: list[ReviewGoal]
    alerts: list[Alert]
    blockers: list[dict[str, Any]]
    initiatives: list[dict[str, Any]]
    actions: list[CorrectiveAction]
    record: Review | None

    @property
    def trends(self) -> dict[str, Any]:
        return {str(g.goal.pk): {"title": g.goal.title, "points": g.trend} for g in self.goals if g.trend}


def _week_row(snapshot: IndicatorSnapshot, start: date, end: date) -> dict[str, Any] | None:
    for row in snapshot.detail.get("weeks", []):
        if date.fromisoformat(row["start"]) <= end and date.fromisoformat(row["end"]) >= start:
            return dict(row)
    return None


def review_page(*, org: Organization, team: Team, kind: str, start: date, today: date) -> ReviewPage:
    """Everything a weekly (or monthly) review needs, prepared from the data: each goal's actual
    against expected, leading metrics against the week's target, risk states, open alerts, the
    period's blockers and the initiatives in flight — a fixed number of queries."""
    end = start + timedelta(days=6) if kind == Review.Kind.WEEK else month_span(start)[1]
    asof = min(end, today)
    goals = list(
        Goal.objects.filter(org=org, team=team, status__in=(Status.ACTIVE, Status.ACHIEVED, Status.MISSED),
                            start_date__lte=end, end_date__gte=start)
        .order_by("end_date", "title")
    )  # fmt: skip
    ids = [g.pk for g in goals]
    as_of = snapshots_as_of(org=org, goal_ids=ids, day=asof)
    trends: dict[int, list[tuple[str, float | None]]] = defaultdict(list)
    if kind == Review.Kind.MONTH and ids:
        for goal_id, day, attainment_value in (
            IndicatorSnapshot.objects.filter(goal_id__in=ids, metric_key=0, day__gte=start, day__lte=asof)
            .order_by("goal_id", "day")
            .values_list("goal_id", "day", "attainment")
        ):
            trends[goal_id].append(
                (day.isoformat(), float(attainment_value) if attainment_value is not None else None)
            )
    rows = []
    for goal in goals:
        mine = sorted(
            ((k, s) for (g, k), s in as_of.items() if g == goal.pk and k != 0), key=lambda pair: pair[0]
        )
        rows.append(ReviewGoal(
            goal=goal, lagging=as_of.get((goal.pk, 0)),
            leading=[(s, _week_row(s, start, end)) for _k, s in mine if s.kind == IndicatorKind.LEADING],
            risks=[s for _k, s in mine if s.kind == IndicatorKind.RISK], trend=trends.get(goal.pk, []),
        ))  # fmt: skip
    member_ids = Membership.objects.filter(org=org, teams=team).values("pk")
    # Plain rows, not model instances: the page only shows them (who, which day, what, and a link).
    blockers = [
        {"name": name or email, "day": day, "blockers": text}
        for name, email, day, text in Standup.objects.filter(
            org=org, member__in=member_ids, day__gte=start, day__lte=asof
        )
        .exclude(blockers="")
        .order_by("day", "member_id")
        .values_list("member__user__display_name", "member__user__email", "day", "blockers")
    ]
    initiatives = [
        {"id": pk, "goal_id": goal_id, "title": title, "progress": progress, "due_date": due,
         "owner": name or email or ""}
        for pk, goal_id, title, progress, due, name, email in Initiative.objects.filter(org=org, goal__in=ids)
        .exclude(status__in=FINISHED)
        .order_by("due_date", "id")
        .values_list("id", "goal_id", "title", "progress", "due_date",
                     "owner__user__display_name", "owner__user__email")[:100]
    ]  # fmt: skip
    actions = list(
        CorrectiveAction.objects.filter(org=org, goal__in=ids, created_at__date__lte=end)
        .filter(Q(state="open") | Q(done_at__date__gte=start))
        .select_related("owner__user", "goal", "alert")
        .order_by("state", "due_date", "id")
    )
    # The open alerts as alert_list orders them, joined only to what the review shows (goal, person).
    alerts = list(
        Alert.objects.filter(org=org, team=team).exclude(state="resolved")
        .select_related("goal", "member__user").order_by("-raised_on", "-id")[:50]
    )  # fmt: skip
    record = (
        Review.objects.filter(team=team, kind=kind, start=start).select_related("updated_by__user").first()
    )
    return ReviewPage(
        team=team, kind=kind, start=start, end=end, asof=asof, goals=rows,
        alerts=alerts, blockers=blockers,
        initiatives=initiatives, actions=actions, record=record,
    )  # fmt: skip
