"""Thin Celery tasks: they take ids and call services. Both are idempotent: a prepared retro is
unique per key (team and period), and its announcement is one delivery per channel and retro."""

from __future__ import annotations

from celery import shared_task

from teams.models import Organization
from teams.tasks import DB_RETRY, quiet_if_vanished


@shared_task(name="retros.tasks.prepare_retros", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def prepare_retros(*, org_id: int | None = None) -> int:
    """Daily: a draft retro for every team whose goals' period has just ended (once)."""
    from . import services

    if org_id is None:
        return services.retros_prepare_all()
    org = Organization.objects.filter(pk=org_id).first()
    return 0 if org is None else len(services.retros_prepare(org=org))


@shared_task(name="retros.tasks.announce_retro", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def announce_retro(*, retro_id: int) -> int:
    """Tell the team's channels that a retro collects cards (once per channel)."""
    from . import services

    return services.retro_announce(retro_id=retro_id)


@shared_task(name="retros.tasks.remind_practices", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def remind_practices() -> int:
    """Hourly: remind practices' owners when a watched indicator falls or a review date comes (once)."""
    from . import services

    return services.practice_reminders_all()


@shared_task(name="retros.tasks.email_practice_reminder", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def email_practice_reminder(*, lesson_id: int, reason: str) -> int:
    from . import services

    return services.practice_reminder_send(lesson_id=lesson_id, reason=reason)
