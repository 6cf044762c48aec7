"""Thin Celery tasks: they take ids and call services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="teams.tasks.heartbeat", acks_late=True)
def heartbeat() -> int:
    """Idempotent (one row per time slot), so late acknowledgement is safe."""
    return services.heartbeat_record().pk


@shared_task(name="teams.tasks.login_attempts_prune", acks_late=True)
def login_attempts_prune() -> int:
    return services.login_attempts_prune()
