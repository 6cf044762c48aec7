"""Money: a team's budget for a period, and moving budget between initiatives (动态调整)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Membership, Organization, Team
from teams.services import audit_record

from .. import selectors
from ..models import Initiative, Reallocation, TeamBudget
from .checks import MAX_MONEY, _cents


@transaction.atomic
def team_budget_set(*, org: Organization, actor: Membership, team: Team, start_date: date, end_date: date,
                    amount: Decimal) -> TeamBudget:  # fmt: skip
    errors: dict[str, list[str]] = {}
    if team.org_id != org.pk:
        errors["team"] = [_("Choose a team of this organisation.")]
    else:
        selectors.can_set_team_budget(member=actor, team=team).require()
    if end_date < start_date:
        errors["end_date"] = [_("The end must not be before the start.")]
    if not amount.is_finite() or amount < 0 or amount.adjusted() >= MAX_MONEY.adjusted():
        errors["amount"] = [_("Enter a realistic, non-negative amount.")]
    elif not _cents(amount):
        errors["amount"] = [_("Use at most 2 decimal places.")]
    if errors:
        raise ValidationError(errors)
    budget, _created = TeamBudget.objects.update_or_create(
        team=team, start_date=start_date, defaults={"org": org, "end_date": end_date, "amount": amount}
    )
    audit_record(org=org, actor=actor.user, action="team_budget.set", target=budget,
                 changes={"amount": [None, str(amount)]})  # fmt: skip
    return budget


@transaction.atomic
def budget_reallocate(
    *,
    org: Organization,
    actor: Membership,
    source: Initiative,
    target: Initiative,
    amount: Decimal,
    reason: str,
) -> Reallocation:
    """Move budget from one initiative to another (动态调整), recorded with its reason. Both rows
    are locked before the amount is checked against what the source has, so two moves at once
    cannot both spend the same money. Money leaves one plan and joins another: the actor must
    change both."""
    errors: dict[str, list[str]] = {}
    if source.org_id != org.pk or target.org_id != org.pk:
        errors["target"] = [_("Both initiatives must belong to this organisation.")]
    else:
        selectors.can_change_initiative(member=actor, initiative=source).require()
        selectors.can_change_initiative(member=actor, initiative=target).require()
    if source.pk == target.pk:
        errors["target"] = [_("Choose two different initiatives.")]
    if not amount.is_finite() or amount <= 0 or amount.adjusted() >= MAX_MONEY.adjusted():
        errors["amount"] = [_("Enter a positive amount.")]
    elif not _cents(amount):
        errors["amount"] = [_("Use at most 2 decimal places.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the budget moves.")]
    if errors:
        raise ValidationError(errors)
    locked = {
        i.pk: i
        for i in Initiative.objects.select_for_update(of=("self",))
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if amount > (source.budget or Decimal(0)):
        raise ValidationError({"amount": [_("“%(title)s” has only %(budget)s to give.") % {
            "title": source.title, "budget": source.budget or 0}]})  # fmt: skip
    source.budget = (source.budget or Decimal(0)) - amount
    target.budget = (target.budget or Decimal(0)) + amount
    source.save(update_fields=["budget", "updated_at"])
    target.save(update_fields=["budget", "updated_at"])
    move = Reallocation.objects.create(org=org, source=source, target=target, amount=amount, reason=reason.strip(),
                                       created_by=actor)  # fmt: skip
    audit_record(org=org, actor=actor.user, action="budget.reallocate", target=move,
                 changes={"amount": [None, str(amount)], "reason": [None, reason.strip()]})  # fmt: skip
    return move
