"""Values and indicators: entries, daily totals, snapshots, the measures the goals app shows,
the indicator overview and imports."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from django.db.models import Avg, F, Max, OuterRef, QuerySet, Subquery, Sum, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import get_language

from goals.models import Goal, Status, SupportingMetric, TargetVersion
from goals.progress import Attainment, GoalFacts, Measure, attainment, deferred_text, goal_attainment, ids_in
from teams.models import Membership, Organization, Team

from ..indicators import explain
from ..models import (
    ImportJob,
    IndicatorKind,
    IndicatorSnapshot,
    IndicatorStatus,
    MetricEntry,
)
from .rights import can_enter_values, deletable_entry_ids


def entry_list(
    *,
    org: Organization,
    goal: Goal | None = None,
    supporting_metric: SupportingMetric | None = None,
    member: Membership | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[MetricEntry]:
    qs = MetricEntry.objects.filter(org=org).select_related("goal", "supporting_metric", "member__user")
    if goal is not None:
        qs = qs.filter(goal=goal)
    if supporting_metric is not None:
        qs = qs.filter(supporting_metric=supporting_metric)
    if member is not None:
        qs = qs.filter(member=member)
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs.order_by("-day", "-id")


def daily_totals(
    *,
    goal_ids: list[int],
    until: date,
    averaged: set[tuple[int, int]] | None = None,
    since: date | None = None,
) -> dict[tuple[int, int], dict[date, Decimal]]:
    """{(goal id, supporting metric id or 0): {day: that day's value}}, from each goal's start (or
    `since`, when later) to `until`, in one aggregate query. A day's value is the sum of its values (new users, deals), or
    their mean for the series in `averaged` (rates such as a collection rate, where two people
    reporting 90 % mean 90 %, not 180 %)."""
    rows = (
        MetricEntry.objects.filter(goal_id__in=goal_ids, day__lte=until, day__gte=F("goal__start_date"))
        .filter(**({"day__gte": since} if since else {}))
        .values_list("goal_id", "supporting_metric_id", "day")
        .annotate(total=Sum("value"), mean=Avg("value"))
        .order_by()
    )
    averaged = averaged or set()
    series: dict[tuple[int, int], dict[date, Decimal]] = defaultdict(dict)
    for goal_id, metric_id, day, total, mean in rows:
        key = (goal_id, metric_id or 0)
        series[key][day] = Decimal(mean).quantize(Decimal("0.0001")) if key in averaged else total
    return series


def averaged_series(goals: list[Goal]) -> set[tuple[int, int]]:
    """The series whose daily values are means: average goals and risk metrics (rates)."""
    keys = {(g.pk, 0) for g in goals if g.aggregation == "average"}
    for goal in goals:
        keys |= {(goal.pk, m.pk) for m in goal.supporting_metrics.all() if m.kind == "risk"}
    return keys


def snapshot_list(
    *,
    org: Organization,
    goal: Goal | None = None,
    kind: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[IndicatorSnapshot]:
    qs = IndicatorSnapshot.objects.filter(org=org).select_related("goal", "supporting_metric")
    if goal is not None:
        qs = qs.filter(goal=goal)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs.order_by("goal_id", "metric_key", "day")


def newest_snapshot_day(*, on_or_before: date | None = None) -> Subquery:
    """For a snapshot query: the day of the newest snapshot of the same goal and metric (on or
    before a day), so `.filter(day=newest_snapshot_day())` keeps each series' newest row."""
    qs = IndicatorSnapshot.objects.filter(goal_id=OuterRef("goal_id"), metric_key=OuterRef("metric_key"))
    if on_or_before is not None:
        qs = qs.filter(day__lte=on_or_before)
    return Subquery(qs.order_by("-day").values("day")[:1])


def latest_snapshots(*, org: Organization, goal_ids: list[int]) -> dict[tuple[int, int], IndicatorSnapshot]:
    """The most recent snapshot of each goal and supporting metric, in one query."""
    qs = (
        IndicatorSnapshot.objects.filter(org=org, goal_id__in=goal_ids, day=newest_snapshot_day())
        .select_related("supporting_metric")
        .order_by("goal_id", "metric_key")
    )
    return {(s.goal_id, s.metric_key): s for s in qs}


def _versions_of(goals: list[Goal]) -> dict[int, list[TargetVersion]]:
    """Each goal's target versions, oldest first: from the prefetch when the goals carry one,
    else one query for all of them."""
    if all("versions" in getattr(g, "_prefetched_objects_cache", {}) for g in goals):
        return {g.pk: sorted(g.versions.all(), key=lambda v: v.number) for g in goals}
    found: dict[int, list[TargetVersion]] = defaultdict(list)
    for version in TargetVersion.objects.filter(goal_id__in=[g.pk for g in goals]).order_by("number"):
        found[version.goal_id].append(version)
    return found


class _Effective(Protocol):
    @property
    def effective_from(self) -> date: ...


V = TypeVar("V", bound=_Effective)


def in_force(versions: Sequence[V], day: date) -> V | None:
    """The newest approved version effective on the day (the first one before the period)."""
    current = versions[0] if versions else None
    for version in versions:
        if version.effective_from <= day:
            current = version
    return current


def _explain_text(status: str, pace: Decimal | None, detail: str | None) -> str:
    return _explained(get_language(), status, pace, detail)


@lru_cache(maxsize=4096)
def _explained(language: str | None, status: str, pace: Decimal | None, detail: str | None) -> str:
    """The sentence depends on nothing but its arguments and the language: worded once (a goal
    tree page words each sub-goal's reason again inside its parent's, on every request)."""
    return explain(status, pace, json.loads(detail) if detail else {})


def latest_measures(goals: list[GoalFacts]) -> dict[int, Measure]:
    """Measure provider for `goals.progress`: each open goal's newest lagging snapshot, with its
    attainment computed against the challenge target in force on the snapshot's day (so an approved
    revision counts even before the recompute it triggers has run), its status and why. Plain rows
    in, plain rows read: a roll-up over thousands of goals builds no model instance."""
    by_id = {g.pk: g for g in goals if g.is_open}
    if not by_id:
        return {}
    newest = (
        IndicatorSnapshot.objects.filter(
            ids_in("goal_id", list(by_id)),
            metric_key=0,
            kind=IndicatorKind.LAGGING,
            day=newest_snapshot_day(),
        )
        .order_by()
        .annotate(detail_text=Cast("detail", TextField()))
    )  # decoded only for a reason shown
    snapshots = newest.values_list("goal_id", "day", "actual", "target", "attainment", "status", "pace",
                                   "detail_text", "tier_reached", "tier_projected", "computed_at")  # fmt: skip
    labels = {code: str(label) for code, label in IndicatorStatus.choices}
    measures: dict[int, Measure] = {}
    for goal_id, day, actual, snapshot_target, value, status, pace, detail, tier, projected, at in snapshots:
        goal = by_id[goal_id]
        version = in_force(goal.versions, day)
        target = version.challenge if version is not None else snapshot_target
        if actual is not None and target is not None:
            value = attainment(actual=actual, target=target, direction=goal.direction)
        measures[goal_id] = Measure(
            attainment=value, status=status, status_label=labels.get(status, status),
            reason=deferred_text(_explain_text, status, pace, detail),  # as IndicatorSnapshot.status_reason
            target=target, version=version.number if version else None, day=day, tier_reached=tier,
            tier_projected=projected, computed_at=at,
        )  # fmt: skip
    return measures


def latest_attainment(goals: list[GoalFacts]) -> dict[int, Decimal]:
    """Attainment of the challenge target in force from the newest lagging snapshot of each open goal."""
    return {pk: m.attainment for pk, m in latest_measures(goals).items() if m.attainment is not None}


def last_entry_day(*, org: Organization) -> date | None:
    last: date | None = MetricEntry.objects.filter(org=org).aggregate(last=Max("day"))["last"]
    return last


@dataclass
class IndicatorRow:
    goal: Goal
    lagging: IndicatorSnapshot | None
    supporting: list[IndicatorSnapshot]
    progress: Attainment | None = None  # against the targets in force, or rolled up from sub-goals

    @property
    def has_own_status(self) -> bool:
        return self.lagging is not None and self.lagging.status != IndicatorStatus.NO_DATA


def indicator_overview(
    *, org: Organization, team: Team | None = None, limit: int = 500
) -> list[IndicatorRow]:
    """Active goals with their newest lagging, leading and risk snapshots, and their progress as
    the goals app shows it (rolled up for goals without values of their own): a fixed number of
    queries."""
    qs = Goal.objects.filter(org=org, status=Status.ACTIVE).select_related("team", "owner__user")
    if team is not None:
        qs = qs.filter(team=team)
    goals = list(qs.order_by("team__name", "end_date", "title")[:limit])
    newest = latest_snapshots(org=org, goal_ids=[g.pk for g in goals])
    progress = goal_attainment(org=org, goals=goals)
    rows = []
    for goal in goals:
        supporting = sorted(
            (s for (goal_id, key), s in newest.items() if goal_id == goal.pk and key != 0),
            key=lambda s: (s.kind, s.metric_key),
        )
        rows.append(IndicatorRow(goal=goal, lagging=newest.get((goal.pk, 0)), supporting=supporting,
                                 progress=progress.get(goal.pk)))  # fmt: skip
    return rows


def entry_get(*, org: Organization, entry_id: int) -> MetricEntry:
    try:
        return MetricEntry.objects.select_related("goal", "goal__org").get(org=org, pk=entry_id)
    except MetricEntry.DoesNotExist:
        raise Http404("No value found.") from None


def member_teams(*, member: Membership) -> list[Team]:
    return list(member.teams.order_by("name"))


def org_teams(*, org: Organization) -> list[Team]:
    return list(Team.objects.filter(org=org).order_by("name"))


def import_jobs(*, org: Organization, member: Membership, limit: int = 10) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(org=org, created_by=member).defer("content").order_by("-created_at")[:limit]
    )


def import_job_get(*, org: Organization, job_id: int) -> ImportJob:
    try:
        return ImportJob.objects.defer("content").select_related("created_by__user").get(org=org, pk=job_id)
    except ImportJob.DoesNotExist:
        raise Http404("No import found.") from None


def values_page(*, org: Organization, member: Membership, goal: Goal) -> dict[str, Any]:
    """A goal's values page: its latest 100 values whatever their source, whether the person enters
    values for it and which of the values they may delete."""
    entries = list(entry_list(org=org, goal=goal)[:100])
    return {
        "goal": goal,
        "entries": entries,
        "can_enter": can_enter_values(member=member, goal=goal),
        "deletable": deletable_entry_ids(member=member, goal=goal, entries=entries),
    }
