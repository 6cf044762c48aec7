"""A team with its manager and three people, a month, and helpers that set data up through the
real services (goals, plans, tracking)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from goals import services as goal_services
from goals.models import PeriodTarget
from goals.services import SliceInput
from recognition import selectors
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.tracking.test_alerts import receiver  # noqa: F401 - the webhook receiver fixture
from tracking import services as tracking_services


@pytest.fixture
def ops(org):
    return factories.team(org, "Operations")


@pytest.fixture
def lead(org, ops):
    person = factories.member(org, Role.MANAGER, name="Chen Lead", teams=[ops])
    ops.managers.add(person)
    return person


@pytest.fixture
def zhang(org, ops):
    return factories.member(org, Role.MEMBER, name="Zhang San", teams=[ops])


@pytest.fixture
def li(org, ops):
    return factories.member(org, Role.MEMBER, name="Li Si", teams=[ops])


@pytest.fixture
def wang(org, ops):
    return factories.member(org, Role.MEMBER, name="Wang Wu", teams=[ops])


@pytest.fixture
def month(org):
    return selectors.current_month(org)


def weekly_goal(org, team, owner, *, week, title="Weekly sign-ups", direction="up"):
    """An active team goal around `week`, decomposed into weeks, with its week slice for `week`."""
    goal = factories.goal(
        org, owner, team=team, title=title, start_date=week - timedelta(days=14), end_date=week + timedelta(days=48),
        base=D(700), challenge=D(900), stretch=D(1100), direction=direction,
    )  # fmt: skip
    rows = goal_services.decomposition_preview(goal=goal, kind="week", method="even")
    goal_services.decomposition_apply(goal=goal, actor=owner, kind="week",
                                      rows=[SliceInput(s.start, s.end, s.base, s.challenge, s.stretch) for s in rows])  # fmt: skip
    goal_services.goal_set_status(goal=goal, actor=owner, status="active")
    goal.refresh_from_db()
    piece = PeriodTarget.objects.get(version__goal=goal, kind="week", start_date=week)
    return goal, piece


def log_value(org, actor, goal, day, value) -> None:
    tracking_services.entry_create(
        org=org,
        actor=actor,
        data=tracking_services.EntryInput(goal_id=goal.pk, value=str(value), day=day.isoformat()),
    )


def blocked_standup(person, day=None):
    day = day or org_today(person.org)
    return tracking_services.standup_submit(member=person, actor=person, data=tracking_services.StandupInput(
        day=day, today="Contracts", blockers="Waiting for legal review"))  # fmt: skip
