"""One-on-one writes: starting a series and changing its rhythm, the shared agenda, private
notes, action items, the feeling check, and holding a meeting (which carries unchecked points over
to the next one).

Every write checks `selectors.can_take_part` first (403 for anyone else), then the input (a
ValidationError naming the field; nothing is stored half-way). Private notes are never written to
the audit trail, a log or a message."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership, Team
from teams.selectors import org_today
from teams.services import audit_record

from ..models import NOTE_LIMIT, TEXT_LIMIT, ActionItem, AgendaItem, Cadence, Meeting, PrivateNote, Series
from ..selectors import can_start_series, can_take_part, is_participant

SCOPE = "people"
MAX_AHEAD_DAYS = 366


def next_after(day: date, cadence: str) -> date:
    """The next meeting's day after one on `day`: a week, two weeks, or the same day next month
    (the month's last day when it is shorter)."""
    if cadence == Cadence.WEEKLY:
        return day + timedelta(days=7)
    if cadence == Cadence.BIWEEKLY:
        return day + timedelta(days=14)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _schedule_errors(*, cadence: str, next_date: date | None, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if cadence not in Cadence.values:
        errors["cadence"] = [_("Choose weekly, every two weeks or monthly.")]
    if next_date is None:
        errors["next_date"] = [_("Enter the date of the next one-on-one.")]
    elif next_date < today:
        errors["next_date"] = [_("The next one-on-one cannot be in the past.")]
    elif next_date > today + timedelta(days=MAX_AHEAD_DAYS):
        errors["next_date"] = [_("Plan the next one-on-one within a year.")]
    return errors


def _text(errors: dict[str, list[str]], name: str, value: str, *, required: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = [required]
    elif len(value) > limit:
        errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
    return value


@transaction.atomic
def series_start(
    *, actor: Membership, team: Team, member: Membership, cadence: str, next_date: date | None
) -> Series:
    """A manager starts one-on-ones with a member of their team, and the first meeting is planned."""
    verdict = can_start_series(actor=actor, team=team, member=member)
    if not verdict:
        if verdict.field == "__all__":
            verdict.require()
        raise ValidationError({verdict.field: [verdict.reason]})
    errors = _schedule_errors(cadence=cadence, next_date=next_date, today=org_today(team.org))
    if not errors and Series.objects.filter(manager=actor, member=member).exists():
        errors["member"] = [_("You already hold one-on-ones with this person.")]
    if errors:
        raise ValidationError(errors)
    assert next_date is not None  # noqa: S101 - checked above
    series = Series(org_id=team.org_id, team=team, manager=actor, member=member, cadence=cadence,
                    next_date=next_date)  # fmt: skip
    series.full_clean()
    try:
        with transaction.atomic():
            series.save()
    except IntegrityError:
        raise ValidationError({"member": [_("You already hold one-on-ones with this person.")]}) from None
    Meeting.objects.create(org_id=series.org_id, series=series, day=next_date)
    audit_record(org=team.org, actor=actor.user, action="one_on_one.start", target=series,
                 changes={"member": [None, member.pk], "cadence": [None, cadence]}, scope=SCOPE)  # fmt: skip
    return series


@transaction.atomic
def series_schedule(*, series: Series, actor: Membership, cadence: str, next_date: date | None) -> Series:
    """Change the cadence and the next date; the open meeting moves to that date."""
    can_take_part(member=actor, series=series).require()
    errors = _schedule_errors(cadence=cadence, next_date=next_date, today=org_today(series.org))
    if errors:
        raise ValidationError(errors)
    assert next_date is not None  # noqa: S101 - checked above
    series = Series.objects.select_for_update().get(pk=series.pk)
    open_meeting = series.meetings.filter(held_at__isnull=True).order_by("day").first()
    if open_meeting is not None and open_meeting.day != next_date:
        if series.meetings.filter(day=next_date).exclude(pk=open_meeting.pk).exists():
            raise ValidationError({"next_date": [_("There is already a one-on-one on that day.")]})
        open_meeting.day = next_date
        open_meeting.reminded_at = None  # a new day gets its own reminder
        open_meeting.save(update_fields=["day", "reminded_at"])
    elif open_meeting is None:
        Meeting.objects.get_or_create(org_id=series.org_id, series=series, day=next_date)
    series.cadence, series.next_date = cadence, next_date
    series.save(update_fields=["cadence", "next_date"])
    return series


def _open(meeting: Meeting) -> None:
    if meeting.held_at is not None:
        raise ValidationError(_("This one-on-one has been held: add it to the next one."))


@transaction.atomic
def agenda_add(*, meeting: Meeting, author: Membership, text: str) -> AgendaItem:
    """Either participant adds a talking point to a meeting that has not been held yet."""
    can_take_part(member=author, series=meeting.series).require()
    _open(meeting)
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, required=_("Write the talking point."), limit=TEXT_LIMIT)
    if errors:
        raise ValidationError(errors)
    item = AgendaItem(org_id=meeting.org_id, meeting=meeting, author=author, text=text)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_check(*, item: AgendaItem, actor: Membership, done: bool) -> AgendaItem:
    """Tick a talking point as discussed (or untick it)."""
    can_take_part(member=actor, series=item.meeting.series).require()
    _open(item.meeting)
    item.done = done
    item.save(update_fields=["done"])
    return item


@transaction.atomic
def private_note_save(*, meeting: Meeting, author: Membership, body: str) -> PrivateNote:
    """The author's own note on a meeting (created or replaced). Only its author ever reads it."""
    can_take_part(member=author, series=meeting.series).require()
    body = (body or "").strip()
    if len(body) > NOTE_LIMIT:
        raise ValidationError({"body": [_("At most %(limit)s characters.") % {"limit": NOTE_LIMIT}]})
    note, _created = PrivateNote.objects.update_or_create(
        org_id=meeting.org_id, meeting=meeting, author=author, defaults={"body": body}
    )
    return note


@transaction.atomic
def action_add(
    *, meeting: Meeting, actor: Membership, owner: Membership | None, text: str, due: date | None
) -> ActionItem:
    """An action for one of the two participants, with an optional due date; it stays on every
    meeting of the series until it is done."""
    series = meeting.series
    can_take_part(member=actor, series=series).require()
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, required=_("Write what is to be done."), limit=TEXT_LIMIT)
    if owner is None or owner.pk not in series.participant_ids():
        errors["owner"] = [_("Choose one of the two people of this one-on-one.")]
    if due is not None and due < meeting.day - timedelta(days=MAX_AHEAD_DAYS):
        errors["due"] = [_("Enter a due date near this one-on-one.")]
    if errors:
        raise ValidationError(errors)
    action = ActionItem(org_id=series.org_id, series=series, meeting=meeting, owner=owner, text=text, due=due,
                        created_by=actor)  # fmt: skip
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_done(*, action: ActionItem, actor: Membership, done: bool = True) -> ActionItem:
    can_take_part(member=actor, series=action.series).require()
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done_at"])
    return action


@transaction.atomic
def feeling_set(*, meeting: Meeting, actor: Membership, feeling: int | None) -> Meeting:
    """The feeling check (1–5): how the team member feels at this meeting."""
    can_take_part(member=actor, series=meeting.series).require()
    if feeling is None or not 1 <= feeling <= 5:
        raise ValidationError({"feeling": [_("Choose a feeling from 1 to 5.")]})
    meeting.feeling = feeling
    meeting.save(update_fields=["feeling"])
    return meeting


@transaction.atomic
def meeting_hold(*, meeting: Meeting, actor: Membership) -> Meeting:
    """Mark the meeting held, plan the next one by the cadence, and carry the unchecked talking
    points over to it. Returns the next meeting. Holding it twice changes nothing more."""
    series = meeting.series
    can_take_part(member=actor, series=series).require()
    if not is_participant(member=actor, series=series):
        raise ValidationError(_("Only the two people of this one-on-one mark it held."))
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.held_at is not None:
        raise ValidationError(_("This one-on-one has already been held."))
    locked.held_at = timezone.now()
    locked.save(update_fields=["held_at"])
    today = org_today(series.org)
    day = next_after(locked.day, series.cadence)
    while day < today:
        day = next_after(day, series.cadence)
    following, _created = Meeting.objects.get_or_create(org_id=series.org_id, series=series, day=day)
    leftovers = AgendaItem.objects.filter(meeting=locked, done=False).order_by("created_at", "id")
    AgendaItem.objects.bulk_create(
        [AgendaItem(org_id=series.org_id, meeting=following, author_id=item.author_id, text=item.text,
                    carried_from=item) for item in leftovers]
    )  # fmt: skip
    Series.objects.filter(pk=series.pk).update(next_date=day)
    series.next_date = day
    audit_record(org=series.org, actor=actor.user, action="one_on_one.hold", target=locked,
                 changes={"next": [None, day.isoformat()]}, scope=SCOPE)  # fmt: skip
    return following
