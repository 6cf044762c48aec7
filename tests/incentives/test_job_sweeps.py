"""Stuck payout runs (issue 13, item 3): beat's sweep queues again a run whose job stopped (a killed
worker, the time limit), a bounded number of times, then fails it with a message HR reads on the
run page. HR no longer waits ten minutes and clicks "Compute again". A run a live worker is
computing is left alone, and two sweeps at once queue a run once."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from config.beat import beat_schedule
from incentives import services
from incentives.models import PayoutRun, RunStatus
from incentives.services import sweeps
from incentives.tasks import sweep_payout_runs
from teams.models import AuditEntry
from tests.concurrency import Holding, at_once
from tests.conftest import login
from tracking.services import job_lock

from .test_runs import hr, period, sales  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def run(org, hr, member, sales, period):  # noqa: F811
    run = services.run_start(org=org, actor=hr, start=period[0], end=period[1])  # computed at once (eager)
    run.refresh_from_db()
    assert run.status == RunStatus.REVIEW and run.lines.count() == 1
    return run


def died(run, *, ago=timedelta(minutes=1), status=RunStatus.COMPUTING) -> None:
    """The worker computing the run was killed half way (its job lock went with its connection)."""
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
