"""The transactional outbox: a job that a change needs is written with the change, in its
transaction, and sent to the queue after commit. If the queue (Redis) is down, the change is still
saved and the request still succeeds; the job waits in the table and `outbox_drain` (beat, and
after the next job that reaches the queue) sends it when the queue is back. A job may thus run
twice (sent, then the row's delete lost): the outbox only carries idempotent jobs."""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from celery import current_app
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from .. import tasks
from ..models import OutboxJob

logger = logging.getLogger(__name__)
# The sender after commit has this long before the drain may send the same row.
DRAIN_AFTER = timedelta(seconds=10)
DRAIN_BATCH = 200
QUEUE_DOWN = (KombuOperationalError, OSError)


class NamedTask(Protocol):
    name: str


def outbox_enqueue(*, task: NamedTask, kwargs: dict[str, Any]) -> OutboxJob:
    """Record `task(**kwargs)` in the current transaction and send it once the transaction has
    committed (at once outside a transaction)."""
    job = OutboxJob.objects.create(task=task.name, kwargs=kwargs)
    transaction.on_commit(partial(_send_after_commit, job.pk, task.name, kwargs))
    return job


def _publish(name: str, kwargs: dict[str, Any]) -> None:
    current_app.tasks[name].apply_async(kwargs=kwargs)


def _send_after_commit(job_id: int, name: str, kwargs: dict[str, Any]) -> None:
    try:
        _publish(name, kwargs)
    except QUEUE_DOWN as error:  # saved all the same; the drain sends it when the queue is back
        logger.warning("job queue unreachable, %s kept in the outbox (%s)", name, error.__class__.__name__)
        OutboxJob.objects.filter(pk=job_id).update(attempts=1, last_error=str(error)[:300])
        return
    if _delete_sent(job_id):
        # The queue is back and older jobs wait: send them now rather than at the next beat.
        with suppress(*QUEUE_DOWN):
            tasks.outbox_drain.delay()


def _delete_sent(job_id: int) -> bool:
    """Delete the sent job's row; whether older jobs wait. On PostgreSQL one statement (every value
    or stand-up written runs this after its commit: one round trip, not two)."""
    cutoff = timezone.now() - DRAIN_AFTER
    if connection.vendor != "postgresql":
        OutboxJob.objects.filter(pk=job_id).delete()
        return OutboxJob.objects.filter(created_at__lt=cutoff).exists()
    table = connection.ops.quote_name(OutboxJob._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH sent AS (DELETE FROM {table} WHERE id = %s) "  # noqa: S608 - the model's own table name
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE created_at < %s AND id <> %s)",
            [job_id, cutoff, job_id],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def outbox_drain(*, batch: int = DRAIN_BATCH) -> int:
    """Send the jobs left in the outbox (oldest first); stops at the first the queue refuses.
    Rows being sent by another drain are skipped. Returns how many were sent."""
    sent = 0
    while True:
        with transaction.atomic():
            jobs = list(
                OutboxJob.objects.select_for_update(skip_locked=True)
                .filter(created_at__lt=timezone.now() - DRAIN_AFTER)
                .order_by("created_at", "id")[:batch]
            )
            if not jobs:
                return sent
            for job in jobs:
                try:
                    _publish(job.task, job.kwargs)
                except KeyError:  # a task that no longer exists: nothing can run it
                    logger.error("outbox job %s names an unknown task %s; dropped", job.pk, job.task)
                    OutboxJob.objects.filter(pk=job.pk).delete()
                    continue
                except QUEUE_DOWN as error:
                    OutboxJob.objects.filter(pk=job.pk).update(
                        attempts=job.attempts + 1, last_error=str(error)[:300]
                    )
                    return sent
                OutboxJob.objects.filter(pk=job.pk).delete()
                sent += 1
