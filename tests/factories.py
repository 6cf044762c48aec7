"""Test data through the real services wherever a service exists."""

from __future__ import annotations

import itertools

from teams import services
from teams.models import Membership, Organization, Role, Team, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def user(
    *, name: str | None = None, email: str | None = None, password: str = PASSWORD, **extra: object
) -> User:
    n = next(_seq)
    return User.objects.create_user(
        email or f"user{n}@example.com", password, display_name=name or f"User {n}", **extra
    )


def organization(
    *, name: str | None = None, slug: str | None = None, creator: User | None = None, **extra
) -> Organization:
    n = next(_seq)
    creator = creator or user(name=f"Founder {n}")
    return services.organization_create(
        name=name or f"Org {n}", slug=slug or f"org-{n}", creator=creator, default_language="en", **extra
    )


def member(
    org: Organization,
    role: str = Role.MEMBER,
    *,
    name: str | None = None,
    teams: list[Team] | None = None,
    email: str | None = None,
) -> Membership:
    person = user(name=name, email=email)
    membership = Membership.objects.create(org=org, user=person, role=role)
    if teams:
        membership.teams.set(teams)
    return membership


def team(
    org: Organization, name: str | None = None, *, parent: Team | None = None, managers: list[Membership] = ()
) -> Team:
    return services.team_create(org=org, name=name or f"Team {next(_seq)}", parent=parent, managers=managers)


def goal(org: Organization, owner: Membership | None = None, *, actor: Membership | None = None, **fields):
    """A goal through the real service (draft unless status= is given)."""
    from datetime import date
    from decimal import Decimal

    from goals import services as goal_services
    from goals.models import Scope

    status = fields.pop("status", None)
    owner = owner or member(org, Role.MANAGER)
    defaults = {
        "title": f"Goal {next(_seq)}",
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 3, 31),
        "base": Decimal("100"),
        "challenge": Decimal("120"),
        "stretch": Decimal("150"),
        "scope": Scope.STRATEGY if fields.get("parent") is None and "team" not in fields else Scope.TEAM,
        "metric_name": "New users",
        "description": "More people sign up.",
    }
    defaults.update(fields)
    actor = actor or _setter(org, owner, defaults.get("team"), defaults["scope"])
    created = goal_services.goal_create(
        org=org, actor=actor, data=goal_services.GoalInput(owner=owner, **defaults)
    )
    if status:
        goal_services.goal_set_status(goal=created, actor=actor, status=status)
        created.refresh_from_db()
    return created


def _setter(org: Organization, owner: Membership, team: Team | None, scope: str) -> Membership:
    """Who sets a goal up when the test does not say: its owner where the rule lets them (a
    company goal, a team they manage), otherwise the organisation's founding admin."""
    from goals.models import Goal
    from goals.selectors import can_change_goal

    draft = Goal(org=org, team=team, owner=owner, scope=scope)
    if can_change_goal(member=owner, goal=draft):
        return owner
    return Membership.objects.filter(org=org, role=Role.ADMIN, is_active=True).order_by("pk").first() or owner


def band_fields(rows, *, initial: int = 0) -> dict[str, str]:
    """The scheme form's commission band rows (from %, to %, rate %) as posted by the page."""
    data = {"bands-TOTAL_FORMS": str(len(rows)), "bands-INITIAL_FORMS": str(initial),
            "bands-MIN_NUM_FORMS": "0", "bands-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for index, (start, end, rate) in enumerate(rows):
        data.update({f"bands-{index}-start": start, f"bands-{index}-end": end, f"bands-{index}-rate": rate})
    return data
