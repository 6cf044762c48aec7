"""A team with its manager (陈经理) and two members (张三, 李四), and a series between 陈经理 and 张三."""

from __future__ import annotations

from datetime import timedelta

import pytest

from people import services
from people.models import Cadence
from teams.models import Role
from teams.selectors import org_today
from tests import factories


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
def other_lead(org):
    person = factories.member(org, Role.MANAGER, name="Sun Elsewhere")
    factories.team(org, "Sales", managers=[person])
    return person


@pytest.fixture
def today(org):
    return org_today(org)


@pytest.fixture
def series(lead, ops, zhang, today):
    return services.series_start(actor=lead, team=ops, member=zhang, cadence=Cadence.BIWEEKLY,
                                 next_date=today + timedelta(days=1))  # fmt: skip


@pytest.fixture
def meeting(series):
    return series.meetings.get()
