"""Two beats by mistake (issue 13, item 5), for the weekly instant-reward check: run by two
workers at the same moment, then once more, a team that met its weekly target earns its reward
once and the announcement is posted once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recognition import selectors, services
from recognition.models import EarnedReward
from recognition.tasks import check_instant_rewards
from teams.models import Role
from tests.concurrency import at_once
from tests.tracking.test_alerts import Receiver
from tracking import services as tracking_services
from tracking.models import Delivery

from .conftest import log_value, weekly_goal

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_weekly_checks_at_once_record_and_announce_a_reward_once(org, ops, lead, members, receiver):
    week = selectors.last_completed_week(org)
    tracking_services.channel_save(org=org, actor=members[Role.ADMIN], name="Ops chat", kind="json",
                                   url=f"{receiver}/ops", team_id=ops.pk)  # fmt: skip
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week + timedelta(days=3), piece.base + 5)

    def run(**kwargs):
        return check_instant_rewards.delay(**kwargs).get(disable_sync_subtasks=False)

    at_once(run, lambda: run(org_id=org.pk))  # the beat's run over every organisation, and a retried one
    run()
    assert EarnedReward.objects.count() == 1
    announced = [
        body for _path, _h, body in Receiver.received if body.get("event") == "recognition.instant_reward"
    ]
    assert Delivery.objects.filter(alert__isnull=True).count() == 1 and len(announced) == 1
