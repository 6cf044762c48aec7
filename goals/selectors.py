"""Every read of the goals app, always scoped to an organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from teams.models import Organization, Team

from .models import (
    CLOSED_STATUSES,
    Goal,
    GoalComment,
    PeriodTarget,
    Revision,
    SupportingMetric,
    TargetVersion,
)
from .smart import HistoryPoint


def goal_list(
    *,
    org: Organization,
    team: Team | None = None,
    owner_id: int | None = None,
    status: str | None = None,
    parent_id: int | None = None,
    top_level: bool | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    search: str | None = None,
) -> QuerySet[Goal]:
    qs = (
        Goal.objects.filter(org=org)
        .select_related("team", "owner__user", "parent")
        .prefetch_related(Prefetch("versions", queryset=TargetVersion.objects.order_by("number")))
        .annotate(child_count=Count("children", distinct=True))
        .order_by("start_date", "title", "id")
    )
    if team is not None:
        qs = qs.filter(team=team)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if status:
        qs = qs.filter(status=status)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if top_level is not None:
        qs = qs.filter(parent__isnull=top_level)
    if period_start is not None:
        qs = qs.filter(end_date__gte=period_start)
    if period_end is not None:
        qs = qs.filter(start_date__lte=period_end)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(metric_name__icontains=search))
    return qs


def goal_get(*, org: Organization, goal_id: int) -> Goal:
    try:
        return Goal.objects.select_related("team", "owner__user", "parent__owner__user", "org").get(
            org=org, pk=goal_id
        )
    except Goal.DoesNotExist:
        raise Http404("No goal found.") from None


@dataclass(frozen=True)
class TreeRow:
    goal: Goal
    depth: int


def goal_tree(*, org: Organization, team: Team | None = None, include_closed: bool = True) -> list[TreeRow]:
    """The cascade in tree order (strategy → team → personal), each goal with its depth. A team
    filter keeps that team's goals and the goals above them, so the chain to strategy stays
    visible. Two queries, whatever the number of goals."""
    goals = list(goal_list(org=org))
    if not include_closed:
        goals = [g for g in goals if g.status not in CLOSED_STATUSES]
    by_id = {g.pk: g for g in goals}
    if team is not None:
        below: dict[int, list[int]] = {}
        for g in goals:
            if g.parent_id is not None:
                below.setdefault(g.parent_id, []).append(g.pk)
        keep: set[int] = set()
        for g in goals:
            if g.team_id != team.pk:
                continue
            node: Goal | None = g
            while node is not None and node.pk not in keep:  # the chain up to strategy
                keep.add(node.pk)
                node = by_id.get(node.parent_id) if node.parent_id else None
            stack = list(below.get(g.pk, []))
            while stack:  # and everything below the team's goal
                current = stack.pop()
                if current not in keep:
                    keep.add(current)
                    stack.extend(below.get(current, []))
        goals = [g for g in goals if g.pk in keep]
        by_id = {g.pk: g for g in goals}
    children: dict[int | None, list[Goal]] = {}
    for g in goals:
        parent = g.parent_id if g.parent_id in by_id else None
        children.setdefault(parent, []).append(g)
    rows: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for g in children.get(parent_id, []):
            rows.append(TreeRow(goal=g, depth=depth))
            walk(g.pk, depth + 1)

    walk(None, 0)
    return rows


def version_in_force(*, goal: Goal, on: date) -> TargetVersion:
    """The targets in force on a date: the latest version effective on or before it (version 1
    before the period starts)."""
    versions = sorted(goal.versions.all(), key=lambda v: v.number)
    if not versions:
        raise Http404("This goal has no targets.")
    current = versions[0]
    for version in versions:
        if version.effective_from <= on:
            current = version
    return current


def current_version(*, goal: Goal) -> TargetVersion:
    versions = sorted(goal.versions.all(), key=lambda v: v.number)
    if not versions:
        raise Http404("This goal has no targets.")
    return versions[-1]


def period_targets(*, version: TargetVersion, kind: str | None = None) -> QuerySet[PeriodTarget]:
    qs = PeriodTarget.objects.filter(version=version).order_by("kind", "start_date")
    return qs.filter(kind=kind) if kind else qs


def supporting_metric_list(*, goal: Goal) -> QuerySet[SupportingMetric]:
    return SupportingMetric.objects.filter(goal=goal).order_by("position", "id")


def comment_list(*, goal: Goal) -> QuerySet[GoalComment]:
    return GoalComment.objects.filter(goal=goal).select_related("author__user").order_by("created_at", "id")


def revision_list(*, goal: Goal) -> QuerySet[Revision]:
    return (
        Revision.objects.filter(goal=goal)
        .select_related("requested_by__user", "decided_by__user", "version")
        .order_by("-created_at", "-id")
    )


def revision_get(*, org: Organization, revision_id: int) -> Revision:
    try:
        return Revision.objects.select_related("goal__parent__owner", "goal__org", "requested_by__user").get(
            goal__org=org, pk=revision_id
        )
    except Revision.DoesNotExist:
        raise Http404("No revision found.") from None


def metric_history(
    *,
    org: Organization,
    metric_name: str,
    team: Team | None = None,
    before: date | None = None,
    limit: int = 8,
) -> list[HistoryPoint]:
    """Past results of the same metric in the organisation (closed goals with a final result),
    oldest first: the base for suggesting tiers and judging whether a stretch is achievable."""
    if not metric_name.strip():
        return []
    qs = Goal.objects.filter(
        org=org,
        metric_name__iexact=metric_name.strip(),
        result_value__isnull=False,
        status__in=CLOSED_STATUSES,
    )
    if team is not None:
        qs = qs.filter(team=team)
    if before is not None:
        qs = qs.filter(end_date__lt=before)
    rows = list(qs.order_by("-end_date").values_list("title", "end_date", "result_value")[:limit])
    return [
        HistoryPoint(label=title, end_date=end, value=value)
        for title, end, value in reversed(rows)
        if value is not None
    ]
