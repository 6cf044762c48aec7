"""A plan's analysis: critical paths, conflicts (overload, dependency, lateness, budget) and slip
risk, computed per goal from plain tasks (see plans.schedule)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q, Sum

from goals.models import OPEN_STATUSES
from teams.models import Organization
from teams.selectors import org_today

from ..cache import plan_version
from ..models import FINISHED, Capacity, Dependency, Initiative, Status, TeamBudget
from ..schedule import (
    Conflict,
    CriticalPath,
    Task,
    budget_conflicts,
    critical_path,
    dependency_conflicts,
    late_conflicts,
    overloads,
)
from .people import DEFAULT_CAPACITY


def _task(i: Initiative) -> Task:
    return Task(
        id=i.pk, title=i.title, start=i.start_date, due=i.due_date, priority=i.priority, status=i.status,
        owner_id=i.owner_id, goal_id=i.goal_id, goal_end=i.goal.end_date, budget=i.budget, team_id=i.goal.team_id,
    )  # fmt: skip


@dataclass
class PlanAnalysis:
    critical: CriticalPath  # one goal's plan: its critical path; several goals: the one that ends last
    conflicts: list[Conflict]
    at_risk_goal_ids: set[int] = field(default_factory=set)
    slipped_ids: set[int] = field(default_factory=set)
    critical_by_goal: dict[int, CriticalPath] = field(default_factory=dict)

    @property
    def critical_ids(self) -> set[int]:
        """Every initiative on the critical path of its own goal."""
        return {pk for path in self.critical_by_goal.values() for pk in path.ids}


def _slipped(tasks: list[Task], today: date) -> set[int]:
    return {t.id for t in tasks if t.due and t.due < today and not t.finished}


@dataclass(frozen=True)
class PlanRisk:
    """Why a goal's plan is at risk: an unfinished initiative on its critical path is past due
    ("slipped", by ``days``), or the path is projected to end ``days`` after the goal's period
    ("late"); ``initiative`` is the one to look at."""

    kind: str  # "slipped" or "late"
    days: int
    initiative_id: int
    initiative: str

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "days": self.days, "initiative_id": self.initiative_id,
                "initiative": self.initiative}  # fmt: skip


def _paths_by_goal(
    tasks: list[Task], edges: list[tuple[int, int]], today: date
) -> tuple[dict[int, CriticalPath], dict[int, PlanRisk]]:
    """The critical path of each goal's plan (links within the goal), and the goals at risk with
    why: an unfinished initiative on the goal's critical path is past due, or the path is projected
    to end after the goal's period. Unfinished work past its due date is projected to finish today."""
    slipped = _slipped(tasks, today)
    originals = {t.id: t for t in tasks}
    by_goal: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        projected = replace(t, due=today) if t.id in slipped else t
        by_goal[t.goal_id or 0].append(projected)
    goal_of = {t.id: t.goal_id or 0 for t in tasks}
    edges_by_goal: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in edges:
        if a in goal_of and goal_of.get(b) == goal_of[a]:
            edges_by_goal[goal_of[a]].append((a, b))
    paths: dict[int, CriticalPath] = {}
    at_risk: dict[int, PlanRisk] = {}
    for goal_id, items in by_goal.items():
        path = critical_path(items, edges_by_goal[goal_id])
        paths[goal_id] = path
        if not path.ids:
            continue
        goal_end = items[0].goal_end
        late_on_path = [originals[pk] for pk in path.ids if pk in slipped]
        if late_on_path:
            worst = min(late_on_path, key=lambda t: (t.due or today, t.id))
            at_risk[goal_id] = PlanRisk(kind="slipped", days=(today - (worst.due or today)).days,
                                        initiative_id=worst.id, initiative=worst.title)  # fmt: skip
        elif path.finish is not None and goal_end is not None and path.finish > goal_end:
            last = originals[path.ids[-1]]
            at_risk[goal_id] = PlanRisk(kind="late", days=(path.finish - goal_end).days, initiative_id=last.id,
                                        initiative=last.title)  # fmt: skip
    return paths, at_risk


