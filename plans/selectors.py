"""Every read of the plans app, always scoped to an organisation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from goals.models import OPEN_STATUSES, Goal
from goals.selectors import can_change_goal
from teams.models import Membership, Organization, Role, Team
from teams.selectors import managed_team_ids, org_today

from .models import (
    FINISHED,
    PRIORITY_LOAD,
    PRIORITY_RANK,
    Capacity,
    Dependency,
    Initiative,
    Squad,
    Status,
    TeamBudget,
)
from .schedule import (
    Conflict,
    CriticalPath,
    Task,
    budget_conflicts,
    critical_path,
    dependency_conflicts,
    late_conflicts,
    overloads,
)

DEFAULT_CAPACITY = Decimal("3")
# Who may own an initiative: the roles that report progress (viewers and HR only read plans).
OWNER_ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER)


# --- Who changes a plan (the rule of goals.selectors.can_change_goal, applied to its plan) --------
def can_plan(*, member: Membership, goal: Goal) -> bool:
    """Whether `member` changes this goal's plan: adds, edits, imports initiatives, links them,
    moves budget, sets the team's budget — admins, and the managers of the goal's team (or of a
    team above it); see goals.selectors.can_change_goal."""
    return bool(can_change_goal(member=member, goal=goal))


def can_change_initiative(*, member: Membership, initiative: Initiative) -> bool:
    return initiative.org_id == member.org_id and can_plan(member=member, goal=initiative.goal)


def can_report_progress(*, member: Membership, initiative: Initiative) -> bool:
    """The initiative's owner (who reports progress, e.g. from a phone), and whoever changes the plan."""
    if not member.is_active or member.org_id != initiative.org_id:
        return False
    if initiative.owner_id == member.pk and member.role in OWNER_ROLES:
        return True
    return can_change_initiative(member=member, initiative=initiative)


def reportable_ids(*, member: Membership, goal: Goal, initiatives: list[Initiative]) -> set[int]:
    """The initiatives of one goal's plan whose progress `member` reports (`can_report_progress`
    for every row, deciding the plan once)."""
    if can_plan(member=member, goal=goal):
        return {i.pk for i in initiatives}
    if member.role not in OWNER_ROLES or not member.is_active:
        return set()
    return {i.pk for i in initiatives if i.owner_id == member.pk}


def can_change_dependency(*, member: Membership, dependency: Dependency) -> bool:
    """A finish-to-start link belongs to the plan of the work that waits (the successor)."""
    return can_change_initiative(member=member, initiative=dependency.successor)


def can_set_capacity(*, member: Membership, person: Membership) -> bool:
    """A person's capacity (what overload conflicts compare with): admins for everyone, a manager
    for the people of the teams they manage (and below)."""
    if not member.is_active or member.org_id != person.org_id:
        return False
    if member.role == Role.ADMIN:
        return True
    return member.role == Role.MANAGER and capacity_people(member=member).filter(pk=person.pk).exists()


def capacity_settable_ids(*, member: Membership, people: list[Membership]) -> set[int]:
    """Of these people, those whose capacity `member` sets (can_set_capacity for every row of the
    capacity page: no query for an admin, one for a manager)."""
    if not member.is_active:
        return set()
    if member.role == Role.ADMIN:
        return {p.pk for p in people if p.org_id == member.org_id}
    if member.role != Role.MANAGER:
        return set()
    return set(capacity_people(member=member).order_by().values_list("pk", flat=True))


def capacity_people(*, member: Membership) -> QuerySet[Membership]:
    """The people whose capacity `member` sets (can_set_capacity), for the picker."""
    people = Membership.objects.filter(org_id=member.org_id, is_active=True, role__in=OWNER_ROLES)
    if member.role == Role.ADMIN:
        return people.select_related("user").order_by("user__display_name")
    if member.role != Role.MANAGER:
        return people.none()
    return (
        people.filter(teams__in=managed_team_ids(member=member))
        .select_related("user")
        .distinct()
        .order_by("user__display_name")
    )


