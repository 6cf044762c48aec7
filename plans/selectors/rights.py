"""Who may do what to a plan: each check is ``can_<verb>_<object>(*, member, …)`` returning a
``teams.errors.Verdict`` (truthy when allowed, the refusal's sentence otherwise); services enforce
them with ``.require()``, pages show controls where they are truthy."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.selectors import can_change_goal
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Organization, Role, Team
from teams.selectors import can_manage_team, managed_team_ids

from ..models import Dependency, Initiative

# Who may own an initiative: the roles that report progress (viewers and HR only read plans).
OWNER_ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER)


# --- Who changes a plan (the rule of goals.selectors.can_change_goal, applied to its plan) --------
def _refuse_plan() -> Verdict:
    return refuse(
        _("Only an admin, or a manager of the goal's team or of a team above it, changes this plan.")
    )


def can_plan(*, member: Membership, goal: Goal) -> Verdict:
    """Whether `member` changes this goal's plan: adds, edits, imports initiatives, links them,
    moves budget, sets the team's budget — admins, and the managers of the goal's team (or of a
    team above it); see goals.selectors.can_change_goal."""
    return allow() if can_change_goal(member=member, goal=goal) else _refuse_plan()


def can_change_initiative(*, member: Membership, initiative: Initiative) -> Verdict:
    if initiative.org_id != member.org_id:
        return _refuse_plan()
    return can_plan(member=member, goal=initiative.goal)


def can_report_progress(
    *, member: Membership, initiative: Initiative, may_plan: bool | None = None
) -> Verdict:
    """The initiative's owner (who reports progress, e.g. from a phone), and whoever changes the plan.
    ``may_plan``: whether `member` changes the initiative's plan, when the caller already knows it
    (a page of one goal's rows decides it once, not per row)."""
    refused = refuse(_("Only the owner or a manager of the goal's team reports progress on this initiative."))
    if not member.is_active or member.org_id != initiative.org_id:
        return refused
    if initiative.owner_id == member.pk and member.role in OWNER_ROLES:
        return allow()
    if may_plan is None:
        may_plan = bool(can_change_initiative(member=member, initiative=initiative))
    return allow() if may_plan else refused


def can_change_dependency(*, member: Membership, dependency: Dependency) -> Verdict:
    """A finish-to-start link belongs to the plan of the work that waits (the successor)."""
    return can_change_initiative(member=member, initiative=dependency.successor)


def can_set_team_budget(*, member: Membership, team: Team) -> Verdict:
    """A team's budget for a period: admins, and the managers of the team or of a team above it."""
    if can_manage_team(member=member, team_id=team.pk):
        return allow()
    return refuse(
        _("Only an admin, or a manager of “%(team)s” or of a team above it, sets its budget.")
        % {"team": team.name}
    )


def can_set_capacity(*, member: Membership, person: Membership) -> Verdict:
    """A person's capacity (what overload conflicts compare with): admins for everyone, a manager
    for the people of the teams they manage (and below)."""
    if member.is_active and member.org_id == person.org_id:
        if member.role == Role.ADMIN:
            return allow()
        if member.role == Role.MANAGER and capacity_people(member=member).filter(pk=person.pk).exists():
            return allow()
    return refuse(_("Only an admin, or a manager of one of this person's teams, sets their capacity."))


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


def initiative_owners(org: Organization, actor: Membership | None = None) -> QuerySet[Membership]:
    """Who may own an initiative (the service's check: active, an admin, manager or member), by
    name: the owner picker's rule "initiative-owner"."""
    return (
        Membership.objects.filter(org=org, is_active=True, role__in=OWNER_ROLES)
        .select_related("user")
        .order_by("user__display_name")
    )


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
