"""Beat prepares a draft retro when a team goal's period ends: one per team, goal set and period,
never twice — not on a rerun, not when two beats run at once — and tells the team's channels once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from retros import services
from retros.models import Retrospective, RetroState
from retros.tasks import prepare_retros
from teams.models import Role
from tests import factories
from tests.concurrency import at_once
from tests.tracking.test_alerts import Receiver
from tracking import services as tracking_services
from tracking.models import Delivery


def test_a_goal_whose_period_ended_gets_one_draft_retro_for_its_team(org, sales, quarter_goal, last_quarter):
    made = services.retros_prepare(org=org, today=last_quarter[1] + timedelta(days=1))
    assert len(made) == 1
    retro = made[0]
    assert retro.team == sales and retro.state == RetroState.DRAFT and retro.automatic
    assert (retro.period_start, retro.period_end) == last_quarter and retro.kind == "quarter"
    assert list(retro.goals.all()) == [quarter_goal]
    assert services.retros_prepare(org=org, today=last_quarter[1] + timedelta(days=2)) == []
    assert Retrospective.objects.count() == 1


def test_nothing_is_prepared_while_the_period_runs_or_for_a_draft_goal(
    org, sales, boss, quarter_goal, last_quarter
):
    assert services.retros_prepare(org=org, today=last_quarter[1]) == []
    quarter_goal.status = "draft"
    quarter_goal.save(update_fields=["status"])
    assert services.retros_prepare(org=org, today=last_quarter[1] + timedelta(days=1)) == []


def test_a_manager_who_already_started_it_is_not_doubled_by_beat(retro, org, last_quarter):
    assert services.retros_prepare(org=org, today=last_quarter[1] + timedelta(days=1)) == []
    assert Retrospective.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_prepare_and_announce_once(
    org, sales, boss, members, quarter_goal, receiver, last_quarter
):
    morning = datetime.combine(last_quarter[1] + timedelta(days=1), time(9), tzinfo=ZoneInfo(org.timezone))
    traveller = time_machine.travel(morning, tick=True)
    traveller.start()
    try:
        _two_beats(org, sales, members, receiver)
    finally:
        traveller.stop()


def _two_beats(org, sales, members, url):
    tracking_services.channel_save(org=org, actor=members[Role.ADMIN], name="Sales chat", kind="json",
                                   url=f"{url}/sales", team_id=sales.pk)  # fmt: skip

    def run(**kwargs):
        return prepare_retros.delay(**kwargs).get(disable_sync_subtasks=False)

    at_once(run, lambda: run(org_id=org.pk))
    run()
    assert Retrospective.objects.count() == 1
    announced = [body for _p, _h, body in Receiver.received if body.get("event") == "retros.retro_started"]
    assert Delivery.objects.filter(alert__isnull=True).count() == 1 and len(announced) == 1


def test_goals_of_one_team_ending_together_make_one_retro_of_that_goal_set(org, sales, boss, last_quarter):
    start, end = last_quarter[1] - timedelta(days=40), last_quarter[1]
    goals = [
        factories.goal(org, boss, team=sales, title=f"Push {n}", start_date=start, end_date=end, period_kind="custom",
                       status="active")
        for n in range(2)
    ]  # fmt: skip
    made = services.retros_prepare(org=org, today=end + timedelta(days=1))
    assert len(made) == 1 and set(made[0].goals.all()) == set(goals) and made[0].kind == "goal"
    assert "Sales" in made[0].title
