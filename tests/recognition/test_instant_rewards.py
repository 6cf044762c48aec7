"""The weekly instant-reward job: a team that meets its weekly target earns its reward once per
rule and week — a rerun records nothing twice and sends no second message — announced on the team
page and through the team's notification channel (Tracking's deliveries)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from config.beat import beat_schedule
from recognition import selectors, services
from recognition.models import EarnedReward
from recognition.tasks import announce_reward, check_instant_rewards
from teams.models import Role
from tests import factories
from tests.conftest import login
from tests.tracking.test_alerts import Receiver
from tracking import services as tracking_services
from tracking.models import Delivery

from .conftest import log_value, weekly_goal


def test_the_weekly_job_records_and_announces_a_reward_once(
    org,
    ops,
    lead,
    members,
    receiver,
    django_capture_on_commit_callbacks,
):
    week = selectors.last_completed_week(org)
    admin = members[Role.ADMIN]
    tracking_services.channel_save(org=org, actor=admin, name="Ops chat", kind="json", url=f"{receiver}/ops",
                                   team_id=ops.pk)  # fmt: skip
    other_team = factories.team(org, "Sales")
    tracking_services.channel_save(org=org, actor=admin, name="Sales chat", kind="slack", url=f"{receiver}/sales",
                                   team_id=other_team.pk)  # fmt: skip
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week + timedelta(days=3), piece.base + 5)

    with django_capture_on_commit_callbacks(execute=True):
        first = check_instant_rewards.delay(org_id=org.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        again = check_instant_rewards.delay(org_id=org.pk).get()  # a retried or duplicated job
        services.instant_rewards_check(org=org, week_start=week)
    reward = EarnedReward.objects.get()
    assert (first, again) == (1, 0) and (reward.team, reward.week_start, reward.reward) == (
        ops,
        week,
        "Afternoon tea",
    )
    assert reward.evidence["met"] and reward.evidence["goals"][0]["goal"] == goal.pk
    # one message, to the team's channel only
    assert len(Receiver.received) == 1
    path, _headers, body = Receiver.received[0]
    assert path == "/ops" and body["event"] == "recognition.instant_reward"
    assert "Operations met its weekly target" in body["text"] and "Afternoon tea" in body["text"]
    assert Delivery.objects.filter(state="sent").count() == 1
    # announcing again (a redelivered task) queues nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_reward.delay(reward_id=reward.pk).get() == 0
    assert len(Receiver.received) == 1 and Delivery.objects.count() == 1
    # and the team page celebrates it
    page = login(lead).get(reverse("team_directory", args=[org.slug])).content.decode()
    assert "Afternoon tea earned: the team met its weekly target" in page


def test_no_reward_when_the_target_is_missed_the_rule_is_off_or_the_week_is_not_over(org, ops, lead):
    week = selectors.last_completed_week(org)
    rule = services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week, piece.base - 1)
    assert services.instant_rewards_check(org=org, week_start=week) == []
    log_value(org, lead, goal, week + timedelta(days=1), 1)
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea", enabled=False, rule=rule)
    assert services.instant_rewards_check(org=org, week_start=week) == []
    this_week = week + timedelta(days=7)  # not over yet
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea", enabled=True, rule=rule)
    assert services.instant_rewards_check(org=org, week_start=this_week) == []
    assert len(services.instant_rewards_check(org=org, week_start=week)) == 1
    assert EarnedReward.objects.count() == 1


def test_the_job_is_scheduled_weekly_and_checks_every_organisation(org, ops, lead, other_org):
    entry = beat_schedule()["check-instant-rewards"]
    assert entry["task"] == "recognition.tasks.check_instant_rewards"
    assert entry["schedule"].day_of_week == {1}  # Mondays
    week = selectors.last_completed_week(org)
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week, piece.stretch)
    assert check_instant_rewards.delay().get() == 1
    assert check_instant_rewards.delay().get() == 0


def test_the_weekly_job_rewards_the_teams_of_every_organisation(org, ops, lead, other_org):
    week = selectors.last_completed_week(org)
    services.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week, piece.stretch)
    far = factories.team(other_org, "Far team")
    far_lead = factories.member(other_org, Role.MANAGER, teams=[far])
    far.managers.add(far_lead)
    services.instant_rule_save(team=far, actor=far_lead, reward="Fruit basket")
    far_goal, far_piece = weekly_goal(other_org, far, far_lead, week=selectors.last_completed_week(other_org))
    log_value(other_org, far_lead, far_goal, selectors.last_completed_week(other_org), far_piece.base)
    assert services.instant_rewards_check_all() == 2
    assert set(EarnedReward.objects.values_list("reward", flat=True)) == {"Afternoon tea", "Fruit basket"}
    assert services.instant_rewards_check_all() == 0  # nothing twice
