"""Every write of the incentives app, by sub-domain: bonus schemes and their assignments
(`schemes`), salaries (`salaries`), the managers' money grants (`grants`), payout runs (`runs`). The names
are re-exported here, so callers import `incentives.services` as before. The reads a payout needs
(a period's facts, a person's pay explained) are selectors: `incentives.selectors.payouts`."""

from .grants import money_grant_create, money_grant_revoke
from .runs import (
    ATTAINMENT_LIMIT,
    MONEY_LIMIT,
    OPEN_RUN,
    RUN_CHUNK,
    STUCK_AFTER,
    run_approve,
    run_compute,
    run_is_stuck,
    run_line_adjust,
    run_new_version,
    run_retry,
    run_return,
    run_start,
    run_submit,
)
from .salaries import salary_set
from .schemes import SchemeInput, scheme_assign, scheme_save
from .sweeps import RUN_REQUEUES, runs_sweep

__all__ = [
    "ATTAINMENT_LIMIT", "MONEY_LIMIT", "OPEN_RUN", "RUN_CHUNK", "STUCK_AFTER", "SchemeInput", "money_grant_create",
    "money_grant_revoke",
    "run_approve", "run_compute", "run_is_stuck", "run_line_adjust", "run_new_version", "run_retry",
    "run_return", "run_start", "run_submit", "RUN_REQUEUES", "runs_sweep", "salary_set", "scheme_assign", "scheme_save",
]  # fmt: skip
