"""Reads of initiatives, their goals and their dependencies, and the milestones reached (小胜利)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import OPEN_STATUSES, Goal
from teams.hooks import Highlight
from teams.models import Organization, Team

from ..models import FINISHED, Dependency, Initiative, Status


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
        return Initiative.objects.select_related("goal", "owner__user", "org", "dimension", "squad").get(
            org=org, pk=initiative_id
        )
    except Initiative.DoesNotExist:
        raise Http404("No initiative found.") from None


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


PICK_LIMIT = 20  # initiatives an initiative picker shows at once
MAX_PICK_QUERY = 100


def initiative_choices(*, org: Organization, goal: Goal, with_budget: bool = False) -> QuerySet[Initiative]:
    """The initiatives a plan's pickers accept (a dependency's two ends, a budget move's target):
    the goal's own; ``with_budget``: only those that have budget to give (a budget move's source)."""
    qs = Initiative.objects.filter(org=org, goal=goal)
    return qs.filter(budget__gt=0) if with_budget else qs


def initiative_search(
    *, org: Organization, goal: Goal, text: str, with_budget: bool = False, limit: int = PICK_LIMIT
) -> list[dict[str, Any]]:
    """The first `limit` initiatives of the goal's plan (initiative_choices) whose title contains
    every word of `text` (any case), in the plan's order, as rows (pk, title, dimension, budget).
    One query."""
    qs = initiative_choices(org=org, goal=goal, with_budget=with_budget)
    for word in text.strip()[:MAX_PICK_QUERY].split():
        qs = qs.filter(title__icontains=word)
    ordered = qs.order_by("dimension__position", "dimension_id", "position", "id")
    rows: list[dict[str, Any]] = [
        dict(r) for r in ordered.values("pk", "title", "dimension__name", "budget")[:limit]
    ]
    return rows
