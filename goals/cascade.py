"""The cascade's shape as a tree, computed from bare ids: which goals a tree page shows, in what
order and at what depth. A pure function; ``goals.selectors.goal_tree`` reads the shape and loads
the goals shown."""

from __future__ import annotations

from collections.abc import Sequence


def tree_order(
    shape: Sequence[tuple[int, int | None, int | None]],
    *,
    team_id: int | None = None,
    root_id: int | None = None,
    max_depth: int | None = None,
    max_rows: int | None = None,
) -> list[tuple[int, int, int]]:
    """(goal id, depth, hidden) in tree order, from the (id, parent id, team id) of every goal in
    display order; the parameters mean what they mean for ``goal_tree``."""
    parent_of = {pk: parent for pk, parent, _team in shape}
    below: dict[int | None, list[int]] = {}
    for pk, parent, _team in shape:
        below.setdefault(parent if parent in parent_of else None, []).append(pk)
    keep: set[int] | None = None
    if team_id is not None:
        keep = set()
        for pk, _parent, goal_team in shape:
            if goal_team != team_id:
                continue
            node: int | None = pk
            while node is not None and node not in keep:  # the chain up to strategy
                keep.add(node)
                node = parent_of.get(node)
            stack = list(below.get(pk, []))
            while stack:  # and everything below the team's goal
                current = stack.pop()
                if current not in keep:
                    keep.add(current)
                    stack.extend(below.get(current, []))

    def visible(pk: int) -> bool:
        return keep is None or pk in keep

    def descendants(pk: int) -> int:
        total, stack = 0, list(below.get(pk, []))
        while stack:
            current = stack.pop()
            if visible(current):
                total += 1
                stack.extend(below.get(current, []))
        return total

    def walk(parent: int | None, depth: int, limit: int | None, order: list[tuple[int, int, int]]) -> None:
        for pk in below.get(parent, []):
            if not visible(pk):
                continue
            if limit is not None and depth >= limit:
                order.append((pk, depth, descendants(pk)))
            else:
                order.append((pk, depth, 0))
                walk(pk, depth + 1, limit, order)

    start_parent: int | None = None
    start_depth = 0
    if root_id is not None:
        if root_id not in parent_of:
            return []
        node = parent_of.get(root_id)
        start_depth = 1
        while node is not None:
            start_depth, node = start_depth + 1, parent_of.get(node)
        start_parent = root_id
    limit = None if max_depth is None else start_depth + max_depth
    order: list[tuple[int, int, int]] = []
    walk(start_parent, start_depth, limit, order)
    # Too many rows for one page: show one level less (counting what each row hides), computed
    # from the shape alone, so the number of queries does not change.
    while max_rows is not None and len(order) > max_rows and limit is not None and limit > start_depth:
        limit -= 1
        order = []
        walk(start_parent, start_depth, limit, order)
    return order
