"""Thin pages of the tracking app, by sub-domain: stand-ups (the home, the stand-up, the team
board, my work, the overview), values, alerts and reviews. Every view is re-exported here for
`tracking.urls` (and the home page's stand-up panel for the teams hook)."""

from .alerts import (
    action_update_view,
    alert_detail_view,
    alert_list_view,
    alert_resolve_view,
    channels_view,
    inbox_view,
    rule_view,
)
from .reviews import dashboard_view, monthly_export_view, monthly_review_view, weekly_review_view
from .standups import (
    board_view,
    index_view,
    my_work_view,
    overview_view,
    preference_view,
    rhythm_view,
    standup_blocker_resolve_view,
    standup_home_panel,
    standup_view,
)
from .values import entry_delete_view, import_job_view, values_import_view, values_template_view, values_view

__all__ = [
    "action_update_view",
    "alert_detail_view",
    "alert_list_view",
    "alert_resolve_view",
    "board_view",
    "channels_view",
    "dashboard_view",
    "entry_delete_view",
    "import_job_view",
    "inbox_view",
    "index_view",
    "monthly_export_view",
    "monthly_review_view",
    "my_work_view",
    "overview_view",
    "preference_view",
    "rhythm_view",
    "rule_view",
    "standup_blocker_resolve_view",
    "standup_home_panel",
    "standup_view",
    "values_import_view",
    "values_template_view",
    "values_view",
    "weekly_review_view",
]
