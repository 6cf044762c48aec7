"""Every read of the plans app, always scoped to an organisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from goals.models import OPEN_STATUSES, Goal
from teams.models import Organization, Team

from .models import FINISHED, PRIORITY_RANK, Capacity, Dependency, Initiative, Status, TeamBudget
from .schedule import (
    Conflict,
    CriticalPath,
    Task,
    budget_conflicts,
    critical_path,
    dependency_conflicts,
    late_conflicts,
    overloads,
)

DEFAULT_CAPACITY = Decimal("3")
# Failed innovation experiments tolerated per person per quarter (容错机制).
EXPERIMENT_ALLOWANCE = 1


def initiative_list(
    *, org: Organization, goal: Goal | None = None, owner_id: int | None = None, unfinished: bool = False
) -> QuerySet[Initiative]:
    qs = (
        Initiative.objects.filter(org=org)
        .select_related("goal", "dimension", "owner__user", "squad")
        .order_by("goal_id", "dimension__position", "dimension_id", "position", "id")
    )
    if goal is not None:
        qs = qs.filter(goal=goal)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if unfinished:
        qs = qs.exclude(status__in=FINISHED)
    return qs


def goals_with_plans(*, org: Organization) -> QuerySet[Goal]:
    """Open goals with how many initiatives their plan has and how many are done."""
    return (
        Goal.objects.filter(org=org, status__in=OPEN_STATUSES)
        .select_related("team", "owner__user")
        .annotate(
            initiative_count=Count("initiatives", distinct=True),
            done_count=Count("initiatives", filter=Q(initiatives__status=Status.DONE), distinct=True),
        )
        .order_by("-initiative_count", "start_date", "title")
    )


def teams_with_plans(*, org: Organization) -> QuerySet[Team]:
    return Team.objects.filter(org=org, goals__initiatives__isnull=False).distinct().order_by("name")


def team_initiatives(*, org: Organization, team: Team, limit: int = 2000) -> list[Initiative]:
    """The initiatives of a team's open goals (for the team's Gantt)."""
    return list(initiative_list(org=org).filter(goal__team=team, goal__status__in=OPEN_STATUSES)[:limit])


def initiative_get(*, org: Organization, initiative_id: int) -> Initiative:
    try:
        return Initiative.objects.select_related("goal", "owner__user", "org").get(org=org, pk=initiative_id)
    except Initiative.DoesNotExist:
        raise Http404("No initiative found.") from None


def _task(i: Initiative) -> Task:
    return Task(
        id=i.pk, title=i.title, start=i.start_date, due=i.due_date, priority=i.priority, status=i.status,
        owner_id=i.owner_id, goal_id=i.goal_id, goal_end=i.goal.end_date, budget=i.budget, team_id=i.goal.team_id,
    )  # fmt: skip


@dataclass
class PlanAnalysis:
    critical: CriticalPath
    conflicts: list[Conflict]
    at_risk_goal_ids: set[int] = field(default_factory=set)
    slipped_ids: set[int] = field(default_factory=set)


def plan_analysis(
    *, org: Organization, initiatives: list[Initiative], today: date | None = None
) -> PlanAnalysis:
    """Critical path, conflicts and slip risk for a set of initiatives (one goal's plan or a team's).
    A goal is at risk when an unfinished initiative on the critical path is past due, or the path
    is projected to finish after the goal's period ends."""
    today = today or timezone.localdate()
    ids = [i.pk for i in initiatives]
    edges = list(
        Dependency.objects.filter(Q(predecessor_id__in=ids) | Q(successor_id__in=ids)).values_list(
            "predecessor_id", "successor_id"
        )
    )
    tasks = [_task(i) for i in initiatives]
    horizon = max((i.goal.end_date for i in initiatives), default=today)
    owners = {i.owner_id for i in initiatives}
    capacity = dict(Capacity.objects.filter(membership_id__in=owners).values_list("membership_id", "load"))
    team_ids = {i.goal.team_id for i in initiatives if i.goal.team_id}
    budgets = [
        (b.team_id, b.start_date, b.end_date, b.amount)
        for b in TeamBudget.objects.filter(org=org, team_id__in=team_ids)
    ]
    conflicts = [
        *overloads(tasks, capacity, default=DEFAULT_CAPACITY, horizon=horizon),
        *dependency_conflicts(tasks, edges),
        *late_conflicts(tasks),
        *budget_conflicts(tasks, budgets),
    ]
    # Slips: unfinished work past its due date is projected to finish today at the earliest.
    projected = [
        Task(**{**t.__dict__, "due": max(t.due, today)}) if t.due and t.due < today and not t.finished else t
        for t in tasks
    ]
    critical = critical_path(projected, edges)
    by_id = {i.pk: i for i in initiatives}
    slipped = {t.id for t in tasks if t.due and t.due < today and not t.finished}
    at_risk: set[int] = set()
    for pk in critical.ids:
        item = by_id[pk]
        if pk in slipped or (critical.finish and critical.finish > item.goal.end_date):
            at_risk.add(item.goal_id)
    return PlanAnalysis(critical=critical, conflicts=conflicts, at_risk_goal_ids=at_risk, slipped_ids=slipped)


