"""Writes of pay: a person's base salary from a date (audited), and an admin letting a manager
see the pay of their teams."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership, Organization, Role
from teams.services import audit_record

from .. import calculator
from ..models import MoneyGrant, Salary
from ..selectors.rights import manages_money


@transaction.atomic
def salary_set(
    *, org: Organization, actor: Membership, membership: Membership, base: Decimal, effective_from: date
) -> Salary:
    """A person's base salary from a date (HR and admins); in the audit trail with before and after."""
    if not manages_money(actor) or actor.org_id != org.pk:
        raise ValidationError(_("Only HR and admins set salaries."))
    if membership.org_id != org.pk:
        raise ValidationError({"membership": [_("Choose a person of this organisation.")]})
    if base < 0:
        raise ValidationError({"base": [_("A salary cannot be negative.")]})
    if base != calculator.money(base):
        raise ValidationError({"base": [_("At most 2 decimal places.")]})
    previous = Salary.objects.filter(membership=membership, effective_from=effective_from).first()
    salary, _created = Salary.objects.update_or_create(
        membership=membership, effective_from=effective_from, defaults={"org": org, "base": base}
    )
    audit_record(org=org, actor=actor.user, action="salary.set", target=membership,
                 changes={"base": [str(previous.base) if previous else None, str(base)],
                          "effective_from": [None, effective_from.isoformat()]}, scope="incentives")  # fmt: skip
    return salary


def money_grant(*, org: Organization, actor: Membership, manager: Membership, granted: bool) -> None:
    if actor.role != Role.ADMIN or actor.org_id != org.pk or manager.org_id != org.pk:
        raise ValidationError(_("Only admins let managers see pay."))
    if granted and manager.role != Role.MANAGER:
        raise ValidationError({"manager": [_("Only a manager can be let see the pay of their teams.")]})
    if granted:
        MoneyGrant.objects.get_or_create(membership=manager, defaults={"org": org, "granted_by": actor})
    else:
        MoneyGrant.objects.filter(membership=manager).delete()
