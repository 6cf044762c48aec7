"""Tracking: daily stand-ups, metric values coming in (stand-ups, manual entry, files, the API),
and the indicators computed from them in the background (lagging, leading and risk), stored as
dated snapshots so trends can be charted. The models live in sub-domain modules; every one is
re-exported here."""

from .alerts import (
    ActionState as ActionState,
)
from .alerts import (
    Alert as Alert,
)
from .alerts import (
    AlertRule as AlertRule,
)
from .alerts import (
    AlertState as AlertState,
)
from .alerts import (
    Cause as Cause,
)
from .alerts import (
    ChannelKind as ChannelKind,
)
from .alerts import (
    CorrectiveAction as CorrectiveAction,
)
from .alerts import (
    Delivery as Delivery,
)
from .alerts import (
    Notification as Notification,
)
from .alerts import (
    NotificationChannel as NotificationChannel,
)
from .alerts import (
    RuleKind as RuleKind,
)
from .indicators import (
    IndicatorKind as IndicatorKind,
)
from .indicators import (
    IndicatorSnapshot as IndicatorSnapshot,
)
from .indicators import (
    IndicatorStatus as IndicatorStatus,
)
from .indicators import (
    Review as Review,
)
from .indicators import (
    TierReached as TierReached,
)
from .standups import (
    ImportJob as ImportJob,
)
from .standups import (
    MetricEntry as MetricEntry,
)
from .standups import (
    Mood as Mood,
)
from .standups import (
    ReminderChannel as ReminderChannel,
)
from .standups import (
    Source as Source,
)
from .standups import (
    Standup as Standup,
)
from .standups import (
    TeamRhythm as TeamRhythm,
)
from .standups import (
    TrackingPreference as TrackingPreference,
)
