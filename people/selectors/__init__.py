"""Every read of the people app, re-exported here:

- rights: who may see and change what (Verdicts)
- one_on_ones: series, meetings, the viewer's own private note
- facts: the prepared facts of a one-on-one (read from tracking.selectors.results)
- pulses: pulses to answer, and results that never show one person's answer
- wins: small wins as people read them, with the prompt to recognise their person
- calendar: the secret calendar feed and its events"""

from .calendar import calendar_events, calendar_feed_by_secret, calendar_feed_for
from .facts import PreparedFacts, prepared_facts, prepared_facts_cached
from .one_on_ones import (
    HISTORY_LIMIT,
    MeetingView,
    current_meeting,
    meeting_get,
    meeting_view,
    private_note_get,
    series_get,
    series_list,
    series_team_for,
    startable_people,
    team_members,
    upcoming_for,
)
from .pulses import (
    GroupResult,
    PulseResults,
    TrendPoint,
    can_answer_pulse,
    has_answered,
    pulse_get,
    pulse_list,
    pulse_results,
    pulses_to_answer,
    respondent_count,
    schedule_get,
    schedule_list,
    team_trend,
)
from .rights import (
    can_run_pulses,
    can_see_burnout,
    can_see_pulse_results,
    can_start_series,
    can_take_part,
    is_participant,
)
from .wins import WinView, small_win_feed, small_win_highlights, small_win_list, win_text, win_view

__all__ = [
    "WinView",
    "calendar_events",
    "calendar_feed_by_secret",
    "calendar_feed_for",
    "schedule_get",
    "schedule_list",
    "small_win_feed",
    "small_win_highlights",
    "small_win_list",
    "win_text",
    "win_view",
    "GroupResult",
    "PulseResults",
    "TrendPoint",
    "can_answer_pulse",
    "has_answered",
    "pulse_get",
    "pulse_list",
    "pulse_results",
    "pulses_to_answer",
    "respondent_count",
    "team_trend",
    "HISTORY_LIMIT",
    "MeetingView",
    "PreparedFacts",
    "can_run_pulses",
    "can_see_burnout",
    "can_see_pulse_results",
    "can_start_series",
    "can_take_part",
    "current_meeting",
    "is_participant",
    "meeting_get",
    "meeting_view",
    "prepared_facts",
    "prepared_facts_cached",
    "private_note_get",
    "series_get",
    "series_list",
    "series_team_for",
    "startable_people",
    "team_members",
    "upcoming_for",
]