def _budget_requests(
    *, org: Organization, budgets: list[tuple[int, date, date, Decimal]]
) -> dict[tuple[int, date], Decimal]:
    """What all of each team's goals request in each budget's period: one aggregate query."""
    if not budgets:
        return {}
    overlapping = {
        f"b{n}": Sum("budget", filter=Q(goal__team_id=team_id, start_date__lte=end)
                     & (Q(due_date__isnull=True) | Q(due_date__gte=start)))
        for n, (team_id, start, end, _amount) in enumerate(budgets)
    }  # fmt: skip
    sums = (
        Initiative.objects.filter(org=org, goal__team_id__in={b[0] for b in budgets})
        .exclude(status=Status.CANCELLED)
        .aggregate(**overlapping)
    )
    return {(b[0], b[1]): sums[f"b{n}"] or Decimal(0) for n, b in enumerate(budgets)}


def plan_analysis(
    *, org: Organization, initiatives: list[Initiative], today: date | None = None
) -> PlanAnalysis:
    """Critical path, conflicts and slip risk for a set of initiatives (one goal's plan, a team's,
    or the organisation's). Critical paths and risk are computed per goal. Conflicts are reported
    for the initiatives given, but measured against the whole organisation: an owner's load counts
    all their unfinished initiatives, and a team's budget all the requests of the team's goals in
    the budget's period. A fixed number of queries, whatever the number of initiatives."""
    return analyse_tasks(org=org, tasks=[_task(i) for i in initiatives], today=today)


def analyse_tasks(*, org: Organization, tasks: list[Task], today: date | None = None) -> PlanAnalysis:
    """plan_analysis of initiatives already read as plans.schedule.Task (e.g. from ``values()``)."""
    today = today or org_today(org)  # the organisation's day, also in a job outside any request
    ids = {t.id for t in tasks}
    edges = list(
        Dependency.objects.filter(Q(predecessor_id__in=ids) | Q(successor_id__in=ids)).values_list(
            "predecessor_id", "successor_id"
        )
    ) if ids else []  # fmt: skip
    horizon = max((t.goal_end for t in tasks if t.goal_end), default=today)
    owners = {t.owner_id for t in tasks if t.owner_id}
    elsewhere = [
        Task(id=pk, title=title, start=start, due=due, priority=priority, status=status, owner_id=owner_id)
        for pk, title, start, due, priority, status, owner_id in Initiative.objects.filter(
            org=org, owner_id__in=owners
        )
        .exclude(status__in=FINISHED)
        .order_by()  # not the model's ordering (a join on dimensions and a sort nobody reads)
        .values_list("pk", "title", "start_date", "due_date", "priority", "status", "owner_id")
        if pk not in ids
    ] if owners else []  # fmt: skip
    capacity = dict(Capacity.objects.filter(membership_id__in=owners).values_list("membership_id", "load"))
    team_ids = {t.team_id for t in tasks if t.team_id}
    first = min((t.start for t in tasks), default=today)
    budgets = [
        (b.team_id, b.start_date, b.end_date, b.amount)
        for b in TeamBudget.objects.filter(org=org, team_id__in=team_ids, start_date__lte=horizon,
                                           end_date__gte=first)  # fmt: skip
    ] if team_ids else []  # fmt: skip
    conflicts = [
        *overloads([*tasks, *elsewhere], capacity, default=DEFAULT_CAPACITY, horizon=horizon, focus=ids),
        *dependency_conflicts(tasks, edges),
        *late_conflicts(tasks),
        *budget_conflicts(tasks, budgets, _budget_requests(org=org, budgets=budgets)),
    ]
    paths, at_risk = _paths_by_goal(tasks, edges, today)
    longest = max(
        paths.values(),
        key=lambda p: (p.finish is not None, p.finish or today),
        default=CriticalPath([], None),
    )
    return PlanAnalysis(critical=longest, conflicts=conflicts, at_risk_goal_ids=set(at_risk),
                        slipped_ids=_slipped(tasks, today), critical_by_goal=paths)  # fmt: skip


ANALYSIS_TIMEOUT = 24 * 3600  # a day: the key carries the day anyway

