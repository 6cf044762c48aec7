"""Who may do what to a retro (PRODUCT.md, issue 15): the team's people take part (cards, votes),
its manager (or the person they name) facilitates; the organisation reads a retro's page as it
reads the team's goals, but never another team's cards; another organisation gets 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from teams.access import CONTRIBUTORS
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Organization, Role, Team
from teams.selectors import can_manage_team, managed_team_ids, member_team_ids

from ..models import RetroAction, Retrospective, RetroState


def author_key(*, retro_id: int, member_id: int) -> str:
    """A keyed hash of the retro and the person: lets the author of an anonymous card remove it and
    keep their double clicks apart, and names nobody (it differs per retro, and needs the secret)."""
    return salted_hmac("stretch.retros.card", f"{retro_id}:{member_id}").hexdigest()


def team_and_below(*, org_id: int, team_id: int) -> frozenset[int]:
    """The team and every team below it (one query): the people of a sub-team take part in the
    retro of the team above (the East sales group in the sales team's)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Team.objects.filter(org_id=org_id).order_by().values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    reach: set[int] = set()
    stack = [team_id]
    while stack:
        current = stack.pop()
        if current not in reach:
            reach.add(current)
            stack.extend(children.get(current, []))
    return frozenset(reach)


def in_team(*, member: Membership, team_id: int) -> bool:
    """Belongs to the team or a team below it, manages it (or a team above it), or is an admin."""
    if not member.is_active:
        return False
    if member.role == Role.ADMIN or (
        member.role == Role.MANAGER and team_id in managed_team_ids(member=member)
    ):
        return True
    mine = member_team_ids(member=member)
    return bool(mine) and bool(mine & team_and_below(org_id=member.org_id, team_id=team_id))


def can_read_retro(*, member: Membership, retro: Retrospective) -> Verdict:
    """The organisation reads a retro's page — its goal review, lessons, actions and summary — as
    it reads the team's goals; the cards stay with the team (`can_see_cards`). Viewers (只读) read
    closed retros only: a meeting under way is the team's."""
    if member.org_id != retro.org_id or not member.is_active:
        return refuse(_("No such retrospective."))
    if member.role == Role.VIEWER and retro.state != RetroState.CLOSED:
        return refuse(_("No such retrospective."))
    return allow()


def can_see_cards(*, member: Membership, retro: Retrospective) -> Verdict:
    """Cards stay with the team: its people, its managers and admins."""
    if member.org_id == retro.org_id and in_team(member=member, team_id=retro.team_id):
        return allow()
    return refuse(_("Only the team's people read its cards."))


def can_start_retro(*, member: Membership, team: Team) -> Verdict:
    return can_manage_team(member=member, team_id=team.pk)


def can_facilitate(*, member: Membership, retro: Retrospective) -> Verdict:
    """The team's manager (or an admin), or the facilitator they named; nobody once it is closed."""
    if retro.state == RetroState.CLOSED:
        return refuse(_("This retrospective is closed: it can no longer be changed."), field="phase")
    if (
        member.org_id == retro.org_id
        and member.is_active
        and (retro.facilitator_id == member.pk or can_manage_team(member=member, team_id=retro.team_id))
    ):
        return allow()
    return refuse(_("Only the facilitator or a manager of this team runs the retrospective."))


def can_take_part(*, member: Membership, retro: Retrospective) -> Verdict:
    """The team's members and managers add cards and vote, until the retro is closed."""
    if retro.state == RetroState.CLOSED:
        return refuse(_("This retrospective is closed: it can no longer be changed."))
    if member.role in CONTRIBUTORS and in_team(member=member, team_id=retro.team_id):
        return allow()
    return refuse(_("Only the team's people add cards and vote."))


def can_own_action(*, member: Membership, team: Team) -> Verdict:
    """An action's owner is a person of the team who does the work (a member or a manager)."""
    if (
        member.org_id == team.org_id
        and member.is_active
        and member.role in (Role.MEMBER, Role.MANAGER)
        and (
            member_team_ids(member=member) & team_and_below(org_id=team.org_id, team_id=team.pk)
            or team.managers.filter(pk=member.pk).exists()
        )
    ):
        return allow()
    return refuse(_("Choose a person of this team."), field="owner")


def can_update_action(*, member: Membership, action: RetroAction) -> Verdict:
    """Its owner, the team's managers and admins mark an action done or dropped (also after close)."""
    if (
        member.org_id == action.org_id
        and member.is_active
        and (action.owner_id == member.pk or can_manage_team(member=member, team_id=action.retro.team_id))
    ):
        return allow()
    return refuse(_("Only the action's owner or a manager of the team updates it."))


def readable_retros(*, member: Membership) -> QuerySet[Retrospective]:
    """The retros this person may read (the organisation's; a viewer's: the closed ones), in one
    query."""
    qs = Retrospective.objects.filter(org_id=member.org_id)
    if member.role == Role.VIEWER:
        qs = qs.filter(state=RetroState.CLOSED)
    return qs if member.is_active else qs.none()


def card_team_ids(*, member: Membership) -> frozenset[int]:
    """The teams whose retro cards this person reads (`can_see_cards` for a whole list): every
    team for an admin; the teams they manage and those below; the teams they belong to and every
    team above them (a sub-team's people take part in the team's retro). Two queries at most."""
    if not member.is_active:
        return frozenset()
    parents = dict(Team.objects.filter(org_id=member.org_id).order_by().values_list("pk", "parent_id"))
    if member.role == Role.ADMIN:
        return frozenset(parents)
    reach: set[int] = set(managed_team_ids(member=member)) if member.role == Role.MANAGER else set()
    for team_id in member_team_ids(member=member):
        current: int | None = team_id
        for _depth in range(len(parents)):  # up the tree (bounded, whatever the data)
            if current is None:
                break
            reach.add(current)
            current = parents.get(current)
    return frozenset(reach)


def retro_get(*, org: Organization, retro_id: int) -> Retrospective:
    """One retro of the organisation (404 otherwise)."""
    retro = (
        Retrospective.objects.select_related("org", "team", "facilitator__user")
        .filter(org=org, pk=retro_id)
        .first()
    )
    if retro is None:
        raise Http404("No retrospective found.")
    return retro


def retro_get_for(*, member: Membership, retro_id: int) -> Retrospective:
    """One retro this person may read: the same 404 for "missing", "another organisation" and "not
    yours to read", so a page never tells that a team's retro exists."""
    retro = retro_get(org=member.org, retro_id=retro_id)
    if not can_read_retro(member=member, retro=retro):
        raise Http404("No retrospective found.")
    return retro
