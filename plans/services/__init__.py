"""Every write of the plans app: keyword-only, typed, transactional, audited. One module per
sub-domain, re-exported here so that callers (``from plans import services``) keep their names:

- ``initiatives``: create and update a plan's initiatives, and the errors an input is refused with;
- ``progress``: progress reports, milestones reached, experiments closed with their lesson;
- ``dependencies``: finish-to-start links;
- ``squads``: squads and people's capacity;
- ``budgets``: a team's budget and moving budget between initiatives;
- ``checks``: the limits and checks these share.

Who may do what is decided in ``plans.selectors`` (``can_plan``, ``can_change_initiative``, …);
a service enforces it with ``.require()``."""

from __future__ import annotations

from .budgets import (
    budget_reallocate,
    team_budget_set,
)
from .checks import (
    CENT,
    FIELDS,
    MAX_DIMENSION,
    MAX_MONEY,
    MAX_NEEDS_NOTE,
    MAX_SQUAD_NAME,
    MAX_TITLE,
    OWNER_ROLES,
)
from .dependencies import (
    dependency_add,
    dependency_remove,
)
from .initiatives import (
    InitiativeInput,
    initiative_create,
    initiative_update,
    validate_input,
)
from .progress import (
    derived_status,
    initiative_progress,
    progress_errors,
)
from .squads import (
    capacity_set,
    squad_create,
    squad_update,
)

__all__ = [
    "CENT",
    "FIELDS",
    "InitiativeInput",
    "MAX_DIMENSION",
    "MAX_MONEY",
    "MAX_NEEDS_NOTE",
    "MAX_SQUAD_NAME",
    "MAX_TITLE",
    "OWNER_ROLES",
    "budget_reallocate",
    "capacity_set",
    "dependency_add",
    "dependency_remove",
    "derived_status",
    "initiative_create",
    "initiative_progress",
    "initiative_update",
    "progress_errors",
    "squad_create",
    "squad_update",
    "team_budget_set",
    "validate_input",
]
