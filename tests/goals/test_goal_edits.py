"""Changing a goal: managing a team does not hand its active goal over (nor the approval of its
revisions); a parent's dates keep its sub-goals inside; moving a draft drops its old period
targets; numbers keep at most four decimals; closing records the result in the audit trail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from goals import selectors, services
from goals.models import Goal, PeriodTarget, Status
from goals.services import GoalInput, SliceInput
from teams.errors import NotAllowed
from teams.models import AuditEntry, Role
from tests import factories


def _input(goal, **changes) -> GoalInput:
    version = goal.versions.order_by("-number").first()
    values = {
        "title": goal.title, "owner": goal.owner, "start_date": goal.start_date, "end_date": goal.end_date,
        "base": version.base, "challenge": version.challenge, "stretch": version.stretch, "scope": goal.scope,
        "team": goal.team, "parent": goal.parent, "metric_name": goal.metric_name, "description": goal.description,
        "rationale": goal.rationale, "aggregation": goal.aggregation, "direction": goal.direction,
    }  # fmt: skip
    values.update(changes)
    return GoalInput(**values)


def decompose(goal, actor, kind="month", method="even"):
    rows = [SliceInput(s.start, s.end, s.base, s.challenge, s.stretch)
            for s in services.decomposition_preview(goal=goal, kind=kind, method=method)]  # fmt: skip
    services.decomposition_apply(goal=goal, actor=actor, kind=kind, rows=rows)


def test_a_manager_cannot_take_over_an_active_goal_to_approve_its_revisions(org, admin, manager):
    strategy = factories.goal(org, admin, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), status="active",
                              rationale="x")  # fmt: skip
    with pytest.raises(NotAllowed, match="company goal"):  # not theirs to change at all
        services.goal_update(goal=strategy, actor=manager, data=_input(strategy, owner=manager))
    assert Goal.objects.get(pk=strategy.pk).owner == admin
    team = factories.team(org, "T", managers=[manager])
    team_goal = factories.goal(org, manager, parent=strategy, team=team, scope="team", status="active")
    member = factories.member(org, Role.MEMBER, teams=[team])
    with pytest.raises(ValidationError) as excinfo:  # managing the team does not hand an active goal over
        services.goal_update(goal=team_goal, actor=manager, data=_input(team_goal, owner=member))
    assert "owner" in excinfo.value.message_dict
    revision = services.revision_request(
        goal=team_goal, requester=member, reason="market", comment="x", base=D(90), challenge=D(110), stretch=D(130),
        effective_from=date(2026, 2, 1),
    )  # fmt: skip
    assert not selectors.can_decide_revision(revision=revision, member=manager)  # owner of the goal itself
    with pytest.raises(NotAllowed, match="your own goal"):
        services.revision_decide(revision=revision, decider=manager, approve=True)
    services.revision_decide(revision=revision, decider=admin, approve=True)


def test_a_parent_cannot_shrink_around_its_children(org, manager):
    parent = factories.goal(
        org, manager, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), rationale="x"
    )
    factories.goal(org, manager, parent=parent, team=factories.team(org, "T"), scope="team",
                   start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        services.goal_update(goal=parent, actor=manager, data=_input(parent, end_date=date(2026, 3, 31)))
    assert "end_date" in excinfo.value.message_dict


def test_moving_a_draft_clears_its_old_period_targets(org, manager):
    goal = factories.goal(org, manager)
    decompose(goal, manager)
    services.goal_update(goal=goal, actor=manager, data=_input(goal, start_date=date(2026, 7, 1),
                                                               end_date=date(2026, 9, 30)))  # fmt: skip
    assert not PeriodTarget.objects.filter(version__goal=goal).exists()


def test_more_than_four_decimals_are_refused(org, manager):
    with pytest.raises(ValidationError) as excinfo:
        factories.goal(org, manager, base=D("33.33333"))
    assert "Use at most 4 decimal places." in excinfo.value.message_dict["base"]


def test_closing_records_the_result_in_the_audit_trail(org, manager):
    goal = factories.goal(org, manager, status=Status.ACTIVE)
    services.goal_set_status(goal=goal, actor=manager, status=Status.ACHIEVED, result_value=D(131))
    entry = AuditEntry.objects.get(action="goal.achieved")
    assert entry.changes["result_value"] == [None, "131"]
