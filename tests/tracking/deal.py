"""A team and a goal that tests of several tracking subjects share: Sales, below Commercial (which
the manager manages, so their rights reach Sales through the team above), with the member in it;
and its active goal "Deal value", 45 days behind and 45 ahead, 900 / 1,000 / 1,200."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import NamedTuple

from goals.models import Goal
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from tests import factories
from tracking import services


class Deal(NamedTuple):
    team: Team
    goal: Goal


def sales_deal(org: Organization, manager: Membership, member: Membership) -> Deal:
    team = factories.team(org, "Sales", parent=factories.team(org, "Commercial", managers=[manager]))
    member.teams.add(team)
    today = org_today(org)
    goal = factories.goal(org, manager, team=team, title="Deal value", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900), challenge=D(1000), stretch=D(1200),
                          status="active")  # fmt: skip
    return Deal(team, goal)


def fall_behind(org: Organization, actor: Membership, goal: Goal) -> None:
    """9.6 a day for the 46 days so far: about 10.7 % behind."""
    today = org_today(org)
    services.entries_save(org=org, actor=actor, rows=[services.EntryInput(
        goal_id=goal.pk, value="9.6", day=(today - timedelta(days=n)).isoformat()) for n in range(46)])  # fmt: skip
    services.indicators_recompute(org=org, since=goal.start_date)
