"""Stuck payout runs (issue 13, item 3): beat's sweep queues again a run whose job stopped (a killed
worker, the time limit), a bounded number of times, then fails it with a message HR reads on the
run page. HR no longer waits ten minutes and clicks "Compute again". A run a live worker is
computing is left alone, and two sweeps at once queue a run once."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.beat import beat_schedule
from config.celery import app
from incentives import services
from incentives.models import PayoutRun, RunStatus
from incentives.services import sweeps
from incentives.tasks import payout_run_compute, sweep_payout_runs
from teams.jobs import job_lock, lock_key
from teams.models import AuditEntry
from tests.concurrency import Holding, at_once
from tests.conftest import login

from .test_runs import hr, period, sales  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)
needs_job_locks = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="job locks are PostgreSQL's"
)


@pytest.fixture
def retries_run():
    """Let Celery's eager mode run a job's retries (see tests/tracking/test_job_faults.py)."""
    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


@pytest.fixture
def run(org, hr, member, sales, period):  # noqa: F811
    run = services.run_start(org=org, actor=hr, start=period[0], end=period[1])  # computed at once (eager)
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.lines.count() == 1
    return run


def died(run, *, ago=None, status=RunStatus.COMPUTING) -> None:
    """The worker computing the run was killed half way (its job lock went with its connection).
    By default long enough ago for the clock's rule too (SQLite has no job locks)."""
    ago = ago or sweeps.job_time_limit() + timedelta(minutes=1)
    PayoutRun.objects.filter(pk=run.pk).update(status=status, done=0, updated_at=timezone.now() - ago)
    run.lines.all().delete()


def test_a_run_whose_worker_died_is_computed_again_by_the_sweep_once(run, hr, org):  # noqa: F811
    died(run)
    assert sweep_payout_runs.delay().get() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.lines.count() == 1 and run.attempt == 2
    assert run.total == sum(line.total for line in run.lines.all())
    assert sweep_payout_runs.delay().get() == 0  # nothing left to sweep
    page = login(hr).get(reverse("payout_run", args=[org.slug, run.pk])).content.decode()
    assert "Queued again: its job had stopped" in page  # the history says what happened


@needs_job_locks
def test_a_run_a_live_worker_is_computing_is_left_alone(run):
    died(run, ago=timedelta(minutes=30))  # no progress for a long while, but its job is alive
    with Holding(lambda: job_lock("payout_run", run.pk)):
        assert services.runs_sweep() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTING


def test_a_run_that_just_started_computing_is_given_a_moment(run):
    died(run, ago=timedelta(seconds=5))
    assert services.runs_sweep() == 0


def test_a_queued_run_whose_job_was_lost_is_queued_again_after_the_time_limit(run):
    died(run, status=RunStatus.QUEUED, ago=timedelta(minutes=2))
    assert services.runs_sweep() == 0  # still waiting its turn in the queue
    died(run, status=RunStatus.QUEUED, ago=sweeps.job_time_limit() + timedelta(minutes=1))
    assert services.runs_sweep() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.lines.count() == 1


def test_a_run_that_keeps_stopping_fails_with_a_message_hr_reads(run, hr, org):  # noqa: F811
    with mock.patch.object(sweeps, "payout_run_compute") as job:  # every job dies before it starts
        for _ in range(services.RUN_REQUEUES):
            died(run)
            assert services.runs_sweep() == 1
        died(run)
        assert services.runs_sweep() == 0
    assert job.delay.call_count == services.RUN_REQUEUES
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    page = login(hr).get(reverse("payout_run", args=[org.slug, run.pk])).content.decode()
    assert "The run failed:" in page and "The computation stopped several times before it finished" in page
    # HR computes it again: the count starts afresh.
    services.run_retry(run=run, actor=hr)
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.lines.count() == 1
    died(run)
    assert services.runs_sweep() == 1


def test_two_sweeps_at_once_queue_a_run_once(run):
    died(run)
    with mock.patch.object(sweeps, "payout_run_compute") as job:
        results = at_once(services.runs_sweep, services.runs_sweep)
    assert sorted(results) == [0, 1] and job.delay.call_count == 1
    assert AuditEntry.objects.filter(target_id=run.pk, action="payout_run.requeue").count() == 1


def test_the_sweep_runs_every_minute():
    entry = beat_schedule()["sweep-payout-runs"]
    assert entry["task"] == "incentives.tasks.sweep_payout_runs" and entry["schedule"] <= 60


HOLDER = """
import sys, time, psycopg2
connection = psycopg2.connect(**dict(arg.split("=", 1) for arg in sys.argv[3:]))
connection.autocommit = True
connection.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [int(sys.argv[1]), int(sys.argv[2])])
print("held", flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="job locks are PostgreSQL's"
)
def test_a_worker_killed_with_sigkill_frees_its_run_for_the_sweep(run):
    """The sweep's certainty rests on the database dropping a killed process's job lock."""
    import subprocess
    import sys

    from django.db import connection

    died(run)
    db = connection.settings_dict
    params = [f"{k}={v}" for k, v in {"dbname": db["NAME"], "user": db["USER"], "host": db["HOST"] or "127.0.0.1",
                                      "port": db["PORT"] or 5432, "password": db["PASSWORD"]}.items() if v]  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-c", HOLDER, *map(str, lock_key("payout_run", run.pk)), *params],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert worker.stdout.readline().strip() == "held"
        assert services.runs_sweep() == 0  # its worker is alive
        worker.kill()  # SIGKILL: no goodbye to the database
        worker.wait(10)
        freed = False
        for _ in range(40):  # the server notices the closed socket at once; give it a moment
            if services.runs_sweep() == 1:
                freed = True
                break
            time.sleep(0.25)
    finally:
        worker.kill()
    run.refresh_from_db()
    assert freed and run.status == RunStatus.REVIEW and run.lines.count() == 1


def test_a_transient_database_error_puts_the_run_back_and_the_retry_computes_it(run, retries_run):
    from django.db import OperationalError

    from incentives.services import runs as run_module

    real, calls = run_module.period_facts, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("could not serialize access due to concurrent update")
        return real(**kwargs)

    PayoutRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
    with mock.patch.object(run_module, "period_facts", side_effect=flaky):
        payout_run_compute.delay(run_id=run.pk).get(disable_sync_subtasks=False)
    run.refresh_from_db()
    assert len(calls) == 2 and run.status == RunStatus.REVIEW and run.lines.count() == 1


def test_a_run_stopped_by_the_soft_time_limit_says_so(run, hr, org):  # noqa: F811
    from celery.exceptions import SoftTimeLimitExceeded

    from incentives.services import runs as run_module

    PayoutRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
    with (
        mock.patch.object(run_module, "period_facts", side_effect=SoftTimeLimitExceeded()),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        services.run_compute(run_id=run.pk)
    page = login(hr).get(reverse("payout_run", args=[org.slug, run.pk])).content.decode()
    assert "The computation took longer than the time limit of the job queue." in page
