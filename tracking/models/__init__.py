"""Tracking: daily stand-ups, metric values coming in (stand-ups, manual entry, files, the API),
and the indicators computed from them in the background (lagging, leading and risk), stored as
dated snapshots so trends can be charted. The models live in sub-domain modules; every one is
re-exported here."""

from .alerts import (
    ActionState,
    Alert,
    AlertRule,
    AlertState,
    Cause,
    ChannelKind,
    CorrectiveAction,
    Delivery,
    Notification,
    NotificationChannel,
    ResolutionReason,
    RuleKind,
)
from .indicators import IndicatorKind, IndicatorSnapshot, IndicatorStatus, Review, TierReached
from .standups import (
    ImportJob,
    MetricEntry,
    Mood,
    ReminderChannel,
    Source,
    Standup,
    TeamRhythm,
    TrackingPreference,
)

__all__ = [
    "ActionState",
    "Alert",
    "AlertRule",
    "AlertState",
    "Cause",
    "ChannelKind",
    "CorrectiveAction",
    "Delivery",
    "ImportJob",
    "IndicatorKind",
    "IndicatorSnapshot",
    "IndicatorStatus",
    "MetricEntry",
    "Mood",
    "Notification",
    "NotificationChannel",
    "ReminderChannel",
    "ResolutionReason",
    "Review",
    "RuleKind",
    "Source",
    "Standup",
    "TeamRhythm",
    "TierReached",
    "TrackingPreference",
]
