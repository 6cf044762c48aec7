"""Thin Celery tasks: they take ids and call services. A task imports the services inside its body
(the services import their tasks at module level, so the two never import each other at load)."""

from __future__ import annotations

import smtplib

from celery import shared_task


@shared_task(name="teams.tasks.heartbeat", acks_late=True)
def heartbeat() -> int:
    """Idempotent (one row per time slot), so late acknowledgement is safe."""
    from . import services

    return services.heartbeat_record().pk


@shared_task(name="teams.tasks.login_attempts_prune", acks_late=True)
def login_attempts_prune() -> int:
    from . import services

    return services.login_attempts_prune()


@shared_task(name="teams.tasks.outbox_drain", acks_late=True)
def outbox_drain() -> int:
    """Send the jobs that waited in the outbox while the queue was down (each is idempotent)."""
    from . import services

    return services.outbox_drain()


@shared_task(
    name="teams.tasks.send_invitation_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_invitation_email(*, kind: str, object_id: int, base_url: str = "") -> bool:
    """Retried with backoff while the mail server is unreachable; the invitation itself is already
    saved, so nothing is lost meanwhile."""
    from . import services

    return services.invitation_email_send(kind=kind, object_id=object_id, base_url=base_url)
