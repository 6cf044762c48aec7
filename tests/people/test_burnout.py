"""The person-level burnout signal: every factor with its numbers, the level they add up to, the
suggestions — and the signal shown only to the two people of the one-on-one."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from people.burnout import burnout_signal, recent_working_days
from teams.models import Role
from tests import factories
from tests.conftest import login

FRIDAY = date(2027, 3, 12)
SINCE = FRIDAY - timedelta(weeks=6)


def signal(**overrides):
    every_weekday = recent_working_days(FRIDAY)
    base = {"today": FRIDAY, "moods": [D("3.8"), D("3.9")], "paces": [D(110)], "late_initiatives": 0,
            "overdue_actions": 0, "standup_days": every_weekday, "since": SINCE}  # fmt: skip
    return burnout_signal(**{**base, **overrides})


def factor(result, key):
    return next(f for f in result.factors if f.key == key)


def test_a_calm_person_has_a_low_signal_and_nothing_to_suggest():
    result = signal()
    assert (
        result.score == 0
        and result.level == "low"
        and result.talking_points == []
        and not result.manager_actions
    )


def test_a_falling_mood_counts_and_says_from_what_to_what():
    result = signal(moods=[D("3.8"), D("3.1"), D("2.4")])
    mood = factor(result, "mood")
    assert mood.points == 2 and "3.8" in mood.explanation and "2.4" in mood.explanation
    assert factor(signal(moods=[D("2.0")]), "mood").points == 1  # low without a trend


def test_stretch_load_is_the_share_of_goals_behind_pace():
    result = signal(paces=[D(70), D(90), D(120), None])
    stretch = factor(result, "stretch")
    assert stretch.points == 2 and "2 of 3 goals" in stretch.explanation
    assert factor(signal(paces=[D(95), D(120), D(130)]), "stretch").points == 1
    assert "Rebalance initiatives" in result.manager_actions[0]


def test_overdue_initiatives_and_actions_add_up():
    result = signal(late_initiatives=2, overdue_actions=1)
    overdue = factor(result, "overdue")
    assert overdue.points == 2 and "2 late initiatives and 1 overdue actions" in overdue.explanation


def test_missed_stand_ups_over_the_last_ten_working_days():
    days = recent_working_days(FRIDAY)
    assert len(days) == 10 and all(d.weekday() < 5 for d in days) and days[-1] == FRIDAY - timedelta(days=1)
    result = signal(standup_days=days[:4])
    missed = factor(result, "missed")
    assert missed.points == 2 and "Missed 6 of the last 10" in missed.explanation


def test_stand_ups_and_values_on_non_working_days_count():
    saturday = FRIDAY - timedelta(days=6)
    result = signal(standup_days=[*recent_working_days(FRIDAY), saturday, saturday - timedelta(days=7)],
                    value_days=[saturday, saturday - timedelta(days=6)])  # fmt: skip
    off = factor(result, "off_days")
    assert off.points == 2 and "3 non-working days" in off.explanation  # the same Saturday counts once
    # A team that works Sunday to Thursday: its Fridays are days off, its Sundays are not.
    sunday_team = signal(
        standup_days=[FRIDAY - timedelta(days=7), saturday + timedelta(days=1)], working="71234"
    )
    assert "on 1 non-working day" in factor(sunday_team, "off_days").explanation


def test_open_alerts_count_and_suggest_the_manager_act():
    result = signal(open_alerts=3)
    alerts = factor(result, "alerts")
    assert alerts.points == 2 and "3 open alerts" in alerts.explanation
    assert result.manager_actions and factor(signal(open_alerts=1), "alerts").points == 1


def test_missed_stand_ups_follow_the_teams_working_days():
    sunday_to_thursday = recent_working_days(FRIDAY, working="71234")
    assert (
        all(d.isoweekday() in (7, 1, 2, 3, 4) for d in sunday_to_thursday) and len(sunday_to_thursday) == 10
    )
    assert factor(signal(standup_days=sunday_to_thursday, working="71234"), "missed").points == 0
    assert recent_working_days(FRIDAY, working="") == []  # no working day: nothing missed, no endless loop


def test_the_level_adds_the_factors_up():
    result = signal(moods=[D("4"), D("2.2")], paces=[D(60)], late_initiatives=3,
                    standup_days=recent_working_days(FRIDAY)[:2])  # fmt: skip
    assert result.score >= 4 and result.level == "high"
    assert len(result.talking_points) == 4


@pytest.mark.django_db
def test_the_signal_is_shown_to_the_two_people_only(org, series, lead, zhang):
    page = reverse("people_series", args=[org.slug, series.pk])
    assert 'data-testid="burnout"' in login(zhang).get(page).content.decode()
    assert 'data-testid="burnout"' in login(lead).get(page).content.decode()
    admin = factories.member(org, Role.ADMIN)  # reads the shared agenda, not the signal
    response = login(admin).get(page)
    assert response.status_code == 200 and 'data-testid="burnout"' not in response.content.decode()
