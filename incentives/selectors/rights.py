"""Who may see and move money, as permission checks in the ``teams.errors.Verdict`` style: truthy
when allowed, else the sentence the person reads."""

from __future__ import annotations

from django.utils.translation import gettext as _

from teams.access import PEOPLE_WITH_MONEY
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Role
from teams.selectors import managed_team_ids

from ..models import MoneyGrant, PayoutLine, PayoutRun, RunStatus


def manages_money(member: Membership) -> bool:
    """HR or an admin, still active: the people who define schemes, set salaries and run payouts."""
    return member.role in PEOPLE_WITH_MONEY and member.is_active


def has_money_grant(member: Membership) -> bool:
    """An active manager holding a grant in force (revoking takes effect on the next request)."""
    return (
        member.role == Role.MANAGER and member.is_active
        and MoneyGrant.objects.filter(membership=member, revoked_at__isnull=True).exists()
    )  # fmt: skip


def money_reach(*, member: Membership) -> frozenset[int] | None:
    """Whose pay `member` may see: None for everyone of the organisation (HR and admins), else the
    membership ids — themself, and with a grant in force the people of the teams they manage and of
    every team below them (never another team's people). Nothing for someone inactive."""
    if not member.is_active:
        return frozenset()
    if member.role in PEOPLE_WITH_MONEY:
        return None
    if not has_money_grant(member):
        return frozenset({member.pk})
    teams = managed_team_ids(member=member)
    people = Membership.teams.through.objects.filter(team_id__in=teams, membership__org_id=member.org_id)
    return frozenset({member.pk, *people.values_list("membership_id", flat=True)})


def can_see_money(*, member: Membership, person: Membership) -> Verdict:
    """Pay is visible to HR and admins, to the person themself, and to a manager of one of the
    person's teams (or of a team above it) when an admin has granted it; to no one else."""
    refused = refuse(_("You cannot see this person's pay."))
    if member.org_id != person.org_id or not member.is_active:
        return refused
    if member.role in PEOPLE_WITH_MONEY or member.pk == person.pk:
        return allow()
    reach = money_reach(member=member)
    return allow() if reach is not None and person.pk in reach else refused


def can_see_payout_line(*, member: Membership, line: PayoutLine) -> Verdict:
    """One payout line: HR and admins of the organisation, whatever the run's status; the person
    themself and a manager with a grant for the person's teams once the run is approved (locked)."""
    if member.org_id != line.org_id or not member.is_active:
        return refuse(_("You cannot see this person's pay."))
    if manages_money(member):
        return allow()
    reach = money_reach(member=member)
    if reach is not None and line.membership_id not in reach:
        return refuse(_("You cannot see this person's pay."))
    if line.run.status != RunStatus.LOCKED:
        return refuse(_("This payout is not approved yet."))
    return allow()


def can_grant_money(*, actor: Membership, org_id: int) -> Verdict:
    """An active admin of the organisation grants (and revokes) a manager's sight of their teams' pay."""
    if actor.role != Role.ADMIN or actor.org_id != org_id or not actor.is_active:
        return refuse(_("Only admins let managers see pay."))
    return allow()


def can_run_payouts(*, actor: Membership, org_id: int) -> Verdict:
    """HR and admins of the organisation start, compute, adjust and submit its payout runs."""
    if not manages_money(actor) or actor.org_id != org_id:
        return refuse(_("Only HR and admins run payouts."))
    return allow()


def can_decide_runs(*, actor: Membership, org_id: int) -> Verdict:
    """An active admin of the organisation approves its payout runs or sends them back."""
    if actor.role != Role.ADMIN or actor.org_id != org_id or not actor.is_active:
        return refuse(_("Only an admin approves a payout run."))
    return allow()


def can_approve_run(*, actor: Membership, run: PayoutRun) -> Verdict:
    """Whether `actor` may approve `run` now: an active admin of its organisation, the run
    submitted, and neither submitted nor adjusted by them (four eyes)."""
    decides = can_decide_runs(actor=actor, org_id=run.org_id)
    if not decides:
        return decides
    if run.status == RunStatus.LOCKED:
        return refuse(_("This run is already approved and locked."))
    if run.status != RunStatus.SUBMITTED:
        return refuse(_("Only a submitted run can be approved."))
    if run.submitted_by_id == actor.pk:
        return refuse(_("You submitted this run: another admin must approve it."))
    if run.lines.filter(adjusted_by=actor).exists():
        return refuse(_("You adjusted lines of this run: another admin must approve it."))
    return allow()
