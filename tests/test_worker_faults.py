"""A worker killed (SIGKILL) in the middle of each kind of background job, and started again: the
job completes exactly once. No lost recompute; no duplicate alert, notification, delivery, payout
line, imported value, reminder or reward.

How: a real Celery worker on Redis (solo pool, so the kill takes the whole worker, as an
out-of-memory kill or a lost container does). The test arms a named pause point inside the job
(teams.jobs.pause_point), waits until the worker is parked there, kills it, and starts a new one.
The job, acknowledged late, comes back from Redis after the visibility timeout (a few seconds
here, 15 minutes in production). One worker start per kill: the worker started after a kill
serves the next test. bench/faults.py repeats each kill many times (docs/reliability.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal as D
from http.server import HTTPServer
from pathlib import Path
from threading import Thread

import pytest
from django.db import connection

from config.celery import app
from incentives import services as incentives
from incentives.models import PayoutLine, PayoutRun, RunStatus
from incentives.services import SchemeInput
from recognition import selectors as recognition_selectors
from recognition import services as recognition
from recognition.models import EarnedReward
from recognition.tasks import check_instant_rewards
from teams.jobs import FAULT_DIR_ENV
from teams.models import AuditEntry, Membership, Role
from teams.selectors import org_today
from tests import factories
from tests.recognition.conftest import log_value, weekly_goal
from tests.test_worker import ROOT, _database_url, _wait_for
from tests.tracking.test_alerts import Receiver
from tracking import services, tasks
from tracking.models import (
    Alert,
    Delivery,
    ImportJob,
    IndicatorSnapshot,
    MetricEntry,
    Notification,
    ReminderChannel,
    TeamRhythm,
    TrackingPreference,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# A lost job comes back this fast (seconds); see CELERY_BROKER_TRANSPORT_OPTIONS in settings.
VISIBILITY = "3"
# bench/faults.py runs every test of this module this many times in one session.
REPEAT = int(os.environ.get("STRETCH_FAULTS_REPEAT", "1"))


@pytest.fixture(autouse=True)
def fault_round():
    """Which round of bench/faults.py this is (0 in CI)."""
    return 0


def pytest_generate_tests(metafunc):
    if REPEAT > 1:
        metafunc.parametrize("fault_round", range(REPEAT))


class Workers:
    """One worker at a time on a queue of our own; `kill_during` parks it at a pause point, kills
    it and starts the next."""

    def __init__(self, queue: str, folder: Path) -> None:
        self.queue, self.folder = queue, folder
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        # The worker writes to a file, not a pipe nobody reads while it runs (a full pipe blocks it).
        self.log = self.folder / f"worker-{self.kills}.log"
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false",
            "DATABASE_URL": _database_url(), "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "false", FAULT_DIR_ENV: str(self.folder),
            "CELERY_VISIBILITY_TIMEOUT": VISIBILITY, "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1", "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
            "STRETCH_FAULT_SLEEP": "60",
        }  # fmt: skip
        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING", "--pool=solo",
                "-Q", self.queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        with self.log.open("w") as out:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def kill_during(self, point: str, send) -> None:
        if self.process is None:
            self.start()
        (self.folder / f"{point}.armed").touch()
        send()
        paused = self.folder / f"{point}.paused"
        began = time.monotonic()
        reached = _wait_for(paused.exists, timeout=60)
        print(f"{point}: paused after {time.monotonic() - began:.1f}s")
        assert reached, f"the job never reached {point}; worker output:\n{self.output()}"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        paused.unlink()
        self.kills += 1
        self.start()

    def output(self) -> str:
        """The last lines each worker wrote."""
        logs = sorted(self.folder.glob("worker-*.log"), key=lambda p: p.stat().st_mtime)
        return "\n".join(f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-40:]) for log in logs)

    def stop(self) -> None:
        if self.process is not None:  # killed too: a worker parked at a pause point would not stop
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    queue = f"stretch-faults-{uuid.uuid4().hex[:8]}"
    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.update(task_always_eager=False, task_default_queue=queue)
    pool = Workers(queue, tmp_path_factory.mktemp("faults"))
    yield pool
    pool.stop()
    app.conf.update(**saved)


@pytest.fixture
def receiver():
    Receiver.received, Receiver.fail = [], False
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    connection.close()


def settle(seconds: float = 2.0) -> None:
    """Give a duplicate (if the guarantee were broken) the time to show."""
    time.sleep(seconds)


def lagging_goal(slug: str, receiver: str = ""):
    """An organisation with a goal far behind (an alert fires once its indicators are computed),
    and, given a receiver, two webhook channels for its team."""
    org = factories.organization(slug=slug)
    admin = factories.member(org, Role.ADMIN)
    sales = factories.team(org, "Sales")
    manager = factories.member(org, Role.MANAGER, teams=[sales])
    for kind in ("json", "slack") if receiver else ():
        services.channel_save(org=org, actor=admin, name=kind, kind=kind, url=f"{receiver}/{kind}",
                              secret="s" if kind == "json" else "", team_id=sales.pk)  # fmt: skip
    today = org_today(org)
    goal = factories.goal(org, manager, team=sales, title="Quarterly deal value", start_date=today - timedelta(days=45),
                          end_date=today + timedelta(days=45), base=D(900), challenge=D(1000), stretch=D(1200),
                          status="active")  # fmt: skip
    return org, admin, sales, manager, goal


def values(org, manager, goal, days: int = 30) -> None:
    today = org_today(org)
    services.entries_save(org=org, actor=manager, rows=[services.EntryInput(
        goal_id=goal.pk, value="9.6", day=(today - timedelta(days=n)).isoformat(), external_id=f"crm-{n}")
        for n in range(days)])  # fmt: skip


def test_incremental_recompute(workers):
    org, _admin, _sales, manager, goal = lagging_goal("faults-incremental")
    today = org_today(org)
    workers.kill_during("recompute", lambda: values(org, manager, goal))
    assert _wait_for(lambda: Alert.objects.filter(goal=goal).exists(), timeout=60), workers.output()
    settle()
    # every day since the first value recomputed, and the alert raised once
    days = set(IndicatorSnapshot.objects.filter(goal=goal, metric_key=0).values_list("day", flat=True))
    assert {today - timedelta(days=n) for n in range(30)} <= days
    assert Alert.objects.filter(goal=goal, kind="lagging_behind").count() == 1


def test_nightly_recompute(workers):
    first = lagging_goal("faults-nightly-a")
    second = lagging_goal("faults-nightly-b")
    workers.kill_during("recompute", lambda: tasks.recompute_all.delay())
    todays = IndicatorSnapshot.objects.filter(
        goal__in=[first[4], second[4]], day=org_today(first[0]), metric_key=0
    )
    assert _wait_for(lambda: todays.count() == 2, timeout=60), workers.output()
    settle()
    assert todays.count() == 2  # both organisations recomputed, once each


def test_alert_evaluation(workers, receiver):
    # The recompute after the values arrive raises the alert.
    org, _admin, _sales, manager, goal = lagging_goal("faults-alerts", receiver)
    workers.kill_during("alert-raise", lambda: values(org, manager, goal))
    done = _wait_for(lambda: Delivery.objects.filter(state="sent").count() == 2, timeout=60)
    assert done, workers.output()
    settle()
    alert = Alert.objects.get(goal=goal)
    assert Delivery.objects.filter(alert=alert).count() == 2 and len(Receiver.received) == 2
    raised = Notification.objects.filter(alert=alert, kind=Notification.Kind.ALERT)
    assert raised.count() == len(set(raised.values_list("recipient_id", flat=True))) >= 1


def test_alert_escalation(workers, receiver):
    org, _admin, _sales, manager, goal = lagging_goal("faults-escalation", receiver)
    values(org, manager, goal)
    raised = Delivery.objects.filter(state="sent", event__startswith="open:")
    assert _wait_for(lambda: raised.count() == 2, timeout=60), workers.output()
    Alert.objects.filter(goal=goal).update(raised_on=org_today(org) - timedelta(days=30))
    workers.kill_during("alert-escalate", lambda: tasks.evaluate_alerts.delay(org_id=org.pk))
    escalated = Delivery.objects.filter(event__startswith="escalated:")
    assert _wait_for(lambda: escalated.filter(state="sent").count() == 2, timeout=60), workers.output()
    settle()
    alert = Alert.objects.get(goal=goal)
    admins = set(Membership.objects.filter(org=org, role=Role.ADMIN))
    assert alert.escalated_at is not None and set(alert.escalated_to.all()) == admins
    assert Notification.objects.filter(alert=alert, kind=Notification.Kind.ESCALATION).count() == len(admins)
    assert escalated.count() == 2 and Delivery.objects.count() == 4  # raised + escalated, two channels
    assert len(Receiver.received) == 4


def test_delivery(workers, receiver):
    org = factories.organization(slug="faults-delivery")
    admin = factories.member(org, Role.ADMIN)
    team = factories.team(org, "Ops")
    services.channel_save(org=org, actor=admin, name="chat", kind="json", url=f"{receiver}/chat", secret="s",
                          team_id=team.pk)  # fmt: skip
    workers.kill_during(
        "delivery-post",
        lambda: services.team_message_deliver(
            team=team, key="faults:1", text="Hello", event={"event": "test"}
        ),
    )
    assert _wait_for(lambda: Delivery.objects.filter(state="sent").exists(), timeout=60), workers.output()
    settle()
    assert Delivery.objects.count() == 1 and len(Receiver.received) == 1  # posted once, not lost


def test_alert_fan_out(workers, receiver):
    org, _admin, sales, _manager, goal = lagging_goal("faults-fan-out", receiver)
    today = org_today(org)
    alert = Alert.objects.create(org=org, kind="lagging_behind", dedupe_key="faults", goal=goal, team_id=sales.pk,
                                 raised_on=today, since=today, measured=D(100), expected=D(500),
                                 deviation_pct=D(80))  # fmt: skip
    # Killed between the first channel's delivery row and its job.
    workers.kill_during("fan-out", lambda: tasks.deliver_alert.delay(alert_id=alert.pk))
    assert _wait_for(lambda: Delivery.objects.filter(state="sent").count() == 2, timeout=60), workers.output()
    settle()
    assert Delivery.objects.count() == 2 and len(Receiver.received) == 2


def test_payout_run(workers):
    org = factories.organization(slug="faults-payroll")
    hr = factories.member(org, Role.HR)
    team = factories.team(org, "Ops")
    people = [factories.member(org, teams=[team]) for _ in range(8)]
    scheme = incentives.scheme_save(org=org, actor=hr, data=SchemeInput(name="Flat", target_bonus=D(1000)))
    incentives.scheme_assign(scheme=scheme, actor=hr, team=team)
    for n, person in enumerate(people):
        incentives.salary_set(
            org=org, actor=hr, membership=person, base=D(10000 + n), effective_from=date(2026, 1, 1)
        )
    started = {}
    workers.kill_during(
        "payout-chunk",
        lambda: started.update(run=incentives.run_start(org=org, actor=hr, start=date(2026, 7, 1), end=date(2026, 9, 30))),
    )  # fmt: skip
    run = started["run"]
    done = _wait_for(lambda: PayoutRun.objects.get(pk=run.pk).status == RunStatus.REVIEW, timeout=60)
    assert done, workers.output()
    settle()
    run.refresh_from_db()
    lines = list(PayoutLine.objects.filter(run=run).values_list("membership_id", flat=True))
    assert sorted(lines) == sorted(p.pk for p in people)  # one line each, none from the dead worker
    assert run.people == run.done == 8 and run.base_total == sum(D(10000 + n) for n in range(8))
    assert AuditEntry.objects.filter(action="payout_run.computed", target_id=run.pk).count() == 1


def test_file_import(workers):
    org = factories.organization(slug="faults-import")
    manager = factories.member(org, Role.MANAGER)
    today = org_today(org)
    goal = factories.goal(org, manager, start_date=today - timedelta(days=20), end_date=today + timedelta(days=20),
                          status="active")  # fmt: skip
    rows = "".join(
        f"{goal.pk},,{(today - timedelta(days=n)).isoformat()},{n + 1},,imp-{n},\n" for n in range(15)
    )
    content = f"goal,metric,day,value,person,external_id,note\n{rows}".encode()
    job = {}
    workers.kill_during(
        "import-rows",
        lambda: job.update(
            job=services.import_start(org=org, actor=manager, filename="v.csv", content=content)
        ),
    )
    pk = job["job"].pk
    assert _wait_for(lambda: ImportJob.objects.get(pk=pk).state == "done", timeout=60), workers.output()
    settle()
    imported = ImportJob.objects.get(pk=pk)
    assert (imported.created, imported.updated, imported.processed) == (15, 0, 15)
    assert MetricEntry.objects.filter(goal=goal).count() == 15


def test_reminders(workers):
    org = factories.organization(slug="faults-reminders")
    team = factories.team(org, "Ops")
    TeamRhythm.objects.create(team=team, standup_time="00:00", working_days="1234567")
    people = [factories.member(org, Role.MEMBER, teams=[team]) for _ in range(3)]
    for person in people:
        TrackingPreference.objects.create(membership=person, reminder_channel=ReminderChannel.EMAIL)
    workers.kill_during("reminders", lambda: tasks.remind_standups.delay())
    reminders = Notification.objects.filter(org=org, kind=Notification.Kind.REMINDER)
    assert _wait_for(lambda: reminders.filter(emailed_at__isnull=False).count() == 3, timeout=60), (
        workers.output()
    )
    settle()
    assert reminders.count() == 3 and sorted(reminders.values_list("recipient_id", flat=True)) == sorted(
        p.pk for p in people
    )


def test_instant_rewards(workers, receiver):
    org = factories.organization(slug="faults-rewards")
    admin = factories.member(org, Role.ADMIN)
    ops = factories.team(org, "Operations")
    lead = factories.member(org, Role.MANAGER, teams=[ops])
    ops.managers.add(lead)
    week = recognition_selectors.last_completed_week(org)
    services.channel_save(
        org=org, actor=admin, name="Ops chat", kind="json", url=f"{receiver}/ops", team_id=ops.pk
    )
    recognition.instant_rule_save(team=ops, actor=lead, reward="Afternoon tea")
    goal, piece = weekly_goal(org, ops, lead, week=week)
    log_value(org, lead, goal, week + timedelta(days=3), piece.base + 5)
    workers.kill_during("rewards", lambda: check_instant_rewards.delay(org_id=org.pk))
    assert _wait_for(lambda: Delivery.objects.filter(state="sent").exists(), timeout=60), workers.output()
    settle()
    assert EarnedReward.objects.count() == 1
    announced = [
        body for _path, _h, body in Receiver.received if body.get("event") == "recognition.instant_reward"
    ]
    assert Delivery.objects.filter(alert=None).count() == 1 and len(announced) == 1


def test_the_worker_carries_on_after_postgresql_cut_its_connection(workers):
    """A PostgreSQL restart cuts every session, the worker's too (here in the middle of a job). The
    next job works, with no restart of the worker and nothing done by hand."""
    if workers.process is None:
        workers.start()
    org, _admin, _sales, manager, goal = lagging_goal("faults-database")
    (workers.folder / "recompute.armed").touch()
    values(org, manager, goal, days=1)
    paused = workers.folder / "recompute.paused"
    assert _wait_for(paused.exists, timeout=60), workers.output()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1  # the worker's session
    paused.unlink()  # the job goes on (and fails on its cut connection: retried by its task)
    time.sleep(1)
    tasks.recompute_goals.delay(org_id=org.pk, goal_ids=[goal.pk], since=None)
    todays = IndicatorSnapshot.objects.filter(goal=goal, day=org_today(org), metric_key=0, actual__gt=0)
    assert _wait_for(todays.exists, timeout=60), workers.output()
