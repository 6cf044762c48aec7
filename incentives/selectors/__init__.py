"""Every read of the incentives app, always scoped to an organisation, by sub-domain: a period's
payouts (`payouts`), one person's pay as pages ask for it (`person`), schemes and salaries
(`schemes`), payout runs (`runs`), who may see or move money (`rights`) and the money grants with
the team pay they open (`grants`). The names are
re-exported here, so callers import `incentives.selectors` as before."""

from .grants import (
    TeamPayRow,
    grantable_managers,
    money_grant_get,
    money_grant_list,
    team_pay_people,
    team_pay_rows,
)
from .payouts import (
    TIER_ORDER,
    PeriodFacts,
    base_in,
    base_salary,
    currency_format,
    curve_of,
    has_pending_revisions,
    parts_in,
    payout_in,
    period_facts,
    person_payout,
    revised_payout,
    scheme_for,
    scheme_in,
    scheme_payout,
    target_bonus_of,
    tier_label,
)
from .person import PayoutQuery, current_quarter, curve_points, pay_page, payout_body, payout_query
from .rights import (
    can_approve_run,
    can_decide_runs,
    can_grant_money,
    can_run_payouts,
    can_see_money,
    can_see_payout_line,
    has_money_grant,
    manages_money,
    money_reach,
)
from .runs import (
    ACTIONS,
    FIELDS,
    LINES_PER_PAGE,
    MONEY_FIELDS,
    WARNING_PEOPLE,
    HistoryRow,
    RunWarning,
    TeamTotal,
    WarnedPerson,
    line_get,
    payslips,
    period_open_warning,
    run_get,
    run_history,
    run_line_values,
    run_lines,
    run_list,
    run_successor,
    run_team_totals,
    run_warnings,
)
from .schemes import (
    SchemeWhatIf,
    assignment_target,
    salary_list,
    scheme_curve,
    scheme_get,
    scheme_list,
    scheme_what_if_query,
)

__all__ = [
    "ACTIONS", "FIELDS", "LINES_PER_PAGE", "MONEY_FIELDS", "TIER_ORDER", "WARNING_PEOPLE",
    "HistoryRow", "PayoutQuery", "PeriodFacts", "RunWarning", "SchemeWhatIf", "TeamTotal", "WarnedPerson",
    "assignment_target", "base_in", "base_salary", "can_approve_run", "can_decide_runs", "can_run_payouts",
    "can_see_money", "current_quarter", "currency_format", "curve_of", "curve_points", "has_pending_revisions",
    "line_get", "manages_money", "parts_in", "pay_page", "payout_body", "payout_in", "payout_query",
    "payslips", "period_facts", "period_open_warning", "person_payout", "revised_payout", "run_get",
    "run_history", "run_line_values", "run_lines", "run_list", "run_successor", "run_team_totals", "run_warnings",
    "salary_list", "scheme_curve", "scheme_for", "scheme_get", "scheme_in", "scheme_list", "scheme_payout",
    "scheme_what_if_query", "target_bonus_of", "tier_label", "TeamPayRow", "can_grant_money", "can_see_payout_line", "grantable_managers",
    "has_money_grant", "money_grant_get", "money_grant_list", "money_reach", "team_pay_people", "team_pay_rows",
]  # fmt: skip
