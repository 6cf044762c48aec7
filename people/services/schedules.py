"""Pulses on a schedule, and the pulse reminder.

- `schedule_create`: HR and admins for the organisation, a manager for a team they manage: a
  cadence (weekly, every two weeks, monthly), the first day, the days a pulse stays open and the
  anonymity threshold.
- `scheduled_pulses_open` (beat, hourly): each schedule due today opens its pulse **once**: the
  schedule row is locked (job lock, then `SELECT … FOR UPDATE`), the pulse is unique per schedule
  and day, and `next_on` moves past today in the same transaction — two beats, a retried job or a
  rerun open nothing twice. A schedule that missed days (beat down) opens one pulse today.
- `pulse_reminders` (beat, hourly): on the last day a pulse is open (or the day before, when it is
  open three days or more) the pulse is claimed by one conditional UPDATE of `reminded_at`, so it
  reminds once: an in-app notification for each person who has not answered (who answered is
  known, never what), and one message on the team's channels (who has not answered is not in it)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teams.errors import refuse
from teams.jobs import job_lock
from teams.models import Membership, Organization, Team
from teams.selectors import can_manage_team, org_today
from teams.services import audit_record
from tracking.services import notify_members, team_message_deliver

from ..models import Cadence, Pulse, PulseParticipation, PulseSchedule
from ..selectors import can_run_pulses
from ..selectors.pulses import ANSWERING_ROLES
from .one_on_ones import next_after
from .pulses import SCOPE, THRESHOLD_RANGE, pulse_make

MAX_FIRST_AHEAD = 90
DAYS_OPEN_RANGE = (1, 7)


@transaction.atomic
def schedule_create(
    *, actor: Membership, team: Team | None, cadence: str, next_on: date | None, days_open: int | None,
    threshold: int | None,
) -> PulseSchedule:  # fmt: skip
    can_run_pulses(member=actor, team=team).require()
    org = actor.org
    today = org_today(org)
    errors: dict[str, list[str]] = {}
    if cadence not in Cadence.values:
        errors["cadence"] = [_("Choose weekly, every two weeks or monthly.")]
    if next_on is None:
        errors["next_on"] = [_("Enter the day of the first pulse.")]
    elif next_on < today:
        errors["next_on"] = [_("The first pulse cannot be in the past.")]
    elif next_on > today + timedelta(days=MAX_FIRST_AHEAD):
        errors["next_on"] = [_("Start the schedule within three months.")]
    low, high = DAYS_OPEN_RANGE
    if days_open is None or not low <= days_open <= high:
        errors["days_open"] = [
            _("A scheduled pulse stays open from %(low)s to %(high)s days.") % {"low": low, "high": high}
        ]
    low, high = THRESHOLD_RANGE
    if threshold is None or not low <= threshold <= high:
        errors["threshold"] = [_("The anonymity threshold is from %(low)s to %(high)s respondents.")
                               % {"low": low, "high": high}]  # fmt: skip
    if team is not None and team.org_id != org.pk:
        errors["team"] = [_("Choose a team of this organisation.")]
    elif PulseSchedule.objects.filter(org=org, team=team, active=True).exists():
        errors["team"] = [_("This audience already has a pulse schedule; stop it first.")]
    if errors:
        raise ValidationError(errors)
    assert next_on is not None and days_open is not None and threshold is not None  # noqa: S101 - checked above
    schedule = PulseSchedule.objects.create(org=org, team=team, cadence=cadence, next_on=next_on, days_open=days_open,
                                            threshold=threshold, created_by=actor)  # fmt: skip
    audit_record(org=org, actor=actor.user, action="pulse_schedule.create", target=schedule,
                 changes={"team": [None, team.pk if team else None], "cadence": [None, cadence]}, scope=SCOPE)  # fmt: skip
    return schedule


@transaction.atomic
def schedule_stop(*, actor: Membership, schedule: PulseSchedule) -> PulseSchedule:
    """Stop a schedule (pulses already open stay open): a team's belongs to those who manage the
    team (admins, its managers and those above); the organisation's to HR and admins."""
    if schedule.team_id is not None:
        if not (actor.is_active and can_manage_team(member=actor, team_id=schedule.team_id)):
            refuse(_("Only those who manage this team stop its pulse schedule.")).require()
    else:
        can_run_pulses(member=actor, team=None).require()
    if schedule.active:
        PulseSchedule.objects.filter(pk=schedule.pk).update(active=False)
        schedule.active = False
        audit_record(org=schedule.org, actor=actor.user, action="pulse_schedule.stop", target=schedule,
                     changes={"active": [True, False]}, scope=SCOPE)  # fmt: skip
    return schedule


