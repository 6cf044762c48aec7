"""Every read of the goals app, always scoped to an organisation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from teams.access import CONTRIBUTORS
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Organization, Role, Team
from teams.selectors import audit_list, managed_team_ids, member_team_ids, org_today

from .decompose import equal_split
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
from .tree_selectors import TREE_FIELDS as TREE_FIELDS  # the tree read as plain rows, re-exported
from .tree_selectors import TreeValues as TreeValues
from .tree_selectors import goal_tree_page as goal_tree_page
from .tree_selectors import goal_tree_values as goal_tree_values
from .tree_selectors import tree_shape


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
    return goal_tree_window(org=org, team=team, include_closed=include_closed, root_id=root_id,
                            max_depth=max_depth, max_rows=max_rows)[0]  # fmt: skip


def goal_tree_window(
    *, org: Organization, team: Team | None = None, include_closed: bool = True, root_id: int | None = None,
    max_depth: int | None = None, max_rows: int | None = None, limit: int | None = None,
) -> tuple[list[TreeRow], int]:  # fmt: skip
    """goal_tree's first `limit` rows (all without a limit) and how many rows the whole tree has:
    only the rows shown are loaded as goals."""
    order = tree_shape(org=org, team=team, include_closed=include_closed, root_id=root_id,
                       max_depth=max_depth, max_rows=max_rows)  # fmt: skip
    shown = order if limit is None else order[:limit]
    goals = {g.pk: g for g in goal_list(org=org, with_child_count=False).filter(pk__in=[r[0] for r in shown])}
    return [TreeRow(goal=goals[pk], depth=d, hidden=h) for pk, d, h in shown if pk in goals], len(order)


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


def split_members(*, goal: Goal) -> list[Membership]:
    """Whom a team goal is split among: the active members of its team, by name."""
    if goal.team is None:
        return []
    return list(
        goal.team.members.filter(is_active=True).select_related("user").order_by("user__display_name")
    )


def goal_split_preview(
    *, goal: Goal, version: TargetVersion, members: Sequence[Membership]
) -> list[dict[str, Any]]:
    """The split the page proposes before anyone types: each member an equal share of the
    version's targets (adding up to them exactly) for an additive metric, the targets themselves
    for a rate or a level. Nothing is saved (`services.goal_split_to_members` does)."""
    parts = equal_split(version.tiers(), len(members), additive=goal.is_additive)
    return [{"member": member, **part} for member, part in zip(members, parts, strict=True)]


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
# Each check is a Verdict (teams.errors): truthy for the page, its reason for the 403.
def _reaches(
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


def _change_refusal(goal: Goal) -> Verdict:
    """Why someone may not change this goal, in words."""
    if goal.scope == Scope.PERSONAL:
        return refuse(
            _("Only an admin, the goal's owner, or a manager of the owner's team changes a personal goal.")
        )
    if goal.team_id is None:
        return refuse(_("Only an admin or the goal's owner changes a company goal."))
    return refuse(
        _("Only an admin, or a manager of “%(team)s” or of a team above it, changes this goal.")
        % {"team": goal.team.name if goal.team else ""}
    )


def can_change_goal(*, member: Membership, goal: Goal) -> Verdict:
    """Whether `member` changes this goal: edits it, moves its status (activate, close, cancel),
    its supporting metrics, its decomposition, its plan. Works on an unsaved goal too (whether a
    goal may be created with that team and owner). At most one query for the manager's reach
    (remembered for the request) and one for a personal goal's owner's teams."""
    if _in_org(member, goal) and _reaches(
        member,
        goal,
        lambda: managed_team_ids(member=member),
        lambda: member_team_ids(member=goal.owner),
    ):
        return allow()
    return _change_refusal(goal)


def can_edit_goal(*, member: Membership, goal: Goal) -> Verdict:
    """What the goal pages offer as editable (the goal's form, its decomposition table, its
    metrics): an open goal that `member` changes (`can_change_goal`)."""
    if goal.status in CLOSED_STATUSES:
        return refuse(_("A closed goal cannot be changed."))
    return can_change_goal(member=member, goal=goal)


def goal_page_rights(*, member: Membership, goal: Goal, pending: Revision | None) -> dict[str, object]:
    """What the goal's page offers `member`, given the revision waiting for a decision (if any)."""
    is_open = goal.status not in CLOSED_STATUSES
    return {
        "can_edit": can_edit_goal(member=member, goal=goal),
        "can_create": is_open and can_create_goals(member=member),
        "can_comment": member.role in CONTRIBUTORS and is_open,
        "can_request_revision": pending is None
        and goal.status == Status.ACTIVE
        and can_request_revision(member=member, goal=goal),
        "can_decide": pending is not None and can_decide_revision(revision=pending, member=member),
        "is_admin": member.role == Role.ADMIN,
    }


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
        if _reaches(
            member,
            g,
            lambda: managed_team_ids(member=member),
            lambda g=g: frozenset(owner_teams.get(g.owner_id, ())),  # type: ignore[misc]
        )
    }


def can_create_goals(*, member: Membership) -> Verdict:
    """Whether the page offers "New goal": admins, and managers (for their teams and themselves)."""
    if member.is_active and member.role in (Role.ADMIN, Role.MANAGER):
        return allow()
    return refuse(_("Only an admin or a manager creates goals."))


def goal_teams(*, member: Membership) -> QuerySet[Team]:
    """The teams a person may give a goal: every team for admins, the teams they manage (and the
    teams below) for a manager."""
    teams = Team.objects.filter(org_id=member.org_id).order_by("name")
    if member.role == Role.ADMIN:
        return teams
    if member.role == Role.MANAGER:
        return teams.filter(pk__in=managed_team_ids(member=member))
    return teams.none()


def can_request_revision(*, member: Membership, goal: Goal) -> Verdict:
    """Who may ask for a goal's targets to be revised (目标复审): whoever contributes to that goal —
    its owner, the people of its team — and whoever may change it. Whether a request is possible
    now (an active goal, none pending) is `revision_possible`."""
    if _in_org(member, goal) and member.role in (Role.ADMIN, Role.MANAGER, Role.MEMBER):
        if goal.owner_id == member.pk or (
            goal.team_id is not None and goal.team_id in member_team_ids(member=member)
        ):
            return allow()
        if can_change_goal(member=member, goal=goal):
            return allow()
    return refuse(
        _("Only the goal's owner, the people of its team and those who change it request a revision.")
    )


def revision_possible(*, goal: Goal) -> bool:
    """Only an active goal is revised, one request at a time."""
    return (
        goal.status == Status.ACTIVE
        and not Revision.objects.filter(goal=goal, state=Revision.State.PENDING).exists()
    )


def can_decide_revision(*, revision: Revision, member: Membership) -> Verdict:
    """An admin, or the owner of the goal it serves when they may change the goal (a manager of
    its team or of a team above it) — never the person who asked, never the goal's owner."""
    goal = revision.goal
    if member.pk in (revision.requested_by_id, goal.owner_id):
        return refuse(_("You cannot decide on a revision of your own goal or your own request."))
    if _in_org(member, goal) and (
        member.role == Role.ADMIN
        or member.role == Role.MANAGER
        and goal.parent is not None
        and goal.parent.owner_id == member.pk
        and can_change_goal(member=member, goal=goal)
    ):
        return allow()
    return refuse(
        _(
            "Only an admin, or the owner of the goal it serves who manages this goal's team, decides on this revision."
        )
    )
