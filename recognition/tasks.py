"""Thin Celery tasks: they take ids and call services. Both are idempotent: an earned reward is
unique per rule and week, and its announcement is one delivery per channel and reward, so a
retried or duplicated job records and sends nothing twice, so a transient database error retries
them with backoff (teams.tasks.DB_RETRY)."""

from __future__ import annotations

from celery import shared_task

from teams.models import Organization
from teams.tasks import DB_RETRY, quiet_if_vanished


@shared_task(name="recognition.tasks.check_instant_rewards", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def check_instant_rewards(*, org_id: int | None = None) -> int:
    """Weekly (Monday): record and announce the instant rewards earned in the last completed week."""
    from . import selectors, services

    if org_id is None:
        return services.instant_rewards_check_all()
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return len(services.instant_rewards_check(org=org, week_start=selectors.last_completed_week(org)))


@shared_task(name="recognition.tasks.announce_reward", acks_late=True, **DB_RETRY)
@quiet_if_vanished
def announce_reward(*, reward_id: int) -> int:
    """Post an earned reward to its team's notification channels (once per channel)."""
    from . import services

    return services.instant_reward_announce(reward_id=reward_id)