def initiative_list(
    *, org: Organization, goal: Goal | None = None, owner_id: int | None = None, unfinished: bool = False
) -> QuerySet[Initiative]:
    qs = (
        Initiative.objects.filter(org=org)
        .select_related("goal", "dimension", "owner__user", "squad")
        .order_by("goal_id", "dimension__position", "dimension_id", "position", "id")
    )
    if goal is not None:
        qs = qs.filter(goal=goal)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if unfinished:
        qs = qs.exclude(status__in=FINISHED)
    return qs


def goals_with_plans(*, org: Organization) -> QuerySet[Goal]:
    """Open goals with how many initiatives their plan has and how many are done."""
    return (
        Goal.objects.filter(org=org, status__in=OPEN_STATUSES)
        .select_related("team", "owner__user")
        .annotate(
            initiative_count=Count("initiatives", distinct=True),
            done_count=Count("initiatives", filter=Q(initiatives__status=Status.DONE), distinct=True),
        )
        .order_by("-initiative_count", "start_date", "title")
    )


def teams_with_plans(*, org: Organization) -> QuerySet[Team]:
    return Team.objects.filter(org=org, goals__initiatives__isnull=False).distinct().order_by("name")


def team_initiatives(*, org: Organization, team: Team, limit: int = 2000) -> list[Initiative]:
    """The initiatives of a team's open goals (for the team's Gantt)."""
    return list(initiative_list(org=org).filter(goal__team=team, goal__status__in=OPEN_STATUSES)[:limit])


def initiative_get(*, org: Organization, initiative_id: int) -> Initiative:
    try:
        return Initiative.objects.select_related("goal", "owner__user", "org", "dimension", "squad").get(
            org=org, pk=initiative_id
        )
    except Initiative.DoesNotExist:
        raise Http404("No initiative found.") from None


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
    today = today or org_today(org)  # the organisation's day, also in a job outside any request
    ids = {i.pk for i in initiatives}
    edges = list(
        Dependency.objects.filter(Q(predecessor_id__in=ids) | Q(successor_id__in=ids)).values_list(
            "predecessor_id", "successor_id"
        )
    ) if ids else []  # fmt: skip
    tasks = [_task(i) for i in initiatives]
    horizon = max((i.goal.end_date for i in initiatives), default=today)
    owners = {i.owner_id for i in initiatives}
    elsewhere = [
        Task(id=pk, title=title, start=start, due=due, priority=priority, status=status, owner_id=owner_id)
        for pk, title, start, due, priority, status, owner_id in Initiative.objects.filter(
            org=org, owner_id__in=owners
        )
        .exclude(status__in=FINISHED)
        .values_list("pk", "title", "start_date", "due_date", "priority", "status", "owner_id")
        if pk not in ids
    ] if owners else []  # fmt: skip
    capacity = dict(Capacity.objects.filter(membership_id__in=owners).values_list("membership_id", "load"))
    team_ids = {i.goal.team_id for i in initiatives if i.goal.team_id}
    first = min((i.start_date for i in initiatives), default=today)
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


