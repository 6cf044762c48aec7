"""The goal tree read as plain rows (`values()`), for the tree API: hundreds of goals without a
model instance or a serializer each. Re-exported by `goals.selectors`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from teams.models import Organization, Team

from .cascade import tree_order
from .models import CLOSED_STATUSES, Goal, TargetVersion
from .progress import ids_in


def tree_shape(
    *, org: Organization, team: Team | None, include_closed: bool, root_id: int | None,
    max_depth: int | None, max_rows: int | None,
) -> list[tuple[int, int, int]]:  # fmt: skip
    """(goal id, depth, hidden) in tree order, from the organisation's goals read as bare ids."""
    shape = Goal.objects.filter(org=org)
    if not include_closed:
        shape = shape.exclude(status__in=CLOSED_STATUSES)
    rows_ = list(shape.order_by("start_date", "title", "id").values_list("pk", "parent_id", "team_id"))
    return tree_order(rows_, team_id=team.pk if team is not None else None, root_id=root_id,
                      max_depth=max_depth, max_rows=max_rows)  # fmt: skip


TREE_FIELDS = ("id", "title", "scope", "status", "team_id", "owner_id", "parent_id", "weight", "start_date",
               "end_date", "metric_name", "unit")  # fmt: skip


@dataclass(frozen=True)
class TreeValues:
    """A tree row as plain values (the tree API): the goal's fields, its latest targets
    (base, challenge, stretch, version number), its depth and what it hides."""

    goal: dict[str, Any]
    targets: tuple[Any, Any, Any, int]
    depth: int
    hidden: int = 0


def goal_tree_values(
    *,
    org: Organization,
    team: Team | None = None,
    include_closed: bool = True,
    root_id: int | None = None,
    max_depth: int | None = None,
) -> list[TreeValues]:
    """`goal_tree` read as plain rows (`values()`): the same goals in the same order, each with
    its current targets (the latest version), for pages and APIs that show hundreds of goals
    without needing model instances. Three queries whatever the number of goals."""
    order = tree_shape(org=org, team=team, include_closed=include_closed, root_id=root_id,
                        max_depth=max_depth, max_rows=None)  # fmt: skip
    ids = [pk for pk, _d, _h in order]
    goals = {
        row["id"]: row
        for row in Goal.objects.filter(ids_in("pk", ids), org=org).order_by().values(*TREE_FIELDS)
    }
    latest: dict[int, tuple[Any, Any, Any, int]] = {}
    # Thousands of ids as one array parameter (goals.progress.ids_in), not one bound parameter each.
    versions = TargetVersion.objects.filter(ids_in("goal_id", list(goals))).order_by("goal_id", "number")
    for goal_id, base, challenge, stretch, number in versions.values_list(
        "goal_id", "base", "challenge", "stretch", "number"
    ):
        latest[goal_id] = (base, challenge, stretch, number)  # the last one wins: the newest
    if any(pk not in latest for pk in goals):
        raise Http404("This goal has no targets.")  # as current_version
    return [
        TreeValues(goal=goals[pk], targets=latest[pk], depth=depth, hidden=hidden)
        for pk, depth, hidden in order
        if pk in goals
    ]
