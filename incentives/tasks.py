"""Thin Celery tasks of the incentives app: they take ids and call services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="incentives.tasks.payout_run_compute", acks_late=True)
def payout_run_compute(*, run_id: int) -> str:
    """Compute a payout run's lines (idempotent: a retry skips the people already done)."""
    run = services.run_compute(run_id=run_id)
    return run.status if run else "missing"
