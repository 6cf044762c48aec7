"""Thin Celery tasks of the incentives app: they take ids and call services (imported inside the
task, since the services import their tasks at module level to queue them)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="incentives.tasks.payout_run_compute", acks_late=True)
def payout_run_compute(*, run_id: int) -> str:
    """Compute a payout run's lines (idempotent: a retry skips the people already done)."""
    from .services import run_compute

    run = run_compute(run_id=run_id)
    return run.status if run else "missing"
