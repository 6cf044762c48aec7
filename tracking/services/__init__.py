"""Every write of the tracking app, one module per sub-domain (the sections the old services.py
had); this package re-exports their public names, so callers write `services.standup_submit`
and need not know which module holds it.

- values: metric values, one or many at once, and the checks every value goes through
- imports: values from an uploaded file
- standups: stand-ups (每日站会) and resolving a teammate's blockers
- reminders: a team's stand-up rhythm, reminder preferences and the reminder job
- indicators: the recompute that turns values into dated snapshots
- alerts: alerts (预警) raised, resolved and escalated; in-app notifications
- actions: corrective actions (纠偏)
- delivery: alert wording; sending alerts and higher apps' messages to team channels, e-mail
- integrations: the webhook channels admins configure (Settings → Integrations)
- reviews: weekly and monthly reviews
- rules: the organisation's alert rules
- jobs: which background job is alive (the job locks beat's sweeps read)

Services queue their Celery tasks (tracking.tasks) at module level; the tasks import this
package inside their bodies, so nothing is circular at import time."""

from ._common import DEFAULT_WORKING_DAYS, HISTORY_LIMIT_DAYS, TEXT_LIMIT
from .actions import ActionInput, action_add, action_update, alert_acknowledge, require_action_update
from .alerts import (
    AlertSpec,
    EvaluateResult,
    alert_resolve,
    alerts_evaluate,
    notifications_mark_read,
    notify_members,
    require_alert_action,
    working_days_before,
)
from .delivery import (
    MESSAGE_KEY_LIMIT,
    WEBHOOK_ATTEMPTS,
    WEBHOOK_TIMEOUT,
    DeliveryError,
    alert_deliver,
    alert_message,
    alert_text,
    deliveries_sweep,
    delivery_send,
    notification_email,
    team_message_deliver,
    webhook_backoff,
)
from .imports import (
    ERRORS_KEPT,
    IMPORT_CHUNK,
    IMPORT_COLUMNS,
    IMPORT_FIELDS,
    IMPORT_MAX_ROWS,
    IMPORT_OPTIONAL,
    import_failed,
    import_release,
    import_run,
    import_start,
    imports_sweep,
    values_template_csv,
)
from .indicators import (
    DEFAULT_BEHIND_PCT,
    SLICE_PREFERENCE,
    SNAPSHOT_FIELDS,
    goal_recompute_request,
    indicators_recompute,
    indicators_recompute_all,
    plan_risk,
    recompute_on_target_change,
    schedule_recompute,
)
from .integrations import channel_delete, channel_save, channel_set_enabled, channel_test, delivery_retry
from .reminders import DEFAULT_STANDUP_TIME, preference_save, rhythm_save, standup_reminders
from .reviews import require_team_change, review_action_add, review_save
from .rules import RULE_LIMITS, rule_save
from .standups import (
    STANDUP_BACKFILL_DAYS,
    StandupInput,
    standup_blocker_resolve,
    standup_submit,
)
from .values import (
    MAX_ABS_VALUE,
    MAX_ID,
    BulkResult,
    CleanEntry,
    EntryInput,
    bulk_limit,
    entries_save,
    entries_validate,
    entry_create,
    entry_delete,
    parse_value,
    require_entry_delete,
    require_value_entry,
)

__all__ = [
    "action_add",
    "action_update",
    "ActionInput",
    "alert_acknowledge",
    "alert_deliver",
    "alert_message",
    "alert_resolve",
    "alert_text",
    "alerts_evaluate",
    "AlertSpec",
    "bulk_limit",
    "BulkResult",
    "channel_delete",
    "channel_save",
    "channel_set_enabled",
    "channel_test",
    "CleanEntry",
    "DEFAULT_BEHIND_PCT",
    "DEFAULT_STANDUP_TIME",
    "DEFAULT_WORKING_DAYS",
    "deliveries_sweep",
    "delivery_retry",
    "delivery_send",
    "DeliveryError",
    "entries_save",
    "entries_validate",
    "entry_create",
    "entry_delete",
    "EntryInput",
    "ERRORS_KEPT",
    "EvaluateResult",
    "HISTORY_LIMIT_DAYS",
    "IMPORT_CHUNK",
    "IMPORT_COLUMNS",
    "import_failed",
    "IMPORT_FIELDS",
    "IMPORT_MAX_ROWS",
    "IMPORT_OPTIONAL",
    "import_release",
    "import_run",
    "import_start",
    "imports_sweep",
    "indicators_recompute",
    "indicators_recompute_all",
    "MAX_ABS_VALUE",
    "MAX_ID",
    "MESSAGE_KEY_LIMIT",
    "notification_email",
    "notifications_mark_read",
    "notify_members",
    "parse_value",
    "plan_risk",
    "preference_save",
    "recompute_on_target_change",
    "require_action_update",
    "require_alert_action",
    "require_entry_delete",
    "require_team_change",
    "require_value_entry",
    "review_action_add",
    "review_save",
    "rhythm_save",
    "RULE_LIMITS",
    "rule_save",
    "goal_recompute_request",
    "schedule_recompute",
    "SLICE_PREFERENCE",
    "SNAPSHOT_FIELDS",
    "STANDUP_BACKFILL_DAYS",
    "standup_blocker_resolve",
    "standup_reminders",
    "standup_submit",
    "StandupInput",
    "team_message_deliver",
    "TEXT_LIMIT",
    "values_template_csv",
    "WEBHOOK_ATTEMPTS",
    "webhook_backoff",
    "WEBHOOK_TIMEOUT",
    "working_days_before",
]
