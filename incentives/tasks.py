"""Thin Celery tasks of the incentives app: they take ids and call services (imported inside the
task, since the services import their tasks at module level to queue them)."""

from __future__ import annotations

from celery import shared_task

from teams.tasks import DB_RETRY, quiet_if_vanished


@shared_task(name="incentives.tasks.payout_run_compute", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def payout_run_compute(*, run_id: int) -> str:
    """Compute a payout run's lines (idempotent: a retry skips the people already done). A
    transient database error puts the run back in the queue and the job tries again with backoff."""
    from .services import run_compute

    run = run_compute(run_id=run_id)
    return run.status if run else "missing"


@shared_task(name="incentives.tasks.sweep_payout_runs", acks_late=True, **DB_RETRY)
def sweep_payout_runs() -> int:
    """Every minute (beat): runs whose job stopped are queued again, or failed with a message HR
    reads (incentives.services.sweeps). Idempotent; two beats requeue a run once."""
    from .services import runs_sweep

    return runs_sweep()
