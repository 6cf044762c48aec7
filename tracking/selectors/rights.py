"""Who changes what in tracking: values, their attribution, corrective actions and alerts (the
team rule: goals.selectors.can_change_goal)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from goals.models import Goal
from goals.selectors import can_change_goal, changeable_goal_ids
from teams.access import CONTRIBUTORS, MANAGERS
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Organization, Role
from teams.selectors import can_manage_team, managed_team_ids, member_team_ids

from ..models import (
    Alert,
    CorrectiveAction,
    MetricEntry,
    Standup,
)

MANAGING_ROLES = MANAGERS  # admins and managers


# --- Who changes what in tracking (the team rule: goals.selectors.can_change_goal) ---------------
# The people a value can be attributed to, and who can own a corrective action: those who do the
# work. Admins, HR and viewers are never chosen (the pickers list exactly these roles).
WORKER_ROLES = (Role.MANAGER, Role.MEMBER)
VALUE_ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER)  # who enters values at all


def can_enter_values(*, member: Membership, goal: Goal) -> Verdict:
    """Admins for every goal; managers and members for goals they own and their teams' goals;
    managers also for the goals they change (the teams they manage and below)."""
    return allow() if _enters_values(member, goal) else refuse(_("You cannot enter values for this goal."))


def _enters_values(member: Membership, goal: Goal) -> bool:
    if goal.org_id != member.org_id or not member.is_active or member.role not in VALUE_ROLES:
        return False
    if member.role == Role.ADMIN or goal.owner_id == member.pk:
        return True
    if goal.team_id is not None and goal.team_id in member_team_ids(member=member):
        return True
    return bool(can_change_goal(member=member, goal=goal))


def enterable_goal_ids(*, member: Membership, goals: list[Goal]) -> set[int]:
    """`can_enter_values` for many goals at once (a bulk push, a file), in a fixed number of queries."""
    if not member.is_active or member.role not in VALUE_ROLES:
        return set()
    own = member_team_ids(member=member)
    mine = {
        g.pk
        for g in goals
        if g.org_id == member.org_id
        and (
            member.role == Role.ADMIN
            or g.owner_id == member.pk
            or (g.team_id is not None and g.team_id in own)
        )
    }
    rest = [g for g in goals if g.pk not in mine]
    return mine | (changeable_goal_ids(member=member, goals=rest) if rest else set())


def can_attribute_value(*, member: Membership, person: Membership) -> Verdict:
    """A value may name the person it counts for: someone who does the work (a manager or a
    member), active in the organisation — oneself, or anyone for an admin or a manager."""
    if person.org_id != member.org_id or not person.is_active or person.role not in WORKER_ROLES:
        return refuse(_("A value counts for a manager or a member."))
    if person.pk == member.pk or member.role in MANAGING_ROLES:
        return allow()
    return refuse(_("You can only enter your own values."))


def value_people(*, actor: Membership) -> QuerySet[Membership]:
    """The people the value form offers (can_attribute_value), by name."""
    people = Membership.objects.filter(org_id=actor.org_id, is_active=True, role__in=WORKER_ROLES)
    if actor.role not in MANAGING_ROLES:
        people = people.filter(pk=actor.pk)
    return people.select_related("user").order_by("user__display_name")


def can_own_action(*, org: Organization, person: Membership) -> Verdict:
    """A corrective action is owned by someone who does the work, active in the organisation."""
    if person.org_id == org.pk and person.is_active and person.role in WORKER_ROLES:
        return allow()
    return refuse(_("Choose a manager or a member to own the action."))


def action_owners(*, org: Organization) -> QuerySet[Membership]:
    """The people the corrective-action forms offer as owners (can_own_action), by name."""
    return (
        Membership.objects.filter(org=org, is_active=True, role__in=WORKER_ROLES)
        .select_related("user")
        .order_by("user__display_name")
    )


def deletable_entry_ids(*, member: Membership, goal: Goal, entries: list[MetricEntry]) -> set[int]:
    """The values of one goal that `member` may delete: their own (entered by them or counting for
    them), or any value of a goal they change — never a stand-up's values (edit the stand-up)."""
    if not can_enter_values(member=member, goal=goal):
        return set()
    any_value = bool(can_change_goal(member=member, goal=goal))
    return {
        e.pk
        for e in entries
        if e.standup_id is None
        and (any_value or e.created_by_id == member.user_id or e.member_id == member.pk)
    }


def can_act_on(*, alert: Alert, member: Membership) -> Verdict:
    """Who acknowledges or resolves an alert: admins; the goal's owner; the person whose missed
    stand-ups it is about; a manager whose reach covers it (the goal's team, the alert's team or
    the person's teams)."""
    if _acts_on(alert, member):
        return allow()
    return refuse(_("Only the goal's owner, or an admin or a manager of its team, acts on this alert."))


def _acts_on(alert: Alert, member: Membership) -> bool:
    if member.org_id != alert.org_id or not member.is_active:
        return False
    if member.role == Role.ADMIN:
        return True
    if member.role not in (Role.MANAGER, Role.MEMBER):
        return False
    if (alert.goal is not None and alert.goal.owner_id == member.pk) or alert.member_id == member.pk:
        return True
    if member.role != Role.MANAGER:
        return False
    if alert.goal is not None:
        return bool(can_change_goal(member=member, goal=alert.goal))
    managed = managed_team_ids(member=member)
    if alert.team_id is not None and alert.team_id in managed:
        return True
    return alert.member is not None and bool(member_team_ids(member=alert.member) & managed)


def can_update_action(*, action: CorrectiveAction, member: Membership) -> Verdict:
    """A corrective action is marked done (and whether it worked) by its owner, and by whoever may
    act on what it corrects: its alert, its goal, or its review's team."""
    if _updates_action(action, member):
        return allow()
    return refuse(_("Only the action's owner, or an admin or a manager of its team, updates it."))


def _updates_action(action: CorrectiveAction, member: Membership) -> bool:
    if member.org_id != action.org_id or not member.is_active:
        return False
    if action.owner_id == member.pk or member.role == Role.ADMIN:
        return True
    if action.alert is not None:
        return _acts_on(action.alert, member)
    if action.goal is not None:
        return member.role == Role.MANAGER and bool(can_change_goal(member=member, goal=action.goal))
    return action.review is not None and bool(can_manage_team(member=member, team_id=action.review.team_id))


def updatable_action_ids(*, member: Membership, alert: Alert, actions: list[CorrectiveAction]) -> set[int]:
    """Of one alert's actions, those `member` marks done (can_update_action, deciding the alert once)."""
    if can_act_on(alert=alert, member=member):
        return {a.pk for a in actions}
    return {a.pk for a in actions if a.owner_id == member.pk}


def can_resolve_blocker(*, member: Membership, standup: Standup) -> Verdict:
    """Who marks a stand-up's blockers resolved: a teammate of the organisation who logs stand-ups,
    never the author, and only on a stand-up with blockers (the refusal names the form field:
    ``blockers`` or the whole form)."""
    if member.org_id != standup.org_id or not member.is_active or member.role not in CONTRIBUTORS:
        return refuse(_("Only a teammate in this organisation can resolve a blocker."))
    if member.pk == standup.member_id:
        return refuse(_("You cannot resolve your own blocker: a teammate who helped marks it."))
    if not standup.has_blockers:
        return refuse(_("This stand-up has no blockers."), field="blockers")
    return allow()
