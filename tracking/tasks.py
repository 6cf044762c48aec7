"""Thin Celery tasks: they take ids and call services. Both recomputes upsert their snapshots,
so a retried or duplicated job writes the same rows again and nothing more."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from teams.models import Organization

from . import services


@shared_task(name="tracking.tasks.recompute_goals", acks_late=True)
def recompute_goals(*, org_id: int, goal_ids: list[int], since: str | None = None) -> int:
    """Incremental recompute after values arrived (queued after the transaction commits)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return services.indicators_recompute(
        org=org, goal_ids=goal_ids, since=date.fromisoformat(since) if since else None
    )


@shared_task(name="tracking.tasks.recompute_all", acks_late=True)
def recompute_all() -> int:
    """Nightly: every active goal of every organisation."""
    return services.indicators_recompute_all()
