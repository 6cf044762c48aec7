"""2,000 goals with targets for the scale organisation (`manage.py seed_scale`), bulk-inserted:
10 strategy goals, 490 team goals serving them (with monthly targets), 1,500 personal goals."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from teams.models import Membership, Organization, Team

from .models import Goal, PeriodTarget, Scope, Status, TargetVersion
from .periods import months
from .progress_cache import progress_changed

STRATEGY, TEAM_GOALS, PERSONAL = 10, 490, 1500


def seed_goal_scale(org: Organization, rng: random.Random) -> None:
    progress_changed(org_id=org.pk)  # bulk writes send no signal
    if Goal.objects.filter(org=org).exists():
        return
    teams = list(Team.objects.filter(org=org).order_by("pk"))
    members = list(Membership.objects.filter(org=org).order_by("pk"))
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    year_start, year_end = date(2026, 1, 1), date(2026, 12, 31)

    def make(i: int, scope: str, parent: Goal | None, team: Team | None, owner: Membership) -> Goal:
        yearly = scope == Scope.STRATEGY
        return Goal(
            org=org, scope=scope, team=team, owner=owner, parent=parent, title=f"{scope.title()} goal {i:04d}",
            description="Generated for benchmarks.", rationale="" if parent else "Strategy.",
            metric_name=rng.choice(["New users", "Deal value", "Collection rate", "Orders"]), unit="units",
            period_kind="year" if yearly else "quarter", start_date=year_start if yearly else start,
            end_date=year_end if yearly else end, status=Status.ACTIVE,
        )  # fmt: skip

    strategy = Goal.objects.bulk_create(
        [make(i, Scope.STRATEGY, None, None, members[i % 5]) for i in range(STRATEGY)]
    )
    team_goals = Goal.objects.bulk_create(
        [make(i, Scope.TEAM, strategy[i % STRATEGY], teams[i % len(teams)], members[(i * 7) % len(members)])
         for i in range(TEAM_GOALS)]
    )  # fmt: skip
    personal = Goal.objects.bulk_create(
        [make(i, Scope.PERSONAL, team_goals[i % TEAM_GOALS], team_goals[i % TEAM_GOALS].team,
              members[i % len(members)]) for i in range(PERSONAL)]
    )  # fmt: skip
    versions = []
    for goal in [*strategy, *team_goals, *personal]:
        base = Decimal(rng.randrange(1000, 100000))
        versions.append(TargetVersion(goal=goal, number=1, base=base, challenge=base * Decimal("1.2"),
                                      stretch=base * Decimal("1.5"), effective_from=goal.start_date))  # fmt: skip
    versions = TargetVersion.objects.bulk_create(versions)
    slices = months(start, end)
    PeriodTarget.objects.bulk_create(
        [PeriodTarget(version=v, kind="month", start_date=s, end_date=e, base=v.base / 3, challenge=v.challenge / 3,
                      stretch=v.stretch / 3)
         for v in versions if v.goal.scope == Scope.TEAM for s, e in slices]
    )  # fmt: skip


def reset_goal_scale(org: Organization) -> None:
    progress_changed(org_id=org.pk)  # bulk writes and .update() send no signal
    Goal.objects.filter(org=org).update(parent=None)
    Goal.objects.filter(org=org).delete()