# The last few analyses this process read or computed, by their full key. The key carries the
# plans' version, read from the shared cache on every call, so a write anywhere (another process,
# a worker) gives the next read a new key: this only spares reading and unpickling the same
# analysis again (~1 ms for 500 initiatives). Shared between requests: read it, never change it.
_RECENT: OrderedDict[str, PlanAnalysis] = OrderedDict()
_RECENT_SIZE = 32
_RECENT_LOCK = threading.Lock()


def _remember(key: str, analysis: PlanAnalysis) -> None:
    with _RECENT_LOCK:
        _RECENT[key] = analysis
        _RECENT.move_to_end(key)
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)


def plan_analysis_cached(
    *, org: Organization, scope: str, initiatives: list[Initiative] | None = None,
    tasks: list[tuple[Task, datetime | None]] | None = None,
    stamps: list[tuple[int, datetime | None]] | None = None, make_tasks: Callable[[], list[Task]] | None = None,
) -> PlanAnalysis:  # fmt: skip
    """``plan_analysis`` of one goal's plan or one team's (``scope``, e.g. "goal:12" or "team:3"),
    from the shared cache while the organisation's plans have not changed (plans.cache moves
    their version on every write) and the organisation's day is the same. The key also carries
    the initiatives given and when each last changed, so another set never reads this one's.
    Pass the initiatives, or ``tasks``: (task, the initiative's updated_at) read with ``values()``,
    or ``stamps`` (each initiative's id and updated_at) with ``make_tasks``, called only when the
    analysis is not in the cache (a page that finds it builds no tasks)."""
    today = org_today(org)
    if stamps is None:
        pairs = tasks if tasks is not None else [(_task(i), i.updated_at) for i in initiatives or []]
        stamps = [(t.id, stamp) for t, stamp in pairs]
        make_tasks = lambda: [t for t, _stamp in pairs]  # noqa: E731
    rows = ";".join(f"{pk}@{stamp.timestamp() if stamp else ''}" for pk, stamp in stamps)
    digest = hashlib.sha256(rows.encode()).hexdigest()[:32]
    key = f"plans:analysis:{org.pk}:{scope}:{plan_version(org_id=org.pk)}:{today.isoformat()}:{digest}"
    found = _RECENT.get(key)
    if found is not None:
        return found
    found = cache.get(key)
    if isinstance(found, PlanAnalysis):
        _remember(key, found)
        return found
    analysis = analyse_tasks(org=org, tasks=make_tasks() if make_tasks else [], today=today)
    cache.set(key, analysis, timeout=ANALYSIS_TIMEOUT)
    _remember(key, analysis)
    return analysis


def goals_at_risk(
    *, org: Organization, today: date | None = None, goal_ids: Iterable[int] | None = None
) -> set[int]:
    """The open goals of the organisation (or only the given ones) whose plan is at risk (see
    plan_analysis and plan_risks)."""
    return set(plan_risks(org=org, today=today, goal_ids=goal_ids))


def plan_risks(
    *, org: Organization, today: date | None = None, goal_ids: Iterable[int] | None = None
) -> dict[int, PlanRisk]:
    """{goal id: why its plan is at risk} for the open goals of the organisation (or only the given
    ones): two queries, whatever the size of the organisation. Paths are per goal, so asking for a
    few goals gives the same answer for them as asking for all. The tracking app turns these into
    alerts and into the reason a goal is "at risk"."""
    today = today or org_today(org)  # the organisation's day, also in a job outside any request
    initiatives = Initiative.objects.filter(org=org, goal__status__in=OPEN_STATUSES)
    links = Dependency.objects.filter(successor__org=org, successor__goal__status__in=OPEN_STATUSES)
    if goal_ids is not None:
        wanted = list(goal_ids)
        initiatives = initiatives.filter(goal_id__in=wanted)
        links = links.filter(successor__goal_id__in=wanted)
    tasks = [
        Task(id=pk, title=title, start=start, due=due, status=status, goal_id=goal_id, goal_end=goal_end)
        for pk, title, goal_id, start, due, status, goal_end in initiatives.values_list(
            "pk", "title", "goal_id", "start_date", "due_date", "status", "goal__end_date"
        )
    ]  # fmt: skip
    if not tasks:
        return {}
    edges = list(links.values_list("predecessor_id", "successor_id"))
    return _paths_by_goal(tasks, edges, today)[1]
