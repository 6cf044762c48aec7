"""Thin Celery tasks: they take ids and call services. The reminder job is idempotent (a meeting is
claimed once, see services.reminders), so two beats or a retried job remind once."""

from __future__ import annotations

import smtplib

from celery import shared_task

from teams.models import Organization
from teams.tasks import DB_RETRY, TRANSIENT_DB_ERRORS, quiet_if_vanished


@shared_task(name="people.tasks.remind_one_on_ones", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def remind_one_on_ones() -> int:
    """Hourly: claim and e-mail today's and tomorrow's one-on-ones not reminded yet."""
    from . import services

    return sum(len(services.one_on_one_reminders(org=org)) for org in Organization.objects.order_by("pk"))


@shared_task(
    name="people.tasks.email_one_on_one_reminder",
    autoretry_for=(OSError, smtplib.SMTPException, *TRANSIENT_DB_ERRORS),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
@quiet_if_vanished
def email_one_on_one_reminder(*, meeting_id: int) -> int:
    from . import services

    return services.one_on_one_reminder_send(meeting_id=meeting_id)


@shared_task(name="people.tasks.small_wins", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def small_wins() -> int:
    """Hourly: record new small wins; from 09:00 local, announce each team's batch of the day
    (once: unique wins, one delivery per channel, team and day; a job lock per organisation)."""
    from . import services

    return services.small_wins_run_all()


@shared_task(name="people.tasks.run_pulse_schedules", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def run_pulse_schedules() -> int:
    """Hourly: open each organisation's scheduled pulses due today (each once), then send the
    reminders of open pulses due for one (each pulse once)."""
    from . import services

    done = 0
    for org in Organization.objects.order_by("pk"):
        done += len(services.scheduled_pulses_open(org=org))
        done += len(services.pulse_reminders(org=org))
    return done
