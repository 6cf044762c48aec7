"""Who may do what in the people app (teams.errors.Verdict, one style).

- a one-on-one series is read and written by its two participants, and by those who manage its
  team (admins, the managers of the team or of a team above it: PRODUCT.md's team rule); nobody
  else — HR and viewers included — sees it;
- a private note is read by its author only: there is no check that lets anyone else in;
- pulse results (aggregated, never per person) are read by HR, admins and managers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from teams.access import CONTRIBUTORS
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Role, Team
from teams.selectors import can_manage_team

from ..models import Series

RESULT_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER})
PULSE_RUNNERS = RESULT_READERS  # HR and admins for the organisation, managers for their teams


def can_start_series(*, actor: Membership, team: Team, member: Membership) -> Verdict:
    """A manager (or an admin) starts one-on-ones with a member of a team they manage."""
    if not actor.is_active or actor.role not in (Role.ADMIN, Role.MANAGER):
        return refuse(_("Only a manager starts one-on-ones with the members of their team."))
    if not can_manage_team(member=actor, team_id=team.pk):
        return refuse(
            _("You can start one-on-ones only with the members of a team you manage."), field="team"
        )
    if member.pk == actor.pk:
        return refuse(_("Choose someone other than yourself."), field="member")
    if member.org_id != actor.org_id or not member.is_active or not member.teams.filter(pk=team.pk).exists():
        return refuse(_("Choose a member of this team."), field="member")
    return allow()


def is_participant(*, member: Membership, series: Series) -> bool:
    return member.is_active and member.pk in series.participant_ids()


def can_take_part(*, member: Membership, series: Series) -> Verdict:
    """Read the series and add to it (talking points, actions, the feeling check, one's own
    private note): its two participants and whoever manages its team."""
    in_reach = is_participant(member=member, series=series) or can_manage_team(
        member=member, team_id=series.team_id
    )
    if member.org_id == series.org_id and member.role in CONTRIBUTORS and in_reach:
        return allow()
    return refuse(_("Only the two people of this one-on-one, and the managers of their team, see it."))


def can_see_pulse_results(*, member: Membership) -> Verdict:
    if member.is_active and member.role in RESULT_READERS:
        return allow()
    return refuse(_("Pulse results are for HR, admins and managers."))


def can_run_pulses(*, member: Membership, team: Team | None) -> Verdict:
    """HR and admins run organisation pulses; a manager runs pulses for a team they manage."""
    if member.is_active and member.role in (Role.ADMIN, Role.HR):
        return allow()
    if team is not None and member.role == Role.MANAGER and can_manage_team(member=member, team_id=team.pk):
        return allow()
    return refuse(_("HR and admins run pulses for the organisation; a manager for a team they manage."))


def can_see_burnout(*, viewer: Membership, member: Membership) -> Verdict:
    """A person's burnout signal: the person, and the manager who holds one-on-ones with them."""
    if viewer.is_active and viewer.org_id == member.org_id:
        if viewer.pk == member.pk:
            return allow()
        if Series.objects.filter(manager=viewer, member=member, active=True).exists():
            return allow()
    return refuse(_("A person's burnout signal is for them and the manager who holds their one-on-ones."))
