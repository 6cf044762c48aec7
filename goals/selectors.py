"""Every read of the goals app, always scoped to an organisation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from teams.models import Membership, Organization, Role, Team
from teams.selectors import audit_list, managed_team_ids, member_team_ids, org_today

from .history import HistoryLine, history
from .models import (
    CLOSED_STATUSES,
    Goal,
    GoalComment,
    PeriodTarget,
    Revision,
    Scope,
    Status,
    SupportingMetric,
    TargetVersion,
)
from .periods import period_containing
from .smart import HistoryPoint


def goal_list(
    *,
    org: Organization,
    team: Team | None = None,
    owner_id: int | None = None,
    status: str | None = None,
    parent_id: int | None = None,
    top_level: bool | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    search: str | None = None,
    with_child_count: bool = True,
) -> QuerySet[Goal]:
    qs = (
        Goal.objects.filter(org=org)
        .select_related("team", "owner__user", "parent")
        .prefetch_related(Prefetch("versions", queryset=TargetVersion.objects.order_by("number")))
        .order_by("start_date", "title", "id")
    )
    if with_child_count:
        # A correlated subquery, evaluated only for the rows of the page (a JOIN + GROUP BY would
        # aggregate every goal of the organisation first).
        children = (
            Goal.objects.filter(parent=OuterRef("pk")).order_by().values("parent").annotate(n=Count("*"))
        )
        qs = qs.annotate(child_count=Coalesce(Subquery(children.values("n")), 0))
    if team is not None:
        qs = qs.filter(team=team)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if status:
        qs = qs.filter(status=status)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if top_level is not None:
        qs = qs.filter(parent__isnull=top_level)
    if period_start is not None:
        qs = qs.filter(end_date__gte=period_start)
    if period_end is not None:
        qs = qs.filter(start_date__lte=period_end)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(metric_name__icontains=search))
    return qs


def goal_get(*, org: Organization, goal_id: int) -> Goal:
    try:
        return Goal.objects.select_related("team", "owner__user", "parent__owner__user", "org").get(
            org=org, pk=goal_id
        )
    except Goal.DoesNotExist:
        raise Http404("No goal found.") from None


@dataclass(frozen=True)
class TreeRow:
    goal: Goal
    depth: int
    hidden: int = 0  # goals below this one that are not shown (beyond max_depth)


def goal_tree(
    *,
    org: Organization,
    team: Team | None = None,
    include_closed: bool = True,
    root_id: int | None = None,
    max_depth: int | None = None,
    max_rows: int | None = None,
) -> list[TreeRow]:
    """The cascade in tree order (strategy → team → personal), each goal with its depth.

    * ``team`` keeps that team's goals, the chain above them up to strategy, and all below them;
    * ``max_depth`` stops descending at that depth (rows there count what they hide), so a large
      organisation's page stays light; ``max_rows`` lowers the depth further while the tree would
      show more rows than that; ``root_id`` returns the subtree below one goal (to expand it).

    A fixed number of queries whatever the number of goals: the tree's shape is read as bare ids,
    then only the goals shown are loaded, with their targets."""
    shape = Goal.objects.filter(org=org)
    if not include_closed:
        shape = shape.exclude(status__in=CLOSED_STATUSES)
    rows_ = list(shape.order_by("start_date", "title", "id").values_list("pk", "parent_id", "team_id"))
    parent_of = {pk: parent for pk, parent, _team in rows_}
    below: dict[int | None, list[int]] = {}
    for pk, parent, _team in rows_:
        below.setdefault(parent if parent in parent_of else None, []).append(pk)
    keep: set[int] | None = None
    if team is not None:
        keep = set()
        for pk, _parent, team_id in rows_:
            if team_id != team.pk:
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
    shown = goal_list(org=org, with_child_count=False).filter(pk__in=[pk for pk, _d, _h in order])
    goals = {g.pk: g for g in shown}
    return [TreeRow(goal=goals[pk], depth=depth, hidden=hidden) for pk, depth, hidden in order if pk in goals]


def version_in_force(*, goal: Goal, on: date) -> TargetVersion:
    """The targets in force on a date: the latest version effective on or before it (version 1
    before the period starts)."""
    versions = sorted(goal.versions.all(), key=lambda v: v.number)
    if not versions:
        raise Http404("This goal has no targets.")
    current = versions[0]
    for version in versions:
        if version.effective_from <= on:
            current = version
    return current


def version_scheduled(*, goal: Goal, on: date) -> TargetVersion | None:
    """An approved version that takes effect after the day (the newest), if any: the page shows it
    beside the targets in force, which progress is measured against until then."""
    versions = sorted(goal.versions.all(), key=lambda v: v.number)
    in_force = version_in_force(goal=goal, on=on)
    later = [v for v in versions if v.number > in_force.number and v.effective_from > on]
    return later[-1] if later else None


def current_version(*, goal: Goal) -> TargetVersion:
    versions = sorted(goal.versions.all(), key=lambda v: v.number)
    if not versions:
        raise Http404("This goal has no targets.")
    return versions[-1]


def period_targets(*, version: TargetVersion, kind: str | None = None) -> QuerySet[PeriodTarget]:
    qs = PeriodTarget.objects.filter(version=version).order_by("kind", "start_date")
    return qs.filter(kind=kind) if kind else qs


def supporting_metric_list(*, goal: Goal) -> QuerySet[SupportingMetric]:
    return SupportingMetric.objects.filter(goal=goal).order_by("position", "id")


def supporting_metric_get(*, goal: Goal, metric_id: int) -> SupportingMetric:
    try:
        return SupportingMetric.objects.get(goal=goal, pk=metric_id)
    except SupportingMetric.DoesNotExist:
        raise Http404("No supporting metric found.") from None


def comment_list(*, goal: Goal) -> QuerySet[GoalComment]:
    return GoalComment.objects.filter(goal=goal).select_related("author__user").order_by("created_at", "id")


def revision_list(*, goal: Goal) -> QuerySet[Revision]:
    return (
        Revision.objects.filter(goal=goal)
        .select_related("requested_by__user", "decided_by__user", "version")
        .order_by("-created_at", "-id")
    )


def revision_get(*, org: Organization, revision_id: int) -> Revision:
    try:
        return Revision.objects.select_related("goal__parent__owner", "goal__org", "requested_by__user").get(
            goal__org=org, pk=revision_id
        )
    except Revision.DoesNotExist:
        raise Http404("No revision found.") from None


def metric_history(
    *,
    org: Organization,
    metric_name: str,
    team: Team | None = None,
    before: date | None = None,
    limit: int = 8,
) -> list[HistoryPoint]:
    """Past results of the same metric in the organisation (closed goals with a final result),
    oldest first: the base for suggesting tiers and judging whether a stretch is achievable."""
    if not metric_name.strip():
        return []
    qs = Goal.objects.filter(
        org=org,
        metric_name__iexact=metric_name.strip(),
        result_value__isnull=False,
        status__in=CLOSED_STATUSES,
    )
    if team is not None:
        qs = qs.filter(team=team)
    if before is not None:
        qs = qs.filter(end_date__lt=before)
    rows = list(qs.order_by("-end_date").values_list("title", "end_date", "result_value")[:limit])
    return [
        HistoryPoint(label=title, end_date=end, value=value)
        for title, end, value in reversed(rows)
        if value is not None
    ]


def period_dates(*, org: Organization, kind: str, day: date | None = None) -> tuple[date, date] | None:
    """The start and end of the period of ``kind`` (year, quarter, month, week) that contains ``day``
    — by default today in the organisation's time zone — with its fiscal year start. None for
    custom dates."""
    if kind not in ("year", "quarter", "month", "week"):
        return None
    day = day or org_today(org=org)
    return period_containing(day, kind, fiscal_start_month=org.fiscal_year_start_month)


def goal_history(*, org: Organization, goal: Goal, limit: int = 50) -> list[HistoryLine]:
    """What happened to the goal (its targets, revisions, metrics, and the initiatives of its
    plan), newest first, in sentences."""
    return history(list(audit_list(org=org, scope=f"goal:{goal.pk}")[:limit]))


# --- Who changes a goal ---------------------------------------------------------------------------
# The one rule (docs/architecture.md, "Who changes what"): admins change every goal; a manager
# changes the goals of the teams they manage and of every team below them; a goal without a team
# (a company goal) is changed by admins and its owner; a personal goal also by its owner and by
# the managers of the owner's teams. Members, HR and viewers change no goal: they comment, propose,
# request revisions and report values. Plans, reviews, alerts and budgets follow the same rule.
def _may_change(
    member: Membership,
    goal: Goal,
    managed: Callable[[], frozenset[int]],
    owner_teams: Callable[[], frozenset[int]],
) -> bool:
    """The rule, asking for the manager's reach and the owner's teams only when it needs them."""
    if member.role == Role.ADMIN:
        return True
    if member.role != Role.MANAGER:
        return False
    personal = goal.scope == Scope.PERSONAL
    if goal.owner_id == member.pk and (goal.team_id is None or personal):
        return True
    if goal.team_id is not None and goal.team_id in managed():
        return True
    return personal and bool(owner_teams() & managed())


def _in_org(member: Membership, goal: Goal) -> bool:
    return member.is_active and member.org_id == goal.org_id


def can_change_goal(*, member: Membership, goal: Goal) -> bool:
    """Whether `member` changes this goal: edits it, moves its status (activate, close, cancel),
    its supporting metrics, its decomposition, its plan. Works on an unsaved goal too (whether a
    goal may be created with that team and owner). At most one query for the manager's reach
    (remembered for the request) and one for a personal goal's owner's teams."""
    if not _in_org(member, goal):
        return False
    return _may_change(
        member,
        goal,
        lambda: managed_team_ids(member=member),
        lambda: member_team_ids(member=goal.owner),
    )


def changeable_goal_ids(*, member: Membership, goals: list[Goal]) -> set[int]:
    """`can_change_goal` for many goals at once, in at most two queries whatever their number."""
    goals = [g for g in goals if _in_org(member, g)]
    if member.role not in (Role.ADMIN, Role.MANAGER) or not goals:
        return set()
    owner_teams: dict[int, set[int]] = {}
    owners = {g.owner_id for g in goals if g.scope == Scope.PERSONAL and g.owner_id != member.pk}
    if member.role == Role.MANAGER and owners:
        rows = Membership.teams.through.objects.filter(membership_id__in=owners).values_list(
            "membership_id", "team_id"
        )
        for owner_id, team_id in rows:
            owner_teams.setdefault(owner_id, set()).add(team_id)
    return {
        g.pk
        for g in goals
        if _may_change(
            member,
            g,
            lambda: managed_team_ids(member=member),
            lambda g=g: frozenset(owner_teams.get(g.owner_id, ())),  # type: ignore[misc]
        )
    }


def can_create_goals(*, member: Membership) -> bool:
    """Whether the page offers "New goal": admins, and managers (for their teams and themselves)."""
    return member.is_active and member.role in (Role.ADMIN, Role.MANAGER)


def goal_teams(*, member: Membership) -> QuerySet[Team]:
    """The teams a person may give a goal: every team for admins, the teams they manage (and the
    teams below) for a manager."""
    teams = Team.objects.filter(org_id=member.org_id).order_by("name")
    if member.role == Role.ADMIN:
        return teams
    if member.role == Role.MANAGER:
        return teams.filter(pk__in=managed_team_ids(member=member))
    return teams.none()


def can_request_revision(*, member: Membership, goal: Goal) -> bool:
    """Who may ask for a goal's targets to be revised (目标复审): whoever contributes to that goal —
    its owner, the people of its team — and whoever may change it. Whether a request is possible
    now (an active goal, none pending) is `revision_possible`."""
    if not _in_org(member, goal) or member.role not in (Role.ADMIN, Role.MANAGER, Role.MEMBER):
        return False
    if goal.owner_id == member.pk:
        return True
    if goal.team_id is not None and goal.team_id in member_team_ids(member=member):
        return True
    return can_change_goal(member=member, goal=goal)


def revision_possible(*, goal: Goal) -> bool:
    """Only an active goal is revised, one request at a time."""
    return (
        goal.status == Status.ACTIVE
        and not Revision.objects.filter(goal=goal, state=Revision.State.PENDING).exists()
    )


def can_decide_revision(*, revision: Revision, member: Membership) -> bool:
    """An admin, or the owner of the goal it serves when they may change the goal (a manager of
    its team or of a team above it) — never the person who asked, never the goal's owner."""
    goal = revision.goal
    if member.pk in (revision.requested_by_id, goal.owner_id) or not _in_org(member, goal):
        return False
    if member.role == Role.ADMIN:
        return True
    if member.role != Role.MANAGER:
        return False
    parent = goal.parent
    return parent is not None and parent.owner_id == member.pk and can_change_goal(member=member, goal=goal)
