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
    org: Organization, role: str = Role.MEMBER, *, name: str | None = None, teams: list[Team] | None = None
) -> Membership:
    person = user(name=name)
    membership = Membership.objects.create(org=org, user=person, role=role)
    if teams:
        membership.teams.set(teams)
    return membership


def team(org: Organization, name: str | None = None, *, parent: Team | None = None) -> Team:
    return services.team_create(org=org, name=name or f"Team {next(_seq)}", parent=parent)
