"""Stand-up reminders: a team's rhythm, a person's preferred channel, and the reminder job."""

from __future__ import annotations

import zoneinfo
from datetime import time as dt_time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.jobs import pause_point
from teams.models import Membership, Organization, Role, Team
from tracking.models import Notification, ReminderChannel, Standup, TeamRhythm, TrackingPreference
from tracking.tasks import email_notification

from ._common import DEFAULT_WORKING_DAYS
from .reviews import require_team_change

DEFAULT_STANDUP_TIME = dt_time(10, 0)


def rhythm_save(
    *, team: Team, actor: Membership, standup_time: dt_time, working_days: str, reminders: bool
) -> TeamRhythm:
    require_team_change(team=team, actor=actor)
    days = "".join(sorted(set(working_days)))
    if not days or any(d not in "1234567" for d in days):
        raise ValidationError({"working_days": [_("Choose at least one working day.")]})
    rhythm, _created = TeamRhythm.objects.update_or_create(
        team=team, defaults={"standup_time": standup_time, "working_days": days, "reminders": reminders}
    )
    return rhythm


def preference_save(*, member: Membership, reminder_channel: str) -> TrackingPreference:
    if reminder_channel not in ReminderChannel.values:
        raise ValidationError({"reminder_channel": [_("Choose how to be reminded.")]})
    preference, _created = TrackingPreference.objects.update_or_create(
        membership=member, defaults={"reminder_channel": reminder_channel}
    )
    return preference


def standup_reminders(*, org: Organization, now: Any = None) -> list[int]:
    """Remind the members who have not checked in by their team's stand-up time, on the team's
    working days: one in-app reminder per person and day (unique), and an e-mail for those who
    chose it. Run by beat every quarter of an hour; repeats change nothing."""
    local = timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(org.timezone))
    today = local.date()
    rhythms = {r.team_id: r for r in TeamRhythm.objects.filter(team__org=org)}
    due_teams = []
    for team in Team.objects.filter(org=org).order_by("pk"):
        rhythm = rhythms.get(team.pk)
        by, days, on = (
            (rhythm.standup_time, rhythm.working_days, rhythm.reminders) if rhythm
            else (DEFAULT_STANDUP_TIME, DEFAULT_WORKING_DAYS, True)
        )  # fmt: skip
        if on and str(today.isoweekday()) in days and local.time() >= by:
            due_teams.append(team.pk)
    if not due_teams:
        return []
    checked_in = Standup.objects.filter(org=org, day=today).values("member_id")
    people = list(
        Membership.objects.filter(org=org, is_active=True, role=Role.MEMBER, teams__in=due_teams)
        .exclude(pk__in=checked_in)
        .distinct()
        .select_related("tracking_preference")
    )
    key = f"reminder:{today.isoformat()}"
    Notification.objects.bulk_create(
        [Notification(org=org, recipient=p, kind=Notification.Kind.REMINDER, dedupe_key=key) for p in people],
        ignore_conflicts=True,
    )
    pause_point("reminders")
    wanted_email = [
        p.pk
        for p in people
        if getattr(getattr(p, "tracking_preference", None), "reminder_channel", "") == ReminderChannel.EMAIL
    ]
    to_email = list(
        Notification.objects.filter(
            recipient_id__in=wanted_email, dedupe_key=key, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )

    def send() -> None:
        for notification_id in to_email:
            email_notification.delay(notification_id=notification_id)

    if to_email:
        transaction.on_commit(send)
    return [p.pk for p in people]
