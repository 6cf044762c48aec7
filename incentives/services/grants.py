"""An admin lets a manager see the pay of the people of their teams (sub-teams included), and takes
it back; both with a reason, both in the audit trail, both in force at once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership, Organization, Role
from teams.services import audit_record

from ..models import MoneyGrant
from ..selectors.rights import can_grant_money

REASON_MAX = 1000


def _reason(reason: str, field: str) -> str:
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({field: [_("Say why.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: [_("At most %(max)d characters.") % {"max": REASON_MAX}]})
    return reason


@transaction.atomic
def money_grant_create(
    *, org: Organization, actor: Membership, manager: Membership, reason: str
) -> MoneyGrant:
    """Let `manager` see the pay (salaries, target bonuses, payout amounts) of the people of the teams
    they manage and every team below them. Admins only (403); the manager must be an active manager
    of the organisation without a grant in force, and the reason is required (400)."""
    can_grant_money(actor=actor, org_id=org.pk).require()
    reason = _reason(reason, "reason")
    if manager.org_id != org.pk or manager.role != Role.MANAGER or not manager.is_active:
        raise ValidationError(
            {"manager": [_("Only an active manager can be let see the pay of their teams.")]}
        )
    if MoneyGrant.objects.filter(membership=manager, revoked_at__isnull=True).exists():
        raise ValidationError({"manager": [_("This manager already sees the pay of their teams.")]})
    try:
        with transaction.atomic():
            grant = MoneyGrant.objects.create(org=org, membership=manager, granted_by=actor, reason=reason)
    except IntegrityError:  # granted by someone else a moment ago
        raise ValidationError({"manager": [_("This manager already sees the pay of their teams.")]}) from None
    audit_record(org=org, actor=actor.user, action="money_grant.create", target=grant,
                 changes={"manager": [None, manager.pk], "reason": [None, reason]}, scope="incentives")  # fmt: skip
    return grant


@transaction.atomic
def money_grant_revoke(*, grant: MoneyGrant, actor: Membership, reason: str) -> MoneyGrant:
    """Take a grant back (admins only, with a reason): the manager no longer sees the pay from their
    next request on. The grant stays in the list as revoked, with who and why."""
    can_grant_money(actor=actor, org_id=grant.org_id).require()
    reason = _reason(reason, "reason")
    grant = MoneyGrant.objects.select_for_update().get(pk=grant.pk)
    if not grant.in_force:
        raise ValidationError({"reason": [_("This grant is already revoked.")]})
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), actor, reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(org=grant.org, actor=actor.user, action="money_grant.revoke", target=grant,
                 changes={"manager": [grant.membership_id, grant.membership_id], "revoked": [False, True],
                          "reason": [None, reason]}, scope="incentives")  # fmt: skip
    return grant
