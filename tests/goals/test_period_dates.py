"""Choosing a goal's period (quarter, month, week, year) fills in its dates: the period around the
start already chosen, or today's, with the organisation's fiscal year start — by htmx as it is
chosen, and on saving when JavaScript is off."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from goals.models import Goal
from goals.periods import period_containing
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.html import form_data


@pytest.mark.parametrize(
    ("day", "kind", "fiscal", "span"),
    [
        (date(2027, 2, 10), "quarter", 1, (date(2027, 1, 1), date(2027, 3, 31))),
        (date(2027, 2, 10), "quarter", 4, (date(2027, 1, 1), date(2027, 3, 31))),  # Q4 of FY2026
        (date(2027, 5, 1), "quarter", 4, (date(2027, 4, 1), date(2027, 6, 30))),
        (date(2027, 2, 10), "year", 4, (date(2026, 4, 1), date(2027, 3, 31))),
        (date(2027, 4, 1), "year", 4, (date(2027, 4, 1), date(2028, 3, 31))),
        (date(2028, 2, 29), "month", 1, (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2027, 12, 31), "month", 1, (date(2027, 12, 1), date(2027, 12, 31))),
        (date(2027, 1, 3), "week", 1, (date(2026, 12, 28), date(2027, 1, 3))),  # a Sunday: its Monday week
        (date(2026, 12, 31), "quarter", 1, (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_the_period_around_a_day(day, kind, fiscal, span):
    assert period_containing(day, kind, fiscal_start_month=fiscal) == span


@pytest.fixture
def manager(org):
    return factories.member(org, Role.MANAGER, name="Chen Manager")


def test_choosing_a_period_answers_its_dates_for_the_form(org, manager):
    url = reverse("goal_period_dates", args=[org.slug])
    client = login(manager)
    response = client.get(url, {"period_kind": "month", "start_date": "2027-02-10"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger-After-Settle"] == "goal-dates-filled"
    assert 'name="start_date" value="2027-02-01"' in html and 'name="end_date" value="2027-02-28"' in html
    assert (
        html.count('hx-swap-oob="true"') == 2 and 'id="id_start_date"' in html and 'id="id_end_date"' in html
    )
    assert client.get(url, {"period_kind": "custom", "start_date": "2027-02-10"}).status_code == 204
    with time_machine.travel(datetime(2027, 8, 20, 12, tzinfo=ZoneInfo(org.timezone)), tick=False):
        # Dates that include today: today's month; dates elsewhere: the month at their start.
        around_today = login(manager).get(url, {"period_kind": "month", "start_date": "2027-07-01",
                                                "end_date": "2027-09-30"}).content.decode()  # fmt: skip
        elsewhere = login(manager).get(url, {"period_kind": "month", "start_date": "2028-01-01",
                                             "end_date": "2028-03-31"}).content.decode()  # fmt: skip
    assert 'value="2027-08-01"' in around_today and 'value="2027-08-31"' in around_today
    assert 'value="2028-01-01"' in elsewhere and 'value="2028-01-31"' in elsewhere
    with time_machine.travel(datetime(2027, 8, 20, 12, tzinfo=ZoneInfo(org.timezone)), tick=False):
        today = login(manager).get(url, {"period_kind": "quarter", "start_date": ""}).content.decode()
    assert 'value="2027-07-01"' in today and 'value="2027-09-30"' in today
    assert login(factories.member(org, Role.MEMBER)).get(url, {"period_kind": "week"}).status_code == 403


def test_the_goal_form_asks_for_the_dates_when_the_period_changes(org, manager):
    with time_machine.travel(datetime(2027, 8, 20, 12, tzinfo=ZoneInfo(org.timezone)), tick=False):
        html = login(manager).get(reverse("goal_create", args=[org.slug])).content.decode()
    assert f'hx-get="{reverse("goal_period_dates", args=[org.slug])}"' in html
    data = form_data(html, id="goal-form")
    assert data["period_kind"] == ["quarter"]
    assert (data["start_date"], data["end_date"]) == (["2027-07-01"], ["2027-09-30"])  # this quarter already


def test_without_javascript_saving_a_period_without_dates_takes_the_current_one(org, manager):
    org.fiscal_year_start_month = 4
    org.save()
    team = factories.team(org, "Operations", managers=[manager])
    form = {"title": "New users this quarter", "description": "Operations.", "scope": "team", "team": team.pk,
            "owner": manager.pk, "metric_name": "New users", "direction": "up", "aggregation": "sum",
            "period_kind": "quarter", "start_date": "", "end_date": "", "weight": "1", "base": "1",
            "challenge": "2", "stretch": "3", "rationale": "Growth"}  # fmt: skip
    with time_machine.travel(datetime(2027, 2, 10, 12, tzinfo=ZoneInfo(org.timezone)), tick=False):
        response = login(manager).post(reverse("goal_create", args=[org.slug]), form)
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.start_date, goal.end_date) == (
        date(2027, 1, 1),
        date(2027, 3, 31),
    )  # fiscal Q4 (April start)
    custom = login(manager).post(reverse("goal_create", args=[org.slug]), {**form, "period_kind": "custom"})
    assert custom.status_code == 400 and "start_date" in custom.context["form"].errors
