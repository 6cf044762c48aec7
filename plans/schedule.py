"""Scheduling arithmetic for action plans: dependency cycles, the critical path and the plan's
conflicts. Pure functions over light records, so 10,000 initiatives are checked in memory."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .models import FINISHED, PRIORITY_LOAD, PRIORITY_RANK


@dataclass(frozen=True)
class Task:
    id: int
    title: str
    start: date
    due: date | None  # None: ongoing
    priority: str = "P2"
    status: str = "not_started"
    owner_id: int | None = None
    goal_id: int | None = None
    goal_end: date | None = None
    budget: Decimal | None = None
    team_id: int | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def end(self, horizon: date) -> date:
        return self.due or horizon


Edge = tuple[int, int]  # (predecessor, successor)


def find_cycle(edges: Iterable[Edge], new: Edge) -> list[int] | None:
    """The cycle that adding ``new`` (predecessor → successor) would close, as the ids along it
    (starting and ending with the predecessor), or None."""
    pred, succ = new
    if pred == succ:
        return [pred, pred]
    successors: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        successors[a].append(b)
    # Search from the new successor back to the new predecessor.
    parent: dict[int, int] = {succ: pred}
    queue = deque([succ])
    while queue:
        node = queue.popleft()
        if node == pred:
            path = [pred]
            current = pred
            while True:
                current = parent[current]
                path.append(current)
                if current == pred:
                    break
            path.reverse()
            return path
        for nxt in successors.get(node, []):
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return None


@dataclass
class CriticalPath:
    ids: list[int]  # in order along the path
    finish: date | None
    slack: dict[int, int] = field(default_factory=dict)  # days each task can slip


def critical_path(tasks: Sequence[Task], edges: Iterable[Edge]) -> CriticalPath:
    """Finish-to-start scheduling: a task starts no earlier than planned and the day after its
    predecessors finish. The critical path is the chain of zero-slack tasks that ends last."""
    timed = {t.id: t for t in tasks if t.due is not None}
    succ: dict[int, list[int]] = defaultdict(list)
    pred: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        if a in timed and b in timed:
            succ[a].append(b)
            pred[b].append(a)
    indegree = {i: len(pred[i]) for i in timed}
    order: list[int] = []
    queue = deque(sorted((i for i, d in indegree.items() if d == 0), key=lambda i: timed[i].start))
    while queue:
        node = queue.popleft()
        order.append(node)
        for nxt in succ[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                queue.append(nxt)
    if not order:
        return CriticalPath(ids=[], finish=None)
    duration = {i: (timed[i].due - timed[i].start).days + 1 for i in order}  # type: ignore[operator]
    early_start: dict[int, date] = {}
    early_finish: dict[int, date] = {}
    for i in order:
        start = timed[i].start
        for p in pred[i]:
            start = max(start, early_finish[p] + timedelta(days=1))
        early_start[i] = start
        early_finish[i] = start + timedelta(days=duration[i] - 1)
    finish = max(early_finish.values())
    late_finish: dict[int, date] = {}
    for i in reversed(order):
        lf = finish
        for s in succ[i]:
            lf = min(lf, late_finish[s] - timedelta(days=duration[s]))
        late_finish[i] = lf
    slack = {i: (late_finish[i] - early_finish[i]).days for i in order}
    end = max((i for i in order if slack[i] == 0), key=lambda i: early_finish[i])
    path = [end]
    while True:
        critical_preds = [
            p
            for p in pred[path[-1]]
            if slack[p] == 0 and early_finish[p] + timedelta(days=1) >= early_start[path[-1]]
        ]
        if not critical_preds:
            break
        path.append(max(critical_preds, key=lambda p: early_finish[p]))
    path.reverse()
    return CriticalPath(ids=path, finish=finish, slack=slack)


@dataclass(frozen=True)
class Conflict:
    kind: str  # overload / budget / blocked_p0 / late / early_start
    ids: tuple[int, ...]
    detail: dict[str, object]


def overloads(
    tasks: Sequence[Task],
    capacity: dict[int, Decimal],
    *,
    default: Decimal,
    horizon: date,
    focus: set[int] | None = None,
) -> list[Conflict]:
    """Owners whose overlapping, unfinished initiatives weigh more (by priority) than they carry.
    With ``focus`` (the initiatives shown), only the peaks that involve one of them are reported;
    the other tasks still count (an owner's load is everything they carry)."""
    by_owner: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        if t.owner_id is not None and not t.finished:
            by_owner[t.owner_id].append(t)
    conflicts = []
    for owner, items in by_owner.items():
        limit = capacity.get(owner, default)
        events: list[tuple[date, int, Task]] = []
        for t in items:
            events.append((t.start, 1, t))
            events.append((t.end(horizon) + timedelta(days=1), -1, t))
        events.sort(key=lambda e: (e[0], e[1]))
        active: dict[int, Task] = {}
        load = Decimal(0)
        peak: tuple[Decimal, date, tuple[int, ...]] | None = None
        for day, change, t in events:
            if change == 1:
                active[t.id] = t
                load += PRIORITY_LOAD.get(t.priority, Decimal(1))
                if (
                    load > limit
                    and (peak is None or load > peak[0])
                    and (focus is None or not focus.isdisjoint(active))
                ):
                    peak = (load, day, tuple(sorted(active)))
            else:
                active.pop(t.id, None)
                load -= PRIORITY_LOAD.get(t.priority, Decimal(1))
        if peak is not None:
            conflicts.append(Conflict("overload", peak[2], {"owner": owner, "load": peak[0], "capacity": limit,
                                                            "on": peak[1]}))  # fmt: skip
    return conflicts


def dependency_conflicts(tasks: Sequence[Task], edges: Iterable[Edge]) -> list[Conflict]:
    by_id = {t.id: t for t in tasks}
    conflicts = []
    for a, b in edges:
        p, s = by_id.get(a), by_id.get(b)
        if p is None or s is None or s.finished:
            continue
        if s.priority == "P0" and PRIORITY_RANK.get(p.priority, 2) > 0 and not p.finished:
            conflicts.append(Conflict("blocked_p0", (s.id, p.id), {"priority": p.priority}))
        if p.due is None and not p.finished:
            conflicts.append(Conflict("early_start", (s.id, p.id), {"predecessor_due": None}))
        elif p.due is not None and s.start <= p.due and not p.finished:
            conflicts.append(Conflict("early_start", (s.id, p.id), {"predecessor_due": p.due}))
    return conflicts


def late_conflicts(tasks: Sequence[Task]) -> list[Conflict]:
    return [
        Conflict("late", (t.id,), {"due": t.due, "goal_end": t.goal_end})
        for t in tasks
        if t.due is not None and t.goal_end is not None and t.due > t.goal_end and not t.finished
    ]


def budget_conflicts(
    tasks: Sequence[Task],
    budgets: Sequence[tuple[int, date, date, Decimal]],
    requested: dict[tuple[int, date], Decimal] | None = None,
) -> list[Conflict]:
    """Teams whose initiatives request more than the team's budget for the period. ``requested``
    gives, per (team, budget start), the sum over all the team's goals (not only the tasks given);
    the conflict names the given tasks that take part."""
    conflicts = []
    for team_id, start, end, amount in budgets:
        items = [t for t in tasks if t.team_id == team_id and t.budget and t.start <= end and t.end(end) >= start
                 and t.status != "cancelled"]  # fmt: skip
        total = sum((t.budget for t in items if t.budget), Decimal(0))
        if requested is not None:
            total = max(total, requested.get((team_id, start), Decimal(0)))
        if items and total > amount:
            conflicts.append(Conflict("budget", tuple(t.id for t in items), {"team": team_id, "requested": total,
                                                                               "available": amount}))  # fmt: skip
    return conflicts
