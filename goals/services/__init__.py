"""Every write of the goals app: keyword-only, typed, transactional, audited.

One module per sub-domain, re-exported here so that ``goals.services.goal_create`` (and every
other name callers use) keeps working:

* ``common``: the tiers and their validation, the audit scope and snapshot of a goal's targets;
* ``goals``: create, edit, move along the statuses, and who may change a goal;
* ``inputs``: comments (with proposals) and supporting metrics;
* ``decomposition``: slices of a goal's targets, and splitting a team goal among its members;
* ``revisions``: requests to revise an active goal's targets, and their decision."""

from __future__ import annotations

from .common import (
    GOAL_FIELDS,
    MAX_VALUE,
    PROPOSAL_FIELDS,
    TIER_FIELDS,
    audit_scope,
    is_realistic,
    tier_label,
    to_decimal,
    validate_tiers,
    version_snapshot,
)
from .decomposition import (
    DECOMPOSABLE,
    Allocation,
    SliceInput,
    decomposition_apply,
    decomposition_preview,
    goal_split_to_members,
)
from .goals import (
    GoalInput,
    goal_create,
    goal_set_status,
    goal_update,
    next_statuses,
    require_goal_change,
)
from .inputs import comment_add, supporting_metric_delete, supporting_metric_save
from .revisions import require_revision_decision, require_revision_request, revision_decide, revision_request

__all__ = [
    "DECOMPOSABLE",
    "GOAL_FIELDS",
    "MAX_VALUE",
    "PROPOSAL_FIELDS",
    "TIER_FIELDS",
    "Allocation",
    "GoalInput",
    "SliceInput",
    "audit_scope",
    "comment_add",
    "decomposition_apply",
    "decomposition_preview",
    "goal_create",
    "goal_set_status",
    "goal_split_to_members",
    "goal_update",
    "is_realistic",
    "next_statuses",
    "require_goal_change",
    "require_revision_decision",
    "require_revision_request",
    "revision_decide",
    "revision_request",
    "supporting_metric_delete",
    "supporting_metric_save",
    "tier_label",
    "to_decimal",
    "validate_tiers",
    "version_snapshot",
]
