"""An organisation with nested teams, for the tests of who changes what: team A with its sub-team
A1 (both reached by A's manager), and team B with its own manager; a goal in A1 and a goal in B,
both active around today, and a personal goal of an A1 member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal as D

from goals.models import Goal
from teams.models import Membership, Organization, Role, Team
from teams.selectors import org_today

from . import factories


@dataclass
class TeamWorld:
    org: Organization
    admin: Membership
    manager_a: Membership  # manages A, so also A1
    manager_b: Membership  # manages B only: "a manager of another team" for A's things
    member_a1: Membership
    viewer: Membership
    team_a: Team
    team_a1: Team
    team_b: Team
    goal_a1: Goal
    goal_b: Goal
    personal_a1: Goal


def team_world(org: Organization) -> TeamWorld:
    admin = factories.member(org, Role.ADMIN, name="Ada Admin")
    manager_a = factories.member(org, Role.MANAGER, name="Alice Manager")
    manager_b = factories.member(org, Role.MANAGER, name="Bob Manager")
    team_a = factories.team(org, "A", managers=[manager_a])
    team_a1 = factories.team(org, "A1", parent=team_a)
    team_b = factories.team(org, "B", managers=[manager_b])
    manager_a.teams.add(team_a)
    manager_b.teams.add(team_b)
    member_a1 = factories.member(org, Role.MEMBER, name="Amy Member", teams=[team_a1])
    viewer = factories.member(org, Role.VIEWER, name="Vic Viewer")
    today = org_today(org)
    period = {"start_date": today - timedelta(days=20), "end_date": today + timedelta(days=70)}
    goal_a1 = factories.goal(org, manager_a, actor=admin, team=team_a1, scope="team", title="A1 goal",
                             status="active", **period)  # fmt: skip
    goal_b = factories.goal(org, manager_b, actor=admin, team=team_b, scope="team", title="B goal",
                            status="active", **period)  # fmt: skip
    personal_a1 = factories.goal(org, member_a1, actor=admin, parent=goal_a1, scope="personal", title="Amy's share",
                                 base=D(10), challenge=D(12), stretch=D(15), status="active", **period)  # fmt: skip
    return TeamWorld(org=org, admin=admin, manager_a=manager_a, manager_b=manager_b, member_a1=member_a1,
                     viewer=viewer, team_a=team_a, team_a1=team_a1, team_b=team_b, goal_a1=goal_a1,
                     goal_b=goal_b, personal_a1=personal_a1)  # fmt: skip
