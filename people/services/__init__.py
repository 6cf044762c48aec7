"""Every write of the people app, one module per sub-domain, re-exported here:

- one_on_ones: series, agenda, private notes, actions, the feeling check, holding a meeting
- reminders: the one-on-one reminder job (claimed once per meeting)
- pulses: pulse surveys and their anonymous answers
- wins: small wins, detected once and announced in a daily batch per team
- schedules: pulses on a schedule (opened once by beat) and their reminder (once)
- calendar: the secret calendar feed address"""

from .calendar import calendar_feed_regenerate, calendar_feed_revoke
from .one_on_ones import (
    action_add,
    action_done,
    agenda_add,
    agenda_check,
    feeling_set,
    meeting_hold,
    next_after,
    private_note_save,
    series_schedule,
    series_start,
)
from .pulses import MAX_OPEN_DAYS, THRESHOLD_RANGE, pulse_answer, pulse_create, pulse_make
from .reminders import one_on_one_reminder_send, one_on_one_reminders
from .schedules import pulse_reminders, schedule_create, schedule_stop, scheduled_pulses_open
from .wins import small_wins_announce, small_wins_detect, small_wins_run, small_wins_run_all

__all__ = [
    "small_wins_announce",
    "small_wins_detect",
    "small_wins_run",
    "small_wins_run_all",
    "calendar_feed_regenerate",
    "calendar_feed_revoke",
    "pulse_reminders",
    "schedule_create",
    "schedule_stop",
    "scheduled_pulses_open",
    "MAX_OPEN_DAYS",
    "THRESHOLD_RANGE",
    "pulse_answer",
    "pulse_create",
    "pulse_make",
    "action_add",
    "action_done",
    "agenda_add",
    "agenda_check",
    "feeling_set",
    "meeting_hold",
    "next_after",
    "one_on_one_reminder_send",
    "one_on_one_reminders",
    "private_note_save",
    "series_schedule",
    "series_start",
]
