"""Beat's sweep of stuck payout runs, so HR never waits ten minutes and clicks "Compute again".

A run computing whose job is gone (its worker was killed, or stopped at the time limit) is queued
again from the start, at most RUN_REQUEUES times since HR last started or retried it; then it
fails with a message HR reads on the run page. A run still queued after the time limit (its job
was lost with the queue) is queued again. Each requeue is in the run's history.

Whether a job is alive is known for certain on PostgreSQL: the job holds the run's job lock
(teams.jobs), which the database drops when the worker dies. Elsewhere, a run that has
made no progress for longer than the job time limit is taken as dead. Each run is claimed by one
sweep (its job lock and row lock), so two beats requeue it once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from teams.jobs import job_lock, job_locks_supported
from teams.models import AuditEntry

from ..models import PayoutRun, RunStatus
from ..tasks import payout_run_compute
from .runs import _run_record

RUN_REQUEUES = 3
SWEEP_GRACE = timedelta(seconds=30)  # a job that has just claimed its run is given a moment
HUMAN_STARTS = ("payout_run.start", "payout_run.new_version", "payout_run.retry")
REQUEUE = "payout_run.requeue"


def job_time_limit() -> timedelta:
    """How long a job may run at most (Celery's hard time limit), and a minute more."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def runs_sweep(*, now: Any = None) -> int:
    """Queue again (or fail) the runs whose computation stopped; returns how many were queued."""
    now = now or timezone.now()
    limit = job_time_limit()
    dead_after = SWEEP_GRACE if job_locks_supported() else limit
    candidates = PayoutRun.objects.filter(
        status__in=[RunStatus.QUEUED, RunStatus.COMPUTING], updated_at__lt=now - min(dead_after, limit)
    ).order_by("pk")
    requeued: list[int] = []
    for run_id, status, updated_at in candidates.values_list("pk", "status", "updated_at"):
        if updated_at > now - (limit if status == RunStatus.QUEUED else dead_after):
            continue
        with job_lock("payout_run", run_id) as mine:
            if mine is False:
                continue  # a worker is computing it right now (or another sweep has it)
            if _requeue(run_id=run_id, now=now, limit=limit, dead_after=dead_after):
                requeued.append(run_id)
    for run_id in requeued:  # after the lock is released, so the job can take it
        payout_run_compute.delay(run_id=run_id)
    return len(requeued)


@transaction.atomic
def _requeue(*, run_id: int, now: Any, limit: timedelta, dead_after: timedelta) -> bool:
    run = PayoutRun.objects.select_for_update(of=("self",), skip_locked=True).select_related("org").filter(pk=run_id).first()  # fmt: skip
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.COMPUTING):
        return False
    if run.updated_at > now - (limit if run.status == RunStatus.QUEUED else dead_after):
        return False  # moved on since the sweep looked
    history = AuditEntry.objects.filter(org_id=run.org_id, target_type="payoutrun", target_id=run.pk)
    since = history.filter(action__in=HUMAN_STARTS).order_by("-at").values_list("at", flat=True).first()
    requeues = history.filter(action=REQUEUE)
    if since is not None:
        requeues = requeues.filter(at__gte=since)
    # A conditional update claims the run (also where row locks are not taken: SQLite).
    claim = PayoutRun.objects.filter(pk=run.pk, status=run.status, updated_at=run.updated_at)
    if run.status == RunStatus.COMPUTING and requeues.count() >= RUN_REQUEUES:
        error = gettext_noop(
            "The computation stopped several times before it finished (its worker stopped or it took longer "
            "than the time limit). Compute it again, or ask your administrator to look at the server log."
        )
        if claim.update(status=RunStatus.FAILED, error=error, updated_at=timezone.now()):
            _run_record(run, None, "payout_run.fail", {"status": [RunStatus.COMPUTING, RunStatus.FAILED]})
        return False
    if not claim.update(status=RunStatus.QUEUED, done=0, updated_at=timezone.now()):
        return False
    _run_record(run, None, REQUEUE, {"status": [run.status, RunStatus.QUEUED]})
    return True