def scheduled_pulses_open(*, org: Organization, today: date | None = None) -> list[int]:
    """Open the organisation's pulses due today, each schedule and day once. Returns the pulses
    this run opened (none on a rerun)."""
    today = today or org_today(org)
    opened: list[int] = []
    due = PulseSchedule.objects.filter(org=org, active=True, next_on__lte=today).values_list("pk", flat=True)
    for schedule_id in list(due):
        with job_lock("pulse-schedule", schedule_id) as sole:
            if sole is False:
                continue  # a live worker is opening it right now
            pulse_id = _open_one(schedule_id=schedule_id, today=today)
            if pulse_id is not None:
                opened.append(pulse_id)
    return opened


@transaction.atomic
def _open_one(*, schedule_id: int, today: date) -> int | None:
    schedule = (
        PulseSchedule.objects.select_for_update(of=("self",)).select_related("org", "team")
        .filter(pk=schedule_id, active=True, next_on__lte=today).first()
    )  # fmt: skip
    if schedule is None:
        return None  # another run opened it and moved it on
    opens_on = schedule.next_on if schedule.next_on == today else today
    pulse = None
    if not Pulse.objects.filter(schedule=schedule, opens_on=opens_on).exists():
        pulse = pulse_make(org=schedule.org, team=schedule.team, opens_on=opens_on,
                           closes_on=opens_on + timedelta(days=schedule.days_open - 1), threshold=schedule.threshold,
                           actor=None, schedule=schedule)  # fmt: skip
    next_on = schedule.next_on
    while next_on <= today:
        next_on = next_after(next_on, schedule.cadence)
    PulseSchedule.objects.filter(pk=schedule.pk).update(next_on=next_on)
    return pulse.pk if pulse else None


def remind_on(pulse: Pulse) -> date:
    """The day a pulse's reminder goes out: the day before it closes (its last day when it is open
    less than three days), never its first day."""
    return max(pulse.opens_on + timedelta(days=1), pulse.closes_on - timedelta(days=1))


def pulse_reminders(*, org: Organization, today: date | None = None) -> list[int]:
    """Claim and send the reminders of the organisation's open pulses due for one. Returns the
    pulses claimed by this run (none on a rerun)."""
    today = today or org_today(org)
    candidates = Pulse.objects.filter(
        org=org, reminded_at__isnull=True, opens_on__lt=today, closes_on__gte=today
    )
    claimed = []
    for pulse in candidates.select_related("team", "org"):
        if remind_on(pulse) > today:
            continue
        with transaction.atomic():
            if not Pulse.objects.filter(pk=pulse.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            ):
                continue  # another run claimed it
            _remind(pulse)
            claimed.append(pulse.pk)
    return claimed


def pulse_waiting_ids(*, pulse: Pulse) -> list[int]:
    """The people a pulse is for who have not answered it yet."""
    people = Membership.objects.filter(org_id=pulse.org_id, is_active=True, role__in=ANSWERING_ROLES)
    if pulse.team_id is not None:
        people = people.filter(teams=pulse.team_id)
    answered = PulseParticipation.objects.filter(pulse=pulse).values("member_id")
    return list(people.exclude(pk__in=answered).values_list("pk", flat=True).distinct())


def _remind(pulse: Pulse) -> None:
    org = pulse.org
    path = reverse("people_pulse_answer", args=[org.slug, pulse.pk])
    notify_members(org=org, member_ids=pulse_waiting_ids(pulse=pulse), kind="pulse",
                   key=f"pulse:{pulse.pk}", url=path)  # fmt: skip
    with translation.override(org.default_language):
        text = _("A pulse is open until %(day)s: four taps, about 30 seconds, without your name. %(url)s") % {
            "day": pulse.closes_on.isoformat(), "url": settings.SITE_URL.rstrip("/") + path,
        }  # fmt: skip
    teams = [pulse.team] if pulse.team else list(Team.objects.filter(org=org).order_by("pk"))
    event = {"event": "people.pulse_reminder", "pulse": {"id": pulse.pk, "team": pulse.team_id,
             "closes_on": pulse.closes_on.isoformat(), "organization": org.slug}}  # fmt: skip
    for team in teams:
        team_message_deliver(team=team, key=f"pulse-reminder:{pulse.pk}", text=text, event=event)
