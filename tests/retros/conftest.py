"""A sales team with its manager and two members, a quarter that ended, and helpers that set data
up through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from goals.periods import quarter_containing
from retros import services
from teams.models import Role
from teams.selectors import org_today
from tests import factories
from tests.tracking.test_alerts import receiver  # noqa: F401 - the webhook receiver fixture


@pytest.fixture
def sales(org):
    return factories.team(org, "Sales")


@pytest.fixture
def boss(org, sales):
    person = factories.member(org, Role.MANAGER, name="Chen Boss", teams=[sales])
    sales.managers.add(person)
    return person


@pytest.fixture
def zhang(org, sales):
    return factories.member(org, Role.MEMBER, name="Zhang San", teams=[sales])


@pytest.fixture
def li(org, sales):
    return factories.member(org, Role.MEMBER, name="Li Si", teams=[sales])


@pytest.fixture
def last_quarter(org) -> tuple[date, date]:
    start, _end = quarter_containing(org_today(org))
    return quarter_containing(start - timedelta(days=1))


@pytest.fixture
def quarter_goal(org, sales, boss, last_quarter):
    start, end = last_quarter
    return factories.goal(org, boss, team=sales, title="Quarterly deal value", start_date=start, end_date=end,
                          period_kind="quarter", base=D(1000), challenge=D(1200), stretch=D(1500), status="active")  # fmt: skip


@pytest.fixture
def retro(org, sales, boss, last_quarter, quarter_goal):
    start, end = last_quarter
    return services.retro_start(team=sales, actor=boss, kind="quarter", period_start=start, period_end=end)


@pytest.fixture
def anonymous_retro(org, sales, boss, quarter_goal):
    return services.retro_start(
        team=sales, actor=boss, kind="goal", goal_id=quarter_goal.pk, anonymous_cards=True
    )
