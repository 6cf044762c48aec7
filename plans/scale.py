"""10,000 initiatives for the scale organisation (`manage.py seed_scale`), bulk-inserted across
the team goals, with dimensions, some dependencies, milestones and experiments. The first team
goal gets a 500-initiative plan, which `make bench` uses for the plan table and the Gantt."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from goals.models import Goal, Scope
from teams.models import Membership, Organization

from .models import Dependency, Dimension, Initiative, Need, Priority, Status
from .services import OWNER_ROLES

INITIATIVES = 10000
BIG_PLAN = 500  # initiatives on the first team goal


def seed_plan_scale(org: Organization, rng: random.Random) -> None:
    if Initiative.objects.filter(org=org).exists():
        return
    goals = list(Goal.objects.filter(org=org, scope=Scope.TEAM).order_by("pk"))
    # Owners report progress, so they are admins, managers or members (never viewers or HR).
    members = list(Membership.objects.filter(org=org, role__in=OWNER_ROLES).order_by("pk"))
    if not goals or not members:
        return
    dimensions = Dimension.objects.bulk_create(
        [
            Dimension(goal=g, name=name, position=i)
            for g in goals
            for i, name in enumerate(("Acquisition", "Retention"))
        ]
    )
    dims_by_goal: dict[int, list[Dimension]] = {}
    for d in dimensions:
        dims_by_goal.setdefault(d.goal_id, []).append(d)
    rows = []
    for n in range(INITIATIVES):
        # The first team goal carries a 500-row plan (the benchmark's big plan and team Gantt);
        # the rest are spread over the other goals.
        goal = goals[0] if n < BIG_PLAN or len(goals) == 1 else goals[1 + n % (len(goals) - 1)]
        span = (goal.end_date - goal.start_date).days
        start = goal.start_date + timedelta(days=rng.randrange(max(span - 7, 1)))
        due = min(
            start + timedelta(days=rng.randrange(3, 35)),
            goal.end_date + timedelta(days=rng.choice([0, 0, 0, 10])),
        )
        rows.append(Initiative(
            org=org, goal=goal, dimension=rng.choice(dims_by_goal[goal.pk]), title=f"Initiative {n:05d}",
            owner=members[rng.randrange(len(members))], start_date=start, due_date=due, baseline_start=start,
            baseline_due=due, budget=Decimal(rng.choice([0, 0, 1000, 5000, 20000])) or None,
            needs=[rng.choice(Need.values)] if rng.random() < 0.5 else [], priority=rng.choice(Priority.values),
            status=rng.choice([Status.NOT_STARTED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.DONE]),
            progress=rng.randrange(0, 101, 10), is_milestone=rng.random() < 0.05, is_experiment=rng.random() < 0.03,
            position=n,
        ))  # fmt: skip
    created = Initiative.objects.bulk_create(rows, batch_size=1000)
    by_goal: dict[int, list[Initiative]] = {}
    for item in created:
        by_goal.setdefault(item.goal_id, []).append(item)
    links = []
    for items in by_goal.values():
        for i in range(1, len(items)):
            if rng.random() < 0.3:
                links.append(Dependency(predecessor=items[rng.randrange(i)], successor=items[i]))
    Dependency.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)


def reset_plan_scale(org: Organization) -> None:
    Dependency.objects.filter(successor__org=org).delete()
    Initiative.objects.filter(org=org).delete()
