"""Every periodic job of the project, in one place. Later apps add their entries here."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.conf import settings


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        "heartbeat": {
            "task": "teams.tasks.heartbeat",
            "schedule": float(settings.HEARTBEAT_INTERVAL_SECONDS),
            "options": {"expires": float(settings.HEARTBEAT_INTERVAL_SECONDS)},
        },
        "prune-login-attempts": {
            "task": "teams.tasks.login_attempts_prune",
            "schedule": 3600.0,
        },
        "drain-outbox": {
            "task": "teams.tasks.outbox_drain",
            "schedule": 30.0,  # jobs saved while the queue was down (teams.services.outbox)
            "options": {"expires": 30.0},
        },
        "remind-standups": {
            "task": "tracking.tasks.remind_standups",
            "schedule": 900.0,  # each team's stand-up time is checked in its organisation's time zone
        },
        "evaluate-alerts": {
            "task": "tracking.tasks.evaluate_alerts",
            "schedule": 3600.0,  # idempotent: raises, resolves and escalates what changed
        },
        "recompute-indicators": {
            "task": "tracking.tasks.recompute_all",
            "schedule": crontab(minute=30, hour=1),  # nightly, after the day's values are in
        },
        "sweep-stuck-work": {
            "task": "tracking.tasks.sweep_stuck_work",
            # Imports whose worker died are checked again; deliveries whose lease expired are sent
            # again. Idempotent: each object is claimed by one sweep, so a second beat does nothing.
            "schedule": 60.0,
            "options": {"expires": 60.0},
        },
        "sweep-payout-runs": {
            "task": "incentives.tasks.sweep_payout_runs",
            # Payout runs whose job stopped are queued again (at most 3 times) or failed with a
            # message HR reads. Idempotent, like the sweep above.
            "schedule": 60.0,
            "options": {"expires": 60.0},
        },
        "check-instant-rewards": {
            "task": "recognition.tasks.check_instant_rewards",
            # Mondays 12:00 UTC: the week before has ended everywhere from UTC−11 to UTC+14.
            # Idempotent: a reward is recorded and announced once per rule and week.
            "schedule": crontab(minute=0, hour=12, day_of_week="mon"),
        },
        "prepare-retros": {
            "task": "retros.tasks.prepare_retros",
            # Hourly, so each organisation gets its draft retros soon after its own midnight ends a
            # period. Idempotent: a retro is unique per team and period (goal set), never twice.
            "schedule": 3600.0,
            "options": {"expires": 3600.0},
        },
        "remind-practices": {
            "task": "retros.tasks.remind_practices",
            # Hourly: a standard practice's owner is reminded when its watched indicator falls or its
            # review date comes, claimed once per fall and per review date (job lock + conditional
            # update), so two beats or a retried job remind once.
            "schedule": 3600.0,
            "options": {"expires": 3600.0},
        },
        "remind-one-on-ones": {
            "task": "people.tasks.remind_one_on_ones",
            # Hourly: today's and tomorrow's one-on-ones, each claimed once (a second beat or a
            # retried job reminds nobody twice).
            "schedule": 3600.0,
        },
        "small-wins": {
            "task": "people.tasks.small_wins",
            # Hourly: new small wins recorded once (unique key); from 09:00 in each organisation's
            # time zone one batch per team and day is announced. A job lock per organisation.
            "schedule": 3600.0,
            "options": {"expires": 3600.0},
        },
        "run-pulse-schedules": {
            "task": "people.tasks.run_pulse_schedules",
            # Hourly, so each organisation's pulses open soon after its own midnight. Idempotent:
            # a scheduled pulse opens once per schedule and day, and a pulse reminds once.
            "schedule": 3600.0,
            "options": {"expires": 3600.0},
        },
    }