def experiments_within_allowance(
    *, org: Organization, owner_id: int, quarter_start: date, quarter_end: date
) -> set[int]:
    """Failed experiments of a person in a quarter that are tolerated (the first
    EXPERIMENT_ALLOWANCE of them): they count against the owner nowhere in the product."""
    failed = (
        Initiative.objects.filter(
            org=org,
            owner_id=owner_id,
            is_experiment=True,
            status="failed",
            finished_at__gte=quarter_start,
            finished_at__lte=quarter_end,
        )  # fmt: skip
        .order_by("finished_at", "id")
        .values_list("pk", flat=True)
    )
    return set(list(failed)[:EXPERIMENT_ALLOWANCE])


def dependencies_of(*, initiatives: list[Initiative]) -> dict[int, list[int]]:
    """{successor id: [predecessor ids]} among the given initiatives."""
    ids = [i.pk for i in initiatives]
    result: dict[int, list[int]] = defaultdict(list)
    for pred, succ in Dependency.objects.filter(successor_id__in=ids).values_list(
        "predecessor_id", "successor_id"
    ):
        result[succ].append(pred)
    return dict(result)


def dependency_get(*, org: Organization, dependency_id: int) -> Dependency:
    try:
        return Dependency.objects.select_related("successor", "predecessor").get(
            successor__org=org, pk=dependency_id
        )
    except Dependency.DoesNotExist:
        raise Http404("No dependency found.") from None


def dependency_list(*, org: Organization, goal: Goal) -> QuerySet[Dependency]:
    return (
        Dependency.objects.filter(successor__org=org, successor__goal=goal)
        .select_related("predecessor", "successor")
        .order_by("id")
    )


def small_wins(org: Organization, teams: list[Any]) -> dict[int, list[Any]]:
    """Milestones reached in the last 30 days, by the team of their goal (小胜利), for the team page."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from teams.hooks import Highlight

    since = timezone.now() - timedelta(days=30)
    wins: dict[int, list[Highlight]] = {}
    reached = (
        Initiative.objects.filter(
            org=org,
            is_milestone=True,
            milestone_reached_at__gte=since,
            goal__team_id__in=[t.pk for t in teams],
        )  # fmt: skip
        .select_related("goal", "owner__user")
        .order_by("-milestone_reached_at")[:200]
    )
    for item in reached:
        assert item.goal.team_id is not None and item.milestone_reached_at is not None  # noqa: S101
        text = _("Milestone reached: %(title)s (%(owner)s)") % {
            "title": item.title,
            "owner": item.owner.user.get_full_name(),
        }
        url = reverse("goal_plan", kwargs={"org_slug": org.slug, "goal_id": item.goal_id})
        wins.setdefault(item.goal.team_id, []).append(
            Highlight(text=text, when=item.milestone_reached_at, url=url)
        )
    return wins


@dataclass(frozen=True)
class BudgetSuggestion:
    source: Initiative
    target: Initiative
    amount: Decimal
    behind: int  # percentage points the target is behind schedule


def budget_suggestions(*, initiatives: list[Initiative], today: date | None = None) -> list[BudgetSuggestion]:
    """Where budget could move (动态调整): from lower-priority initiatives that have budget but have
    not started, to higher-priority ones that are behind schedule (progress below the share of
    their time already used). At most one suggestion per receiving initiative."""
    today = today or timezone.localdate()
    rank = PRIORITY_RANK
    donors = sorted(
        (
            i
            for i in initiatives
            if (i.budget or 0) > 0 and i.status == "not_started" and rank[i.priority] >= 2
        ),
        key=lambda i: (-rank[i.priority], -(i.budget or 0)),
    )
    needy = []
    for i in initiatives:
        if i.is_finished or rank[i.priority] > 1 or i.due_date is None or i.start_date > today:
            continue
        span = max((i.due_date - i.start_date).days, 1)
        expected = min(100, round(100 * (today - i.start_date).days / span))
        if expected - i.progress >= 20:
            needy.append((rank[i.priority], -(expected - i.progress), i, expected - i.progress))
    needy.sort(key=lambda t: (t[0], t[1]))
    suggestions = []
    available = {d.pk: d.budget or Decimal(0) for d in donors}
    for _rank, _gap, target, behind in needy:
        donor = next(
            (
                d
                for d in donors
                if available[d.pk] > 0 and d.pk != target.pk and rank[d.priority] > rank[target.priority]
            ),
            None,
        )
        if donor is None:
            break
        amount = (available[donor.pk] / 2).quantize(Decimal("0.01"))
        available[donor.pk] -= amount
        suggestions.append(BudgetSuggestion(source=donor, target=target, amount=amount, behind=behind))
    return suggestions


def team_budget_for(*, goal: Goal) -> TeamBudget | None:
    """The budget of the goal's team that covers the start of the goal's period."""
    if goal.team_id is None:
        return None
    return (
        TeamBudget.objects.filter(
            team_id=goal.team_id, start_date__lte=goal.start_date, end_date__gte=goal.start_date
        )
        .order_by("-start_date")
        .first()
    )
