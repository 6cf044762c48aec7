"""My work and the organisation overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum

from goals.models import Goal, Status
from goals.progress import goal_attainment
from plans.models import FINISHED, Initiative
from teams.models import Membership, Organization, Team

from ..models import (
    Alert,
    IndicatorSnapshot,
    IndicatorStatus,
    MetricEntry,
)
from .alerts import action_list
from .standups import contributing_goals, standup_get
from .values import latest_snapshots, newest_snapshot_day


# --- My work and the organisation overview --------------------------------------------------------
@dataclass
class Contribution:
    goal: Goal
    mine: Decimal
    total: Decimal | None
    status: str

    @property
    def status_label(self) -> str:
        return str(IndicatorStatus(self.status).label)

    @property
    def share(self) -> Decimal | None:
        if self.total is None or self.total <= 0 or self.goal.aggregation != "sum":
            return None
        return (self.mine / self.total * 100).quantize(Decimal("0.1"))


def my_work(*, member: Membership, today: date) -> dict[str, Any]:
    """A member's page: today's stand-up, their initiatives, their open corrective actions and what
    their own values add to each goal they work on."""
    goals = contributing_goals(member=member)
    ids = [g.pk for g in goals]
    mine = dict(
        MetricEntry.objects.filter(goal_id__in=ids, member=member, supporting_metric__isnull=True, day__lte=today,
                                   day__gte=F("goal__start_date"))
        .values_list("goal_id")
        .annotate(total=Sum("value"))
        .order_by()
    )  # fmt: skip
    newest = latest_snapshots(org=member.org, goal_ids=ids)
    contributions = []
    for goal in goals:
        snapshot = newest.get((goal.pk, 0))
        contributions.append(Contribution(goal=goal, mine=mine.get(goal.pk) or Decimal(0),
                                          total=snapshot.actual if snapshot else None,
                                          status=snapshot.status if snapshot else "no_data"))  # fmt: skip
    return {
        "standup": standup_get(member=member, day=today),
        "initiatives": list(
            Initiative.objects.filter(org=member.org, owner=member).exclude(status__in=FINISHED)
            .select_related("goal").order_by("due_date", "id")[:50]
        ),
        "actions": list(action_list(org=member.org).filter(owner=member, state="open")[:50]),
        "contributions": contributions,
    }  # fmt: skip


@dataclass
class TeamSummary:
    team: Team
    goals: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    no_data: int = 0
    open_alerts: int = 0
    members: int = 0
    checked_in: int = 0

    @property
    def check_in_pct(self) -> int | None:
        return None if not self.members else round(self.checked_in * 100 / self.members)


def org_overview(*, org: Organization, today: date) -> list[TeamSummary]:
    """Per team: active goals by status (a goal without values of its own counts with the status
    rolled up from its sub-goals), open alerts and today's check-ins: a fixed number of queries."""
    teams = {t.pk: TeamSummary(team=t) for t in Team.objects.filter(org=org).order_by("name")}
    goals = list(
        Goal.objects.filter(org=org, status=Status.ACTIVE, team__isnull=False).values_list("pk", "team_id")
    )
    lagging: dict[int, str] = dict(
        IndicatorSnapshot.objects.filter(
            org=org, metric_key=0, goal_id__in=[pk for pk, _t in goals], day=newest_snapshot_day()
        ).values_list("goal_id", "status")
    )
    # A goal without values of its own takes the status rolled up from its sub-goals.
    silent = [pk for pk, _t in goals if lagging.get(pk, "no_data") == "no_data"]
    rolled = {pk: a.status for pk, a in goal_attainment(org=org, goal_ids=silent).items() if a.status}
    for goal_id, team_id in goals:
        summary = teams.get(team_id)
        if summary is None:
            continue
        summary.goals += 1
        status = rolled.get(goal_id) or lagging.get(goal_id, "no_data")
        setattr(summary, status, getattr(summary, status) + 1)
    for team_id, count in (
        Alert.objects.filter(org=org, team__isnull=False).exclude(state="resolved").values_list("team_id")
        .annotate(n=Count("id")).order_by()
    ):  # fmt: skip
        if team_id in teams:
            teams[team_id].open_alerts = count
    through = Membership.teams.through
    members = through.objects.filter(team__org=org, membership__is_active=True, membership__role="member")
    for team_id, count in members.values_list("team_id").annotate(n=Count("membership_id")).order_by():
        teams[team_id].members = count
    checked = members.filter(membership__standups__day=today)
    for team_id, count in (
        checked.values_list("team_id").annotate(n=Count("membership_id", distinct=True)).order_by()
    ):
        teams[team_id].checked_in = count
    return list(teams.values())
