"""Writes of the bonus schemes: define or change one (validated, audited) and assign it to a
person, a team or a role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.services import TIER_FIELDS
from teams.models import Membership, Organization, Role
from teams.services import audit_diff, audit_record

from .. import calculator
from ..bands import check_bands
from ..models import BonusScheme, SchemeAssignment, SchemeKind
from ..selectors.rights import manages_money


def _rows(value: Any, width: int) -> list[list[Any]] | None:
    """A list of rows of exactly `width` cells (JSON from the API or lines from the form), or
    None when the shape is anything else."""
    if not isinstance(value, list | tuple):
        return None
    rows = []
    for row in value:
        if not isinstance(row, list | tuple) or len(row) != width:
            return None
        rows.append(list(row))
    return rows


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() and abs(number) < Decimal("1e12") else None


@dataclass(frozen=True)
class SchemeInput:
    name: str
    kind: str = SchemeKind.LINEAR
    target_bonus: Decimal | None = None
    target_bonus_pct: Decimal | None = None
    threshold: Decimal = Decimal(0)
    steps: Sequence[Sequence[Any]] = ()
    bands: Sequence[Sequence[Any]] = ()
    cap_multiple: Decimal | None = None
    cap_amount: Decimal | None = None
    multiples: dict[str, Any] | None = None
    team_weight: Decimal = Decimal("0.6")
    own_weight: Decimal = Decimal("0.4")


def _validate_scheme(
    data: SchemeInput,
) -> tuple[dict[str, list[str]], list[list[str]], list[list[Any]], dict[str, str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Name the scheme.")]
    if data.kind not in SchemeKind.values:
        errors["kind"] = [_("Choose linear, steps or tiers.")]
    if (data.target_bonus is None) == (data.target_bonus_pct is None):
        # xgettext:no-python-format
        errors["target_bonus"] = [_("Give the target bonus as an amount or as a % of base, not both.")]
    elif data.target_bonus is not None and data.target_bonus < 0:
        errors["target_bonus"] = [_("The target bonus cannot be negative.")]
    elif data.target_bonus_pct is not None and not 0 <= data.target_bonus_pct <= 1000:
        # xgettext:no-python-format
        errors["target_bonus_pct"] = [_("Between 0 and 1000 % of base.")]
    if not 0 <= data.threshold < 100:
        errors["threshold"] = [_("The threshold is an attainment between 0 and 100 %.")]
    steps: list[list[str]] = []
    step_rows = _rows(data.steps, 2)
    if data.kind == SchemeKind.STEPS:
        parsed = [(_decimal(a), _decimal(p)) for a, p in (step_rows or [])]
        if not parsed or any(a is None or p is None for a, p in parsed):
            errors["steps"] = [_("Give each step as attainment % and payout %.")]
        else:
            ordered = sorted(
                ((a or Decimal(0), p or Decimal(0)) for a, p in parsed), key=lambda pair: pair[0]
            )
            ats = [a for a, _p in ordered]
            pays = [p for _a, p in ordered]
            if len(set(ats)) != len(ats) or pays != sorted(pays) or any(not 0 <= p <= 100 for p in pays):
                errors["steps"] = [
                    # xgettext:no-python-format
                    _("Steps must have different attainments, and pay 0–100 % rising with attainment.")
                ]
            steps = [[str(a), str(p)] for a, p in ordered]
    checked = check_bands(list(data.bands) if isinstance(data.bands, list | tuple) else data.bands)
    bands: list[list[Any]] = list(checked.bands)
    if not checked.ok:
        errors["bands"] = [checked.summary]
        for index, problems in checked.rows.items():  # "bands.1.start": which row, which cell
            for name, message in problems.items():
                errors[f"bands.{index}.{name}"] = [message]
    if data.cap_multiple is not None and data.cap_amount is not None:
        errors["cap_amount"] = [
            _("Give the cap as a multiple of the target bonus or as an amount, not both.")
        ]
    elif data.cap_multiple is not None and data.cap_multiple < 1:
        errors["cap_multiple"] = [_("The cap cannot be below the target bonus (at least 1×).")]
    elif data.cap_amount is not None and (data.cap_amount <= 0 or data.cap_amount >= Decimal("1e12")):
        errors["cap_amount"] = [_("The cap is an amount above 0.")]
    elif (
        data.cap_amount is not None and data.target_bonus is not None and data.cap_amount < data.target_bonus
    ):
        errors["cap_amount"] = [_("The cap cannot be below the target bonus.")]
    multiples: dict[str, str] = {}
    if data.kind == SchemeKind.TIERS:
        raw_multiples = data.multiples if isinstance(data.multiples, dict) else {}
        found = {tier: _decimal(raw_multiples.get(tier)) for tier in TIER_FIELDS}
        given = [v for v in found.values() if v is not None and v >= 0]
        if len(given) != len(TIER_FIELDS):
            errors["multiples"] = [_("Give a multiple of the target bonus for base, challenge and stretch.")]
        elif given != sorted(given):
            errors["multiples"] = [_("Multiples must rise from base to challenge to stretch.")]
        else:
            multiples = {tier: str(v) for tier, v in found.items()}
    if data.team_weight < 0 or data.own_weight < 0 or data.team_weight + data.own_weight <= 0:
        errors["team_weight"] = [_("Weights are zero or more, and not both zero.")]
    return errors, steps, bands, multiples


def _scheme_snapshot(scheme: BonusScheme) -> dict[str, object]:
    fields = ("name", "kind", "target_bonus", "target_bonus_pct", "threshold", "steps", "bands", "cap_multiple",
              "cap_amount", "multiples", "team_weight", "own_weight")  # fmt: skip
    return {f: getattr(scheme, f) for f in fields}


@transaction.atomic
def scheme_save(
    *, org: Organization, actor: Membership, data: SchemeInput, scheme: BonusScheme | None = None
) -> BonusScheme:
    """Create or change a scheme (HR and admins); every change is in the audit trail."""
    if not manages_money(actor) or actor.org_id != org.pk:
        raise ValidationError(_("Only HR and admins define bonus schemes."))
    errors, steps, bands, multiples = _validate_scheme(data)
    if errors:
        raise ValidationError(errors)
    target = scheme or BonusScheme(org=org)
    before = _scheme_snapshot(target) if scheme else {}
    target.name, target.kind = data.name.strip(), data.kind
    target.target_bonus = None if data.target_bonus is None else calculator.money(data.target_bonus)
    target.target_bonus_pct = (
        None if data.target_bonus_pct is None else calculator.money(data.target_bonus_pct)
    )
    target.threshold, target.steps, target.bands = data.threshold, steps, bands
    target.cap_multiple, target.multiples = data.cap_multiple, multiples
    target.cap_amount = None if data.cap_amount is None else calculator.money(data.cap_amount)
    target.team_weight, target.own_weight = data.team_weight, data.own_weight
    if BonusScheme.objects.filter(org=org, name__iexact=target.name).exclude(pk=target.pk).exists():
        raise ValidationError({"name": [_("Another scheme has this name.")]})
    target.save()
    audit_record(org=org, actor=actor.user, action="scheme.update" if scheme else "scheme.create", target=target,
                 changes=audit_diff(before, _scheme_snapshot(target)), scope="incentives")  # fmt: skip
    return target


@transaction.atomic
def scheme_assign(
    *,
    scheme: BonusScheme,
    actor: Membership,
    membership: Membership | None = None,
    team: Any = None,
    role: str = "",
) -> SchemeAssignment:
    if not manages_money(actor) or actor.org_id != scheme.org_id:
        raise ValidationError(_("Only HR and admins assign bonus schemes."))
    targets = [t for t in (membership, team, role or None) if t]
    if len(targets) != 1:
        raise ValidationError(_("Assign the scheme to one person, one team or one role."))
    if (membership is not None and membership.org_id != scheme.org_id) or (
        team is not None and team.org_id != scheme.org_id
    ):
        raise ValidationError(_("Choose a person or team of this organisation."))
    if role and role not in Role.values:
        raise ValidationError({"role": [_("No such role.")]})
    lookup = {"membership": membership, "team": team, "role": role or ""}
    SchemeAssignment.objects.filter(org=scheme.org, **lookup).delete()  # one scheme per target
    assignment = SchemeAssignment.objects.create(org=scheme.org, scheme=scheme, **lookup)
    audit_record(org=scheme.org, actor=actor.user, action="scheme.assign", target=scheme,
                 changes={"assigned": [None, str(membership or team or role)]}, scope="incentives")  # fmt: skip
    return assignment
