"""Who may see and move money, as permission checks in the ``teams.errors.Verdict`` style: truthy
when allowed, else the sentence the person reads."""

from __future__ import annotations

from django.utils.translation import gettext as _

from teams.access import PEOPLE_WITH_MONEY
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Role

from ..models import MoneyGrant, PayoutRun, RunStatus


def manages_money(member: Membership) -> bool:
    """HR or an admin, still active: the people who define schemes, set salaries and run payouts."""
    return member.role in PEOPLE_WITH_MONEY and member.is_active


def can_see_money(*, member: Membership, person: Membership) -> Verdict:
    """Pay is visible to HR and admins, to the person themself, and to a manager of one of the
    person's teams when an admin has granted it; to no one else."""
    refused = refuse(_("You cannot see this person's pay."))
    if member.org_id != person.org_id or not member.is_active:
        return refused
    if member.role in PEOPLE_WITH_MONEY or member.pk == person.pk:
        return allow()
    if member.role != Role.MANAGER or not MoneyGrant.objects.filter(membership=member).exists():
        return refused
    return allow() if person.teams.filter(managers=member).exists() else refused


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
