"""The pulse trend by team: under the anonymity rule (a team below the threshold, or one that
subtraction would reveal, shows no figure), drawn as a chart with the same figures in a table, and
read in a fixed number of queries however many weeks and answers there are (aggregated in SQL, and
a closed pulse's spread kept in the cache)."""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from people import selectors, services
from people.models import PulseAnswer
from teams.models import Role
from tests import factories
from tests.queries import pinned_queries, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(org):
    return factories.member(org, Role.HR, name="Zhou HR")


def crew(org, name, size):
    team = factories.team(org, name)
    return team, [factories.member(org, Role.MEMBER, teams=[team]) for _ in range(size)]


def answer_all(pulse, people, score):
    keys = list(pulse.questions.values_list("key", flat=True))
    for person in people:
        services.pulse_answer(pulse=pulse, member=person, scores=dict.fromkeys(keys, score))


def test_a_team_that_subtraction_would_reveal_has_no_trend_point(org, hr, today):
    (alpha, a), (beta, b), (gamma, g) = crew(org, "Alpha", 6), crew(org, "Beta", 5), crew(org, "Gamma", 2)
    pulse = services.pulse_create(actor=hr, team=None, opens_on=today, closes_on=today)
    answer_all(pulse, a, 4)
    answer_all(pulse, b, 3)
    answer_all(pulse, g, 1)
    later = today + timedelta(days=1)
    ((alpha_point,),) = [selectors.team_trend(org=org, team=alpha, today=later)]
    assert set(alpha_point.topics.values()) == {4}
    # Gamma is below 5; Beta is hidden with it, or total − Alpha − Beta would give Gamma away.
    for team in (beta, gamma):
        (point,) = selectors.team_trend(org=org, team=team, today=later)
        assert set(point.topics.values()) == {None}


def test_the_results_page_draws_the_trend_and_keeps_the_table(client, org, hr, today):
    sales, people = crew(org, "Sales", 5)
    pulse = services.pulse_create(actor=hr, team=sales, opens_on=today, closes_on=today)
    answer_all(pulse, people, 2)
    client.force_login(hr.user)
    from time_machine import travel

    with travel(today + timedelta(days=1, hours=12)):
        page = client.get(reverse("people_pulse_results", args=[org.slug, pulse.pk])).content.decode()
    assert 'data-chart="pulse-trend"' in page and "plotly-basic.min.js" in page
    data = page.split('<script id="pulse-trend-data" type="application/json">')[1].split("</script>")[0]
    chart = json.loads(data)
    assert chart["labels"]["workload"] == "Workload"
    assert [set(p["topics"].values()) for p in chart["points"]] == [{2.0}]
    assert "<caption" in page and "2.0" in page  # the same figures in a table


def _fifty_two_weeks(org, hr, teams, per_team, today):
    """52 weekly organisation pulses, closed, each answered by `per_team` people of every team
    (answer rows written in bulk: they carry no person)."""
    rng = random.Random(5)
    pulses = []
    for week in range(52):
        day = today - timedelta(days=7 * (52 - week))
        pulses.append(services.pulse_make(org=org, team=None, opens_on=day, closes_on=day + timedelta(days=2),
                                          threshold=5, actor=hr))  # fmt: skip
    rows = []
    for pulse in pulses:
        for question in pulse.questions.all():
            for team in teams:
                rows += [PulseAnswer(org=org, pulse=pulse, question=question, team=team, score=rng.randint(1, 5))
                         for _ in range(per_team)]  # fmt: skip
    PulseAnswer.objects.bulk_create(rows, batch_size=5000)
    return pulses


def test_a_year_of_pulses_for_many_people_reads_in_a_fixed_number_of_queries(client, org, hr, today):
    """5,000 people would be 52 × 4 × 5,000 rows; the count of queries cannot depend on the rows
    (aggregates in SQL), so a year of weekly pulses with 10 teams of 10 stands for it here (the
    benchmark is the lead's)."""
    teams = [factories.team(org, f"Team {n:02}") for n in range(10)]
    pulses = _fifty_two_weeks(org, hr, teams, 10, today)
    assert PulseAnswer.objects.count() >= 52 * 4 * 100
    with pinned_queries(2, "team trend over a year"):
        trend = selectors.team_trend(org=org, team=teams[3], limit=52)
    assert len(trend) == 52 and all(v is not None for p in trend for v in p.topics.values())
    with pinned_queries(1, "team trend again: the closed pulses' spreads come from the cache"):
        assert selectors.team_trend(org=org, team=teams[3], limit=52) == trend
    started = time.process_time()
    with pinned_queries(3, "one pulse's results, its spread cached by the trend above"):
        results = selectors.pulse_results(pulse=pulses[-1])
    assert results.total.respondents == 100 and len(results.groups) == 10
    assert time.process_time() - started < 2  # CPU of this process; the grouping is in SQL
    client.force_login(hr.user)
    page = reverse("people_pulse_results", args=[org.slug, pulses[-1].pk]) + f"?team={teams[3].pk}"
    many = queries_for(client, page)
    PulseAnswer.objects.filter(pulse__in=pulses[:40]).delete()
    assert queries_for(client, page) == many


def test_a_cached_spread_follows_a_deleted_team_and_new_answers(client, org, hr, today):
    """A closed pulse's counts come from the cache once read; a team deleted (its answers move to
    "no team") or an answer added is never hidden behind them."""
    teams = [factories.team(org, f"Crew {n}") for n in range(3)]
    (pulse,) = _fifty_two_weeks(org, hr, teams, 5, today)[-1:]
    PulseAnswer.objects.bulk_create(  # and five people in no team
        [PulseAnswer(org=org, pulse=pulse, question=q, team=None, score=3)
         for q in pulse.questions.all() for _ in range(5)]
    )  # fmt: skip
    groups = [(g.name, g.respondents) for g in selectors.pulse_results(pulse=pulse).groups]
    assert groups == [("Crew 0", 5), ("Crew 1", 5), ("Crew 2", 5), ("No team", 5)]
    teams[2].delete()
    results = selectors.pulse_results(pulse=pulse)
    groups = [(g.name, g.respondents) for g in results.groups]
    assert results.total.respondents == 20 and groups == [("Crew 0", 5), ("Crew 1", 5), ("No team", 10)]
    (point,) = selectors.team_trend(org=org, team=teams[0], limit=1)
    assert all(v is not None for v in point.topics.values())
    late = factories.member(org, Role.MEMBER, teams=[teams[0]])
    keys = list(pulse.questions.values_list("key", flat=True))
    from time_machine import travel

    with travel(pulse.opens_on):  # an answer arriving however it may: the count moves
        services.pulse_answer(pulse=pulse, member=late, scores=dict.fromkeys(keys, 5))
    assert selectors.pulse_results(pulse=pulse).total.respondents == 21
