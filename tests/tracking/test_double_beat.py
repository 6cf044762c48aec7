"""Two beats by mistake (issue 13, item 5): every periodic job may run twice, one after the other
or at the same moment on two workers, and its effect still happens once — one alert, one
notification and one message per event, one escalation, one reminder and one reminder e-mail per
person and day, one heartbeat per slot, the same snapshots. Each periodic job of config/beat.py is
run twice, sequentially and in two threads (two database connections) released together."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.beat import beat_schedule
from teams.models import Heartbeat, OutboxJob, Role
from teams.selectors import org_today
from teams.services import outbox as outbox_services
from teams.tasks import heartbeat, login_attempts_prune, outbox_drain
from tests import factories
from tests.concurrency import at_once
from tests.tracking.test_alerts import Receiver, behind, goal, lead, sales  # noqa: F401 - fixtures
from tracking import services, tasks
from tracking.models import Alert, Delivery, IndicatorSnapshot, Notification

pytestmark = pytest.mark.django_db(transaction=True)


def twice(task, **kwargs):
    """The job run by two beats at the same moment, then once more by a late third."""

    def run():
        return task.delay(**kwargs).get(disable_sync_subtasks=False)  # eager: it ran in this thread

    return [*at_once(run, run), run()]


@pytest.fixture
def behind_goal(org, admin, lead, goal, receiver):  # noqa: F811
    services.channel_save(org=org, actor=admin, name="Sales chat", kind="json", url=f"{receiver}/sales",
                          team_id=goal.team_id)  # fmt: skip
    behind(org, lead, goal, "9.6")
    return goal


def test_every_periodic_job_is_covered_here():
    covered = {
        "teams.tasks.heartbeat",
        "teams.tasks.login_attempts_prune",
        "tracking.tasks.remind_standups",
        "tracking.tasks.evaluate_alerts",
        "tracking.tasks.recompute_all",
        "recognition.tasks.check_instant_rewards",
        "tracking.tasks.sweep_stuck_work",
        "incentives.tasks.sweep_payout_runs",
        "teams.tasks.outbox_drain",
        "retros.tasks.prepare_retros",
        "people.tasks.remind_one_on_ones",
        "people.tasks.run_pulse_schedules",
        "people.tasks.small_wins",
        "retros.tasks.remind_practices",
    }  # fmt: skip  (recognition: tests/recognition/test_double_beat.py; retros: tests/retros/test_prepare.py and test_practices.py; people: tests/people/test_reminders.py, test_schedules.py and test_wins.py; the sweeps: their own tests)
    assert {entry["task"] for entry in beat_schedule().values()} <= covered


def test_two_alert_evaluations_at_once_raise_notify_and_post_once(org, behind_goal):
    twice(tasks.evaluate_alerts)
    alert = Alert.objects.get()
    assert Notification.objects.filter(alert=alert).count() == 1  # the goal's owner
    assert Delivery.objects.count() == 1 and len(Receiver.received) == 1
    assert len(mail.outbox) == 1


def test_two_escalations_at_once_escalate_once(org, lead, sales, behind_goal):  # noqa: F811
    boss = factories.member(org, Role.MANAGER, name="Commercial Director")
    sales.parent.managers.add(boss)
    services.alerts_evaluate(org=org)
    Alert.objects.update(raised_on=org_today(org) - timedelta(days=5))  # nobody acknowledged it
    Receiver.received.clear()
    mail.outbox.clear()
    twice(tasks.evaluate_alerts)
    assert Notification.objects.filter(kind="escalation").count() == 1
    assert Delivery.objects.filter(event__startswith="escalated").count() == 1
    assert len(Receiver.received) == 1 and len(mail.outbox) == 1


def test_two_reopenings_at_once_notify_and_post_once(org, behind_goal):
    services.alerts_evaluate(org=org)
    alert = Alert.objects.get()
    yesterday = org_today(org) - timedelta(days=1)  # raised yesterday, back on track since, behind again
    Alert.objects.update(
        state="resolved", resolved_at=timezone.now(), resolution="back on track", raised_on=yesterday
    )
    Delivery.objects.update(event=f"open:{yesterday.isoformat()}")
    Receiver.received.clear()
    mail.outbox.clear()
    twice(tasks.evaluate_alerts)
    alert.refresh_from_db()
    assert alert.state == "open" and Alert.objects.count() == 1
    assert Notification.objects.filter(alert=alert, dedupe_key__contains="reopened").count() == 1
    assert len(Receiver.received) == 1 and len(mail.outbox) == 1


def test_two_nightly_recomputes_at_once_write_the_same_snapshots_and_one_alert(org, behind_goal):
    IndicatorSnapshot.objects.all().delete()
    services.indicators_recompute(org=org)
    once = set(IndicatorSnapshot.objects.values_list("goal_id", "metric_key", "day", "actual"))
    twice(tasks.recompute_all)
    assert set(IndicatorSnapshot.objects.values_list("goal_id", "metric_key", "day", "actual")) == once
    assert Alert.objects.count() == 1 and len(Receiver.received) == 1


def test_two_reminder_runs_at_once_remind_and_email_each_person_once(org):
    org.timezone = "UTC"
    org.save()
    team = factories.team(org, "Operations")
    services.rhythm_save(team=team, actor=factories.member(org, Role.ADMIN), standup_time=dt.time(0, 0),
                         working_days="1234567", reminders=True)  # fmt: skip
    quiet = factories.member(org, name="Quiet", teams=[team])
    emailed = factories.member(org, name="Mail me", teams=[team])
    services.preference_save(member=emailed, reminder_channel="email")
    twice(tasks.remind_standups)
    assert sorted(Notification.objects.filter(kind="reminder").values_list("recipient", flat=True)) == sorted(
        [quiet.pk, emailed.pk]
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [emailed.user.email]


def test_two_heartbeats_at_once_record_one_slot():
    twice(heartbeat)
    slots = list(Heartbeat.objects.values_list("slot", flat=True))
    assert len(slots) == len(set(slots)) >= 1


def test_two_prunes_at_once_are_harmless():
    assert twice(login_attempts_prune)[2] == 0


def test_two_outbox_drains_at_once_send_each_waiting_job_once(monkeypatch):
    """Jobs kept in the outbox while the queue was down are sent once each, however many drains
    run when it is back."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(outbox_services, "_publish", lambda name, kwargs: sent.append((name, kwargs)))
    waiting = timezone.now() - timedelta(minutes=5)
    for goal_id in (11, 12, 13):
        OutboxJob.objects.create(task="tracking.tasks.recompute_goals", kwargs={"goal_ids": [goal_id]},
                                 created_at=waiting)  # fmt: skip
    twice(outbox_drain)
    assert sorted(kwargs["goal_ids"][0] for _, kwargs in sent) == [11, 12, 13]
    assert not OutboxJob.objects.exists()
