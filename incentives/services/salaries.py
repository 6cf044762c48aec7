"""Writes of pay: a person's base salary from a date (audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership, Organization
from teams.services import audit_record

from .. import calculator
from ..models import Salary
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
