"""The team-level burnout signal (load and wellbeing): every factor with its numbers, added up over
the team's people; the pulse trend only where the anonymity rule shows it; who reads it (the team's
managers, HR and admins, aggregated); the API; and a fixed number of queries for a 40-person team."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from people.burnout import PersonLoad, recent_working_days, team_signal
from people.models import Pulse, PulseAnswer, PulseQuestion
from people.selectors.load import pulse_trends, team_loads
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.queries import queries_for
from tracking.models import Alert, Standup

FRIDAY = date(2027, 3, 12)
SINCE = FRIDAY - timedelta(weeks=6)
EVERY_DAY = recent_working_days(FRIDAY)


def person(**overrides):
    base = {"paces": [D(110)], "late_initiatives": 0, "overdue_actions": 0, "open_alerts": 0,
            "standup_days": EVERY_DAY, "value_days": []}  # fmt: skip
    return PersonLoad(**{**base, **overrides})


def signal(people=None, moods=(D("3.8"), D("3.9")), pulse=None):
    return team_signal(today=FRIDAY, since=SINCE, people=people or [person(), person()], moods=list(moods),
                       pulse=pulse or {})  # fmt: skip


def factor(result, key):
    return result.factor(key)


def test_a_calm_team_has_a_low_signal():
    result = signal()
    assert result.level == "low" and result.score == 0 and not result.manager_actions
    assert [f.key for f in result.factors] == [
        "mood",
        "pulse",
        "stretch",
        "overdue",
        "alerts",
        "missed",
        "off_days",
    ]


def test_team_mood_falling():
    mood = factor(signal(moods=[D("4.0"), D("3.2")]), "mood")
    assert mood.points == 1 and "from 4.0 to 3.2" in mood.explanation


def test_team_pulse_trend_falling():
    pulse = factor(signal(pulse={"workload": (D("3.9"), D("2.4"), 5)}), "pulse")
    assert pulse.points == 2 and "workload" in pulse.explanation and "3.9" in pulse.explanation
    assert "5 pulses" in pulse.explanation
    assert factor(signal(pulse={"workload": (D("3.9"), D("3.8"), 3)}), "pulse").points == 0


def test_team_stretch_load_counts_goals_and_people_behind():
    stretched = person(paces=[D(60), D(80)])
    result = signal(people=[stretched, person(paces=[D(120), None])])
    stretch = factor(result, "stretch")
    assert (
        stretch.points == 2
        and "2 of 3 goals" in stretch.explanation
        and "1 of 2 people" in stretch.explanation
    )
    assert "Rebalance initiatives" in result.manager_actions[0]


def test_team_overdue_work_and_alerts():
    result = signal(
        people=[person(late_initiatives=2, overdue_actions=1, open_alerts=2), person(open_alerts=1)]
    )
    overdue, alerts = factor(result, "overdue"), factor(result, "alerts")
    assert (
        overdue.points == 2
        and "2 late initiatives and 1 overdue actions across 2 people" in overdue.explanation
    )
    assert alerts.points == 2 and "3 open alerts" in alerts.explanation


def test_team_missed_stand_ups_as_a_rate():
    result = signal(people=[person(standup_days=EVERY_DAY[:4]), person(standup_days=EVERY_DAY[:5])])
    missed = factor(result, "missed")
    assert (
        missed.points == 2
        and "11 of 20 stand-ups missed" in missed.explanation
        and "(55%)" in missed.explanation
    )


def test_team_work_on_days_off():
    saturday = FRIDAY - timedelta(days=6)
    result = signal(
        people=[person(value_days=[saturday]), person(standup_days=[*EVERY_DAY, saturday + timedelta(1)])]
    )
    off = factor(result, "off_days")
    assert off.points == 2 and "2 of 2 people" in off.explanation and "(2 days in all)" in off.explanation


# --- Reading it -----------------------------------------------------------------------------------
@pytest.fixture
def url(org):
    return reverse("people_team_load", args=[org.slug])


def test_the_team_signal_from_the_data(org, ops, lead, zhang, li, today, series):
    saturday = today - timedelta(days=today.weekday() + 2)
    Standup.objects.create(org=org, member=zhang, day=saturday, today="Weekend push", mood=2)
    goal = factories.goal(org, zhang, actor=lead, team=ops, scope="team", status="active")
    Alert.objects.create(org=org, kind="lagging_behind", dedupe_key="t", goal=goal, raised_on=today)
    [load] = team_loads(org=org, teams=[ops], viewer=lead)
    assert load.size == 3 and load.signal.factor("alerts").points == 1
    assert (
        "1 of 3 people logged stand-ups or values on non-working days"
        in load.signal.factor("off_days").explanation
    )
    assert load.signal.factor("missed").points == 2  # nobody else logged a stand-up
    assert [t.member for t in load.talk_to] == [zhang]  # the lead holds one-on-ones with 张三 only
    assert team_loads(org=org, teams=[ops], viewer=factories.member(org, Role.HR))[0].talk_to == []


def _pulse(org, team, today, scores, *, weeks_ago):
    pulse = Pulse.objects.create(org=org, team=team, opens_on=today - timedelta(weeks=weeks_ago, days=3),
                                 closes_on=today - timedelta(weeks=weeks_ago), threshold=3)  # fmt: skip
    question = PulseQuestion.objects.create(org=org, pulse=pulse, key="workload-1", topic="workload")
    PulseAnswer.objects.bulk_create([PulseAnswer(org=org, pulse=pulse, question=question, team=team, score=s)
                                     for s in scores])  # fmt: skip


def test_the_pulse_trend_shows_only_groups_the_anonymity_rule_shows(org, ops, today):
    _pulse(org, ops, today, [4, 4, 4, 4], weeks_ago=3)
    _pulse(org, ops, today, [2, 2, 3, 2], weeks_ago=1)
    assert pulse_trends(org=org, team_ids=[ops.pk], today=today) == {
        ops.pk: {"workload": (D("4.0"), D("2.2"), 2)}
    }
    _pulse(org, ops, today, [1, 1], weeks_ago=0)  # closes today: not closed yet
    sales = factories.team(org, "Sales")
    _pulse(org, sales, today, [1, 1], weeks_ago=1)  # two answers: below the threshold of 3
    assert pulse_trends(org=org, team_ids=[sales.pk], today=today) == {}


def test_who_reads_the_team_load(org, ops, lead, zhang, other_lead, other_org, url):
    team_url = f"{url}?team={ops.pk}"
    page = login(lead).get(team_url)
    assert page.status_code == 200 and 'data-testid="team-load"' in page.content.decode()
    assert login(factories.member(org, Role.HR)).get(team_url).status_code == 200
    assert login(factories.member(org, Role.ADMIN)).get(team_url).status_code == 200
    assert login(other_lead).get(team_url).status_code == 403  # another team's manager
    assert "Operations" not in login(other_lead).get(url).content.decode()  # only the teams they manage
    assert login(zhang).get(team_url).status_code == 403
    assert login(lead).get(f"{url}?team={factories.team(other_org, 'X').pk}").status_code == 404


def test_the_api_gives_each_teams_factors(org, ops, lead, zhang, other_lead):
    api = reverse("team-burnout", args=[org.slug])
    rows = login(lead).get(api).json()
    assert [r["team_name"] for r in rows] == ["Operations"] and rows[0]["people"] == 2
    assert {f["key"] for f in rows[0]["factors"]} == {"mood", "pulse", "stretch", "overdue", "alerts", "missed",
                                                      "off_days"}  # fmt: skip
    assert login(other_lead).get(api, {"team": ops.pk}).status_code == 403
    assert login(zhang).get(api).status_code == 403
    bad = login(lead).get(api, {"team": "x"})
    assert bad.status_code == 400 and bad.json()["attr"] == "team"


def _crowd(org, ops, today, n):
    people = [factories.member(org, Role.MEMBER, teams=[ops]) for _ in range(n)]
    for p in people:
        factories.goal(org, p, team=ops, scope="team", status="active", start_date=today - timedelta(days=20),
                       end_date=today + timedelta(days=40))  # fmt: skip
        Standup.objects.create(org=org, member=p, day=today - timedelta(days=1), today="Work", mood=3)
    return people


def test_a_40_person_team_costs_a_fixed_number_of_queries(org, ops, lead, today, url):
    client = login(lead)
    page, api = f"{url}?team={ops.pk}", reverse("team-burnout", args=[org.slug]) + f"?team={ops.pk}"
    _crowd(org, ops, today, 3)
    few = (queries_for(client, page), queries_for(client, api))
    _crowd(org, ops, today, 37)
    assert (queries_for(client, page), queries_for(client, api)) == few
    assert login(lead).get(api).json()[0]["people"] == 41
