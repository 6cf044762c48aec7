"""Reads of the schemes and salaries pages: the lists, one scheme, its what-if and curve, and the
target of an assignment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from teams.models import Membership, Organization, Team
from teams.page_forms import parse_id, parse_number

from .. import calculator
from ..models import BonusScheme, Salary
from .payouts import curve_of, target_bonus_of


def scheme_curve(*, scheme: BonusScheme, base: Decimal) -> list[tuple[float, float]]:
    """A scheme's payout curve on a base salary: bonus + commission at 0, 5, … 200 % attainment."""
    target = target_bonus_of(scheme, base)
    curve = curve_of(scheme, target)
    points = []
    for step in range(0, 201, 5):
        part = calculator.Part(label="", weight=Decimal(1), attainment=Decimal(step))
        payout = calculator.calculate(base=base, target_bonus=target, curve=curve, parts=[part], currency=str)
        points.append((float(step), float(payout.variable)))
    return points


@dataclass(frozen=True)
class SchemeWhatIf:
    base: Decimal
    attainment: Decimal


def scheme_what_if_query(*, params: Any) -> SchemeWhatIf:
    """base (default 10,000) and attainment (default 100 %) from a request, with clear errors."""
    errors: dict[str, list[str]] = {}
    base, attainment = Decimal(10000), Decimal(100)
    if params.get("base") not in (None, ""):
        value = parse_number(params.get("base"))
        if value is None or not 0 <= value < Decimal("1e10"):
            errors["base"] = [_("Enter a base salary of 0 or more.")]
        else:
            base = calculator.money(value)
    if params.get("attainment") not in (None, ""):
        value = parse_number(params.get("attainment"))
        if value is None or not 0 <= value <= 1000:
            errors["attainment"] = [_("Enter an attainment between 0 and 1000 %.")]
        else:
            attainment = value  # unrounded: 79.99 % has not reached an 80 % step
    if errors:
        raise ValidationError(errors)
    return SchemeWhatIf(base=base, attainment=attainment)


def scheme_list(*, org: Organization) -> list[BonusScheme]:
    return list(
        BonusScheme.objects.filter(org=org)
        .prefetch_related("assignments__membership__user", "assignments__team")
        .order_by("name", "id")
    )


def salary_list(*, org: Organization) -> list[dict[str, Any]]:
    """The first 500 base salaries by name, as plain rows (no model instances): the person's
    membership id and name (display name, else e-mail), base and effective date."""
    rows = (
        Salary.objects.filter(org=org)
        .order_by("membership__user__display_name", "-effective_from")
        .values_list("membership_id", "membership__user__display_name", "membership__user__email", "base",
                     "effective_from")[:500]
    )  # fmt: skip
    return [{"membership_id": member, "name": name or email, "base": base, "effective_from": day}
            for member, name, email, base, day in rows]  # fmt: skip


def scheme_get(*, org: Organization, scheme_id: int) -> BonusScheme:
    try:
        return BonusScheme.objects.get(org=org, pk=scheme_id)
    except BonusScheme.DoesNotExist:
        raise Http404("No scheme found.") from None


def assignment_target(*, org: Organization, raw: str) -> dict[str, Any]:
    """ "member:12", "team:3" or "role:member" from the assign form, as the service's arguments;
    a clear message for anything else."""
    kind, _sep, value = (raw or "").partition(":")
    if kind == "role":
        return {"role": value}
    if kind in ("member", "team"):
        target_id = parse_id(value)
        model = Membership if kind == "member" else Team
        found = model.objects.filter(org=org, pk=target_id).first() if target_id is not None else None
        if found is not None:
            return {"membership": found} if kind == "member" else {"team": found}
        raise ValidationError({"target": [_("No such person or team in this organisation.")]})
    raise ValidationError({"target": [_("Assign the scheme to one person, one team or one role.")]})
