"""Thin Celery tasks: they take ids and call services. A task imports the services inside its body
(the services import their tasks at module level, so the two never import each other at load)."""

from __future__ import annotations

import functools
import logging
import smtplib
from collections.abc import Callable
from typing import Any, TypeVar

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

# The retry policy of the idempotent jobs of every app: a database that restarts, a dropped
# connection, a serialization failure or a deadlock (all OperationalError / InterfaceError in
# Django) is transient, so the job is tried again with exponential backoff (about 2 s, 4 s, 8 s, …
# up to 2 minutes, with jitter), at most 6 times, and then fails visibly.
TRANSIENT_DB_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
DB_RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT_DB_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}


def quiet_if_vanished(task: F) -> F:
    """A job whose object was deleted before it ran (a notification, an alert, a run) has nothing
    left to do: that is a no-op logged at INFO, not an error with a DoesNotExist traceback."""

    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return task(*args, **kwargs)
        except ObjectDoesNotExist as gone:
            logger.info("%s: nothing to do, its object is gone (%s) %s", task.__name__, gone, kwargs)
            return None

    return run  # type: ignore[return-value]


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
