"""Every read of the plans app, always scoped to an organisation. One module per sub-domain,
re-exported here so that callers (``from plans import selectors``, ``plans.selectors.plan_risks``)
keep their names:

- ``rights``: who may change a plan, report progress, set a capacity or a team budget (Verdicts);
- ``initiatives``: initiatives, the goals and teams with plans, dependencies, milestones reached;
- ``analysis``: critical paths, conflicts and slip risk;
- ``experiments``: failed experiments within the allowance (容错机制);
- ``budgets``: budget suggestions and a goal's team budget;
- ``people``: squads and what each person carries against their capacity;
- ``pages``: a goal's plan and the Gantt, as their pages show them."""

from __future__ import annotations

from .analysis import (
    PlanAnalysis,
    PlanRisk,
    goals_at_risk,
    plan_analysis,
    plan_analysis_cached,
    plan_risks,
)
from .budgets import (
    BudgetSuggestion,
    budget_suggestions,
    team_budget_for,
)
from .experiments import (
    experiment_verdicts,
    experiments_within_allowance,
    tolerated_experiment_ids,
)
from .gantt import gantt_chart, gantt_items, gantt_table
from .initiatives import (
    dependencies_of,
    dependency_get,
    dependency_list,
    goals_with_plans,
    initiative_choices,
    initiative_get,
    initiative_list,
    initiative_search,
    small_wins,
    team_initiatives,
    teams_with_plans,
)
from .pages import (
    NEED_LABELS,
    plan_page,
    url_maker,
)
from .people import (
    DEFAULT_CAPACITY,
    PersonLoad,
    people_load,
    squad_get,
    squad_list,
)
from .rights import (
    OWNER_ROLES,
    can_change_dependency,
    can_change_initiative,
    can_plan,
    can_report_progress,
    can_set_capacity,
    can_set_team_budget,
    capacity_people,
    capacity_settable_ids,
    initiative_owners,
)

__all__ = [
    "BudgetSuggestion",
    "DEFAULT_CAPACITY",
    "NEED_LABELS",
    "OWNER_ROLES",
    "PersonLoad",
    "PlanAnalysis",
    "PlanRisk",
    "budget_suggestions",
    "can_change_dependency",
    "can_change_initiative",
    "can_plan",
    "can_report_progress",
    "can_set_capacity",
    "can_set_team_budget",
    "capacity_people",
    "initiative_owners",
    "capacity_settable_ids",
    "dependencies_of",
    "dependency_get",
    "dependency_list",
    "experiment_verdicts",
    "experiments_within_allowance",
    "gantt_chart",
    "gantt_items",
    "gantt_table",
    "goals_at_risk",
    "goals_with_plans",
    "initiative_choices",
    "initiative_get",
    "initiative_list",
    "initiative_search",
    "people_load",
    "plan_analysis",
    "plan_analysis_cached",
    "plan_page",
    "url_maker",
    "plan_risks",
    "small_wins",
    "squad_get",
    "squad_list",
    "team_budget_for",
    "team_initiatives",
    "teams_with_plans",
    "tolerated_experiment_ids",
]
