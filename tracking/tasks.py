"""Thin Celery tasks: they take ids and call services. Both recomputes upsert their snapshots,
so a retried or duplicated job writes the same rows again and nothing more. Every job here is
idempotent, so a transient database error retries it with backoff (teams.tasks.DB_RETRY), and a job
whose object was deleted first is a quiet no-op (teams.tasks.quiet_if_vanished).

The services queue these tasks (imported at module level there); each task imports the services
inside its body, so the two modules never import each other at import time."""

from __future__ import annotations

import smtplib
from datetime import date

from celery import shared_task

from teams.models import Organization
from teams.tasks import DB_RETRY, TRANSIENT_DB_ERRORS, quiet_if_vanished


@shared_task(name="tracking.tasks.recompute_goals", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def recompute_goals(*, org_id: int, goal_ids: list[int], since: str | None = None) -> int:
    """Incremental recompute after values arrived (queued after the transaction commits)."""
    from . import services

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    written = services.indicators_recompute(
        org=org, goal_ids=goal_ids, since=date.fromisoformat(since) if since else None
    )
    services.alerts_evaluate(org=org, goal_ids=goal_ids)
    return written


@shared_task(name="tracking.tasks.recompute_all", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def recompute_all() -> int:
    """Nightly: every active goal of every organisation."""
    from . import services

    written = services.indicators_recompute_all()
    evaluate_alerts.delay()
    return written


@shared_task(name="tracking.tasks.evaluate_alerts", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def evaluate_alerts(*, org_id: int | None = None) -> int:
    """Hourly (and after the nightly recompute): raise, resolve and escalate alerts. Idempotent."""
    from . import services

    orgs = Organization.objects.filter(pk=org_id) if org_id else Organization.objects.order_by("pk")
    changed = 0
    for org in orgs:
        result = services.alerts_evaluate(org=org)
        changed += len(result.raised) + len(result.reopened) + len(result.resolved) + len(result.escalated)
    return changed


@shared_task(name="tracking.tasks.deliver_alert", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def deliver_alert(*, alert_id: int, event: str = "") -> int:
    """Send an alert to its team's channels (e-mail and webhooks); each delivery is recorded once."""
    from . import services

    return services.alert_deliver(alert_id=alert_id, event=event)


@shared_task(name="tracking.tasks.send_delivery", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def send_delivery(*, delivery_id: int) -> bool:
    """POST an alert to a webhook. An unreachable or failing URL is tried again later with
    backoff (30 s, 1 min, 2 min, 4 min, 8 min) and then marked failing for the admin; other jobs
    never wait for it. The attempt count lives on the delivery row, so a duplicated job cannot
    post twice or retry forever."""
    from . import services

    try:
        return services.delivery_send(delivery_id=delivery_id)
    except services.DeliveryError as error:
        send_delivery.apply_async(kwargs={"delivery_id": delivery_id}, countdown=error.retry_in)
        return False


@shared_task(
    name="tracking.tasks.email_notification",
    autoretry_for=(OSError, smtplib.SMTPException, *TRANSIENT_DB_ERRORS),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
@quiet_if_vanished
def email_notification(*, notification_id: int) -> bool:
    from . import services

    return services.notification_email(notification_id=notification_id)


@shared_task(name="tracking.tasks.remind_standups", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def remind_standups() -> int:
    """Every quarter of an hour: remind who has not checked in by their team's time (idempotent:
    one reminder per person and day)."""
    from . import services

    return sum(len(services.standup_reminders(org=org)) for org in Organization.objects.order_by("pk"))


@shared_task(name="tracking.tasks.import_values", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def import_values(*, job_id: int) -> str:
    """Check and store an uploaded file of values (a duplicated job finds the file already taken).
    A transient database error hands the file back to the queue and tries again (all or nothing:
    nothing was stored); any other error fails the import with a message."""
    from . import services

    try:
        job = services.import_run(job_id=job_id)
    except TRANSIENT_DB_ERRORS:
        services.import_release(job_id=job_id)  # if the database answers again; else the sweep does
        raise
    except Exception:
        services.import_failed(job_id=job_id)  # the page says so instead of checking forever
        raise
    return job.state if job else "missing"


@shared_task(name="tracking.tasks.sweep_stuck_work", acks_late=True, **DB_RETRY)
def sweep_stuck_work() -> int:
    """Every minute (beat): imports whose worker died are queued again (or failed with a message
    once they have been queued again too often), and deliveries whose lease expired, or whose
    retry never came, are sent again. Idempotent, and safe when two beats run it at once: each
    object is claimed by one sweep only."""
    from . import services

    return services.imports_sweep() + services.deliveries_sweep()
