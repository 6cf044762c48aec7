"""Every read of the tracking app, always scoped to an organisation, by sub-domain: who changes
what (`rights`), stand-ups, values and indicators, alerts, channels, the team dashboard, reviews,
my work and the overview. `results` is the one read of how goals did in a period that the apps
above tracking use. The names callers use are re-exported here."""

from goals.selectors import can_change_goal as can_change_goal
from goals.selectors import goal_get as goal_get  # the one way to fetch a goal (404 otherwise)
from teams.selectors import can_manage_team as can_manage_team
from teams.selectors import team_get as team_get  # the one way to fetch a team (404 otherwise)

from .alerts import (
    RULE_DEFAULTS as RULE_DEFAULTS,
)
from .alerts import (
    RuleSetting as RuleSetting,
)
from .alerts import (
    action_get as action_get,
)
from .alerts import (
    action_list as action_list,
)
from .alerts import (
    alert_get as alert_get,
)
from .alerts import (
    alert_history as alert_history,
)
from .alerts import (
    alert_list as alert_list,
)
from .alerts import (
    inbox_context as inbox_context,
)
from .alerts import (
    notification_list as notification_list,
)
from .alerts import (
    rule_settings as rule_settings,
)
from .alerts import (
    unread_count as unread_count,
)
from .channels import (
    CHANNEL_FAILING as CHANNEL_FAILING,
)
from .channels import (
    CHANNEL_NEVER_USED as CHANNEL_NEVER_USED,
)
from .channels import (
    CHANNEL_WORKING as CHANNEL_WORKING,
)
from .channels import (
    RECENT_DELIVERIES as RECENT_DELIVERIES,
)
from .channels import (
    ChannelRow as ChannelRow,
)
from .channels import (
    DeliveryRow as DeliveryRow,
)
from .channels import (
    channel_get as channel_get,
)
from .channels import (
    channel_list as channel_list,
)
from .channels import (
    channel_queryset as channel_queryset,
)
from .channels import (
    channel_rows as channel_rows,
)
from .channels import (
    channel_status as channel_status,
)
from .channels import (
    delivery_get as delivery_get,
)
from .channels import (
    delivery_queryset as delivery_queryset,
)
from .channels import (
    delivery_rows as delivery_rows,
)
from .channels import (
    delivery_what as delivery_what,
)
from .dashboards import (
    CHART_LIMIT as CHART_LIMIT,
)
from .dashboards import (
    GoalCard as GoalCard,
)
from .dashboards import (
    TeamDashboard as TeamDashboard,
)
from .dashboards import (
    burnup_chart as burnup_chart,
)
from .dashboards import (
    team_dashboard as team_dashboard,
)
from .overview import (
    Contribution as Contribution,
)
from .overview import (
    TeamSummary as TeamSummary,
)
from .overview import (
    my_work as my_work,
)
from .overview import (
    org_overview as org_overview,
)
from .reviews import (
    ReviewGoal as ReviewGoal,
)
from .reviews import (
    ReviewPage as ReviewPage,
)
from .reviews import (
    review_page as review_page,
)
from .reviews import (
    snapshots_as_of as snapshots_as_of,
)
from .rights import (
    MANAGING_ROLES as MANAGING_ROLES,
)
from .rights import (
    VALUE_ROLES as VALUE_ROLES,
)
from .rights import (
    WORKER_ROLES as WORKER_ROLES,
)
from .rights import (
    action_owners as action_owners,
)
from .rights import (
    can_act_on as can_act_on,
)
from .rights import (
    can_enter_values as can_enter_values,
)
from .rights import (
    can_update_action as can_update_action,
)
from .rights import (
    deletable_entry_ids as deletable_entry_ids,
)
from .rights import (
    enterable_goal_ids as enterable_goal_ids,
)
from .rights import (
    may_attribute_value as may_attribute_value,
)
from .rights import (
    may_own_action as may_own_action,
)
from .rights import (
    updatable_action_ids as updatable_action_ids,
)
from .rights import (
    value_people as value_people,
)
from .standups import (
    STANDUP_GOAL_LIMIT as STANDUP_GOAL_LIMIT,
)
from .standups import (
    BoardRow as BoardRow,
)
from .standups import (
    TeamBoard as TeamBoard,
)
from .standups import (
    blockers_resolved as blockers_resolved,
)
from .standups import (
    contributing_goals as contributing_goals,
)
from .standups import (
    reminder_channel as reminder_channel,
)
from .standups import (
    standup_get as standup_get,
)
from .standups import (
    standup_get_in_org as standup_get_in_org,
)
from .standups import (
    standup_list as standup_list,
)
from .standups import (
    team_board as team_board,
)
from .standups import (
    team_rhythm as team_rhythm,
)
from .standups import (
    unresolved_blockers as unresolved_blockers,
)
from .values import (
    IndicatorRow as IndicatorRow,
)
from .values import (
    averaged_series as averaged_series,
)
from .values import (
    daily_totals as daily_totals,
)
from .values import (
    entry_get as entry_get,
)
from .values import (
    entry_list as entry_list,
)
from .values import (
    import_job_get as import_job_get,
)
from .values import (
    import_jobs as import_jobs,
)
from .values import (
    in_force as in_force,
)
from .values import (
    indicator_overview as indicator_overview,
)
from .values import (
    last_entry_day as last_entry_day,
)
from .values import (
    latest_attainment as latest_attainment,
)
from .values import (
    latest_measures as latest_measures,
)
from .values import (
    latest_snapshots as latest_snapshots,
)
from .values import (
    member_teams as member_teams,
)
from .values import (
    newest_snapshot_day as newest_snapshot_day,
)
from .values import (
    org_teams as org_teams,
)
from .values import (
    snapshot_list as snapshot_list,
)
