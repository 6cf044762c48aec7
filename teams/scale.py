"""Large generated data for benchmarks (`manage.py seed_scale`): one organisation with 50 teams
and `people` people (500 by default), written with bulk inserts. Later apps extend it through
`seed_scale_extensions` — the payroll extension (incentives.scale) tops the organisation up to
STRETCH_SCALE_PAYROLL people, 5,000 by default — so the result counts the people at the end."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Membership, Organization, Role, Team, User

SCALE_ORG_SLUG = "scale"
SCALE_PASSWORD = "stretch-scale-2026"  # noqa: S105 - documented benchmark password


@dataclass(frozen=True)
class ScaleResult:
    org: Organization
    teams: int
    people: int
    created: bool


seed_scale_extensions: list[Callable[[Organization, random.Random], None]] = []
# Called with the organisation before --reset deletes it (apps remove rows that protect it).
seed_scale_resets: list[Callable[[Organization], None]] = []


@transaction.atomic
def seed_scale(*, people: int = 500, teams: int = 50, seed: int = 42, reset: bool = False) -> ScaleResult:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    existing = Organization.objects.filter(slug=SCALE_ORG_SLUG).first()
    if existing and reset:
        emails = list(User.objects.filter(email__endswith="@scale.stretch").values_list("pk", flat=True))
        for reset_app in seed_scale_resets:
            reset_app(existing)
        existing.delete()
        User.objects.filter(pk__in=emails).delete()
        existing = None
    if existing:
        return ScaleResult(
            org=existing, teams=existing.teams.count(), people=existing.memberships.count(), created=False
        )

    org = Organization.objects.create(
        name="Scale Corp",
        slug=SCALE_ORG_SLUG,
        timezone="Asia/Shanghai",
        currency="CNY",
        default_language="en",
    )
    # 5 divisions, the rest nested under them.
    divisions = max(1, teams // 10)
    top = Team.objects.bulk_create([Team(org=org, name=f"Division {i + 1}") for i in range(divisions)])
    subs = Team.objects.bulk_create(
        [Team(org=org, name=f"Team {i + 1}", parent=top[i % divisions]) for i in range(teams - divisions)]
    )
    all_teams = [*top, *subs]

    password = make_password(SCALE_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(email=f"person{i:04d}@scale.stretch", display_name=f"Person {i:04d}", password=password)
            for i in range(people)
        ]
    )
    roles = [Role.ADMIN] * 2 + [Role.HR] * 5 + [Role.VIEWER] * 10
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                org=org,
                user=user,
                role=roles[i] if i < len(roles) else (Role.MANAGER if i % 10 == 0 else Role.MEMBER),
                employee_number=f"E{i:05d}",
            )
            for i, user in enumerate(users)
        ]
    )
    through = Membership.teams.through
    links = []
    for i, membership in enumerate(memberships):
        team = subs[i % len(subs)] if subs else top[0]
        links.append(through(membership_id=membership.pk, team_id=team.pk))
        if rng.random() < 0.1:  # some people sit in two teams
            links.append(through(membership_id=membership.pk, team_id=rng.choice(top).pk))
    through.objects.bulk_create(links, ignore_conflicts=True)
    manager_through = Team.managers.through
    managers = [m for m in memberships if m.role == Role.MANAGER]
    manager_through.objects.bulk_create(
        [
            manager_through(team_id=team.pk, membership_id=managers[i % len(managers)].pk)
            for i, team in enumerate(all_teams)
        ]
    )
    for extend in seed_scale_extensions:
        extend(org, rng)
    people_now = Membership.objects.filter(org=org).count()  # the extensions may have added people
    return ScaleResult(org=org, teams=len(all_teams), people=people_now, created=True)