# --- Experiments (容错机制) -------------------------------------------------------------------------
def _quarter_start(day: date, start_month: int) -> date:
    """The first day of the organisation's fiscal quarter that contains ``day``."""
    month0 = day.month - 1 - (day.month - start_month) % 3
    return date(day.year + month0 // 12, month0 % 12 + 1, 1)


def _quarter_end(day: date, start_month: int) -> date:
    first = _quarter_start(day, start_month)
    month0 = first.month - 1 + 3
    return date(first.year + month0 // 12, month0 % 12 + 1, 1) - timedelta(days=1)


def tolerated_experiment_ids(*, org: Organization, start: date, end: date) -> set[int]:
    """The failed innovation experiments closed between start and end (inclusive) that fall within
    the organisation's allowance (容错机制; ``Organization.experiment_allowance`` per person per
    fiscal quarter, the earliest closed first). They count against their owner nowhere in the
    product: the incentives and tracking apps exclude these ids. One query."""
    allowance = org.experiment_allowance
    if allowance <= 0 or end < start:
        return set()
    month = org.fiscal_year_start_month
    failed = (
        Initiative.objects.filter(
            org=org,
            is_experiment=True,
            status=Status.FAILED,
            finished_at__gte=_quarter_start(start, month),
            finished_at__lte=_quarter_end(end, month),
        )  # fmt: skip
        .order_by("finished_at", "id")
        .values_list("pk", "owner_id", "finished_at")
    )
    used: dict[tuple[int, date], int] = defaultdict(int)
    tolerated: set[int] = set()
    for pk, owner_id, finished in failed:
        if finished is None:  # not possible given the filter; keeps the type checker honest
            continue
        key = (owner_id, _quarter_start(finished, month))
        used[key] += 1
        if used[key] <= allowance and start <= finished <= end:
            tolerated.add(pk)
    return tolerated


def experiments_within_allowance(
    *, org: Organization, owner_id: int, quarter_start: date, quarter_end: date
) -> set[int]:
    """One person's tolerated failed experiments in a period (see tolerated_experiment_ids)."""
    tolerated = tolerated_experiment_ids(org=org, start=quarter_start, end=quarter_end)
    return set(
        Initiative.objects.filter(pk__in=tolerated, owner_id=owner_id).values_list("pk", flat=True)
    ) if tolerated else set()  # fmt: skip


def experiment_verdicts(*, org: Organization, initiatives: list[Initiative]) -> dict[int, bool]:
    """{failed experiment id: within the allowance?} for the initiatives shown (at most one query)."""
    failed = [i for i in initiatives if i.is_experiment and i.status == Status.FAILED and i.finished_at]
    if not failed:
        return {}
    days = [i.finished_at for i in failed if i.finished_at]
    tolerated = tolerated_experiment_ids(org=org, start=min(days), end=max(days))
    return {i.pk: i.pk in tolerated for i in failed}


def dependencies_of(*, initiatives: list[Initiative]) -> dict[int, list[int]]:
    """{successor id: [predecessor ids]} among the given initiatives."""
    ids = [i.pk for i in initiatives]
    result: dict[int, list[int]] = defaultdict(list)
    for pred, succ in Dependency.objects.filter(successor_id__in=ids).values_list(
        "predecessor_id", "successor_id"
    ):
        result[succ].append(pred)
    return dict(result)


def dependency_get(*, org: Organization, dependency_id: int) -> Dependency:
    try:
        return Dependency.objects.select_related("successor", "predecessor").get(
            successor__org=org, pk=dependency_id
        )
    except Dependency.DoesNotExist:
        raise Http404("No dependency found.") from None


def dependency_list(*, org: Organization, goal: Goal) -> QuerySet[Dependency]:
    return (
        Dependency.objects.filter(successor__org=org, successor__goal=goal)
        .select_related("predecessor", "successor")
        .order_by("id")
    )


def small_wins(org: Organization, teams: list[Any]) -> dict[int, list[Any]]:
    """Milestones reached in the last 30 days, by the team of their goal (小胜利), for the team page."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from teams.hooks import Highlight

    since = timezone.now() - timedelta(days=30)
    wins: dict[int, list[Highlight]] = {}
    reached = (
        Initiative.objects.filter(
            org=org,
            is_milestone=True,
            milestone_reached_at__gte=since,
            goal__team_id__in=[t.pk for t in teams],
        )  # fmt: skip
        .select_related("goal", "owner__user")
        .order_by("-milestone_reached_at")[:200]
    )
    for item in reached:
        assert item.goal.team_id is not None and item.milestone_reached_at is not None  # noqa: S101
        text = _("Milestone reached: %(title)s (%(owner)s)") % {
            "title": item.title,
            "owner": item.owner.user.get_full_name(),
        }
        url = reverse("goal_plan", kwargs={"org_slug": org.slug, "goal_id": item.goal_id})
        wins.setdefault(item.goal.team_id, []).append(
            Highlight(text=text, when=item.milestone_reached_at, url=url)
        )
    return wins


@dataclass(frozen=True)
class BudgetSuggestion:
    source: Initiative
    target: Initiative
    amount: Decimal
    behind: int  # percentage points the target is behind schedule


def budget_suggestions(*, initiatives: list[Initiative], today: date | None = None) -> list[BudgetSuggestion]:
    """Where budget could move (动态调整): from lower-priority initiatives that have budget but have
    not started, to higher-priority ones that are behind schedule (progress below the share of
    their time already used). At most one suggestion per receiving initiative."""
    today = today or timezone.localdate()
    rank = PRIORITY_RANK
    donors = sorted(
        (
            i
            for i in initiatives
            if (i.budget or 0) > 0 and i.status == "not_started" and rank[i.priority] >= 2
        ),
        key=lambda i: (-rank[i.priority], -(i.budget or 0)),
    )
    needy = []
    for i in initiatives:
        if i.is_finished or rank[i.priority] > 1 or i.due_date is None or i.start_date > today:
            continue
        span = max((i.due_date - i.start_date).days, 1)
        expected = min(100, round(100 * (today - i.start_date).days / span))
        if expected - i.progress >= 20:
            needy.append((rank[i.priority], -(expected - i.progress), i, expected - i.progress))
    needy.sort(key=lambda t: (t[0], t[1]))
    suggestions = []
    available = {d.pk: d.budget or Decimal(0) for d in donors}
    for _rank, _gap, target, behind in needy:
        donor = next(
            (
                d
                for d in donors
                if available[d.pk] > 0 and d.pk != target.pk and rank[d.priority] > rank[target.priority]
            ),
            None,
        )
        if donor is None:
            break
        amount = (available[donor.pk] / 2).quantize(Decimal("0.01"))
        available[donor.pk] -= amount
        suggestions.append(BudgetSuggestion(source=donor, target=target, amount=amount, behind=behind))
    return suggestions


def team_budget_for(*, goal: Goal) -> TeamBudget | None:
    """The budget of the goal's team that covers the start of the goal's period."""
    if goal.team_id is None:
        return None
    return (
        TeamBudget.objects.filter(
            team_id=goal.team_id, start_date__lte=goal.start_date, end_date__gte=goal.start_date
        )
        .order_by("-start_date")
        .first()
    )


# --- Squads and people ----------------------------------------------------------------------------
def squad_list(*, org: Organization) -> QuerySet[Squad]:
    """The organisation's squads with lead, members (and their teams) and initiatives: a fixed
    number of queries, whatever the number of squads."""
    people = (
        Membership.objects.select_related("user").prefetch_related("teams").order_by("user__display_name")
    )
    work = Initiative.objects.select_related("goal", "owner__user").order_by("goal_id", "position", "id")
    return (
        Squad.objects.filter(org=org)
        .select_related("lead__user")
        .prefetch_related(Prefetch("members", queryset=people), Prefetch("initiatives", queryset=work))
        .order_by("name")
    )


def squad_get(*, org: Organization, squad_id: int) -> Squad:
    try:
        return Squad.objects.select_related("lead__user").get(org=org, pk=squad_id)
    except Squad.DoesNotExist:
        raise Http404("No squad found.") from None


@dataclass(frozen=True)
class PersonLoad:
    membership: Membership
    capacity: Decimal
    load: Decimal  # priority-weighted, unfinished initiatives under way today
    open_count: int

    @property
    def overloaded(self) -> bool:
        return self.load > self.capacity


def people_load(*, org: Organization, today: date | None = None) -> list[PersonLoad]:
    """Everyone who can own initiatives, with their capacity (default 3) and what they carry today
    (weighted by priority). Three queries."""
    today = today or org_today(org)  # the organisation's day, also in a job outside any request
    people = list(
        Membership.objects.filter(org=org, is_active=True, role__in=(Role.ADMIN, Role.MANAGER, Role.MEMBER))
        .select_related("user")
        .order_by("user__display_name")
    )
    capacity = dict(Capacity.objects.filter(membership__org=org).values_list("membership_id", "load"))
    load: dict[int, Decimal] = defaultdict(Decimal)
    count: dict[int, int] = defaultdict(int)
    for owner_id, priority in (
        Initiative.objects.filter(org=org, start_date__lte=today)
        .filter(Q(due_date__isnull=True) | Q(due_date__gte=today))
        .exclude(status__in=FINISHED)
        .values_list("owner_id", "priority")
    ):
        load[owner_id] += PRIORITY_LOAD.get(priority, Decimal(1))
        count[owner_id] += 1
    return [
        PersonLoad(membership=m, capacity=capacity.get(m.pk, DEFAULT_CAPACITY), load=load[m.pk],
                   open_count=count[m.pk])
        for m in people
    ]  # fmt: skip
