"""The goal tree read as plain rows (`values()`), for the tree API: hundreds of goals without a
model instance or a serializer each. Re-exported by `goals.selectors`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from teams.models import Organization, Team
from teams.selectors import org_today

from .cascade import tree_order
from .models import CLOSED_STATUSES, Goal, TargetVersion
from .progress import Attainment, goal_attainment, ids_in


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


PAGE_FIELDS = ("id", "title", "scope", "status", "team_id", "team__name", "owner__user__display_name",
               "owner__user__email", "parent_id", "weight", "start_date", "end_date", "unit", "aggregation")  # fmt: skip


@dataclass(frozen=True)
class TreePageRow:
    """A row of the goal tree page as plain values: the goal's fields (PAGE_FIELDS), its depth and
    what it hides, the targets in force today (base, challenge, stretch), the revision that takes
    effect later (number, effective from) if any, and its progress."""

    goal: dict[str, Any]
    depth: int
    hidden: int
    targets: tuple[Any, Any, Any]
    scheduled: tuple[int, Any] | None
    progress: Attainment | None


def goal_tree_page(
    *, org: Organization, team: Team | None, include_closed: bool, root_id: int | None, max_depth: int | None,
    max_rows: int | None, limit: int | None,
) -> tuple[list[TreePageRow], int]:  # fmt: skip
    """The goal tree page's first `limit` rows (all without a limit) as plain rows (`values()`), and
    how many rows the whole tree has: three queries whatever the number of goals (and the roll-up of
    progress, from the shared cache when warm), no model instance. The targets are those in force
    today (`selectors.version_in_force`), the revision after them the one `version_scheduled` names."""
    order = tree_shape(org=org, team=team, include_closed=include_closed, root_id=root_id,
                       max_depth=max_depth, max_rows=max_rows)  # fmt: skip
    shown = order if limit is None else order[:limit]
    ids = [pk for pk, _d, _h in shown]
    goals = {
        row["id"]: row for row in Goal.objects.filter(org=org, pk__in=ids).order_by().values(*PAGE_FIELDS)
    }
    versions: dict[int, list[tuple[int, Any, Any, Any, Any]]] = {}
    for goal_id, number, effective_from, base, challenge, stretch in (
        TargetVersion.objects.filter(goal_id__in=list(goals)).order_by("goal_id", "number")
        .values_list("goal_id", "number", "effective_from", "base", "challenge", "stretch")
    ):  # fmt: skip
        versions.setdefault(goal_id, []).append((number, effective_from, base, challenge, stretch))
    on = org_today(org)
    progress = goal_attainment(org=org, goal_ids=list(goals))
    rows = []
    for pk, depth, hidden in shown:
        if pk not in goals:
            continue
        found = versions.get(pk)
        if not found:
            raise Http404("This goal has no targets.")  # as version_in_force
        current = found[0]
        for candidate in found:
            if candidate[1] <= on:
                current = candidate
        later = [v for v in found if v[0] > current[0] and v[1] > on]
        rows.append(TreePageRow(goal=goals[pk], depth=depth, hidden=hidden, targets=current[2:],
                                scheduled=later[-1][:2] if later else None, progress=progress.get(pk)))  # fmt: skip
    return rows, len(order)
