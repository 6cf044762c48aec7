"""What every write of the goals app shares: the tiers and their validation, the audit scope and
snapshot of a goal's targets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import Aggregation, Direction, Goal, TargetVersion

MAX_VALUE = Decimal("1e13")
TIER_FIELDS = ("base", "challenge", "stretch")
# What forms and the API call the tiers of a proposal (comment_add reports errors on the tiers).
PROPOSAL_FIELDS = {"base": "proposed_base", "challenge": "proposed_challenge", "stretch": "proposed_stretch"}
GOAL_FIELDS = (
    "scope", "team_id", "owner_id", "parent_id", "weight", "title", "description", "rationale", "metric_name",
    "unit", "direction", "aggregation", "baseline", "allows_negative", "period_kind", "start_date", "end_date",
)  # fmt: skip


# --- Validation helpers -------------------------------------------------------------------------
def tier_label(tier: str) -> str:
    """The translated name of a tier key, for messages."""
    return {"base": _("base"), "challenge": _("challenge"), "stretch": _("stretch")}.get(tier, tier)


def is_realistic(value: Decimal) -> bool:
    """Finite and below MAX_VALUE, checked without arithmetic that could overflow (1e999999999)."""
    if not value.is_finite():
        return False
    return value.adjusted() < MAX_VALUE.adjusted()


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def validate_tiers(
    *, base: Decimal | None, challenge: Decimal | None, stretch: Decimal | None, direction: str, aggregation: str,
    prefix: str = "",
) -> dict[str, list[str]]:  # fmt: skip
    """Errors for three targets: all present, sane, and in order for the direction."""
    errors: dict[str, list[str]] = {}
    values = {"base": base, "challenge": challenge, "stretch": stretch}
    for name, value in values.items():
        if value is None:
            errors[prefix + name] = [_("Enter a target.")]
        elif not is_realistic(value):
            errors[prefix + name] = [_("Enter a realistic number.")]
        elif _places(value) > 4:
            errors[prefix + name] = [_("Use at most 4 decimal places.")]
        elif aggregation == Aggregation.SUM and value < 0:
            errors[prefix + name] = [_("A total cannot be negative.")]
    if errors or base is None or challenge is None or stretch is None:
        return errors
    if direction == Direction.UP:
        if base > challenge:
            errors[prefix + "challenge"] = [_("The challenge target must be at least the base target.")]
        if challenge > stretch:
            errors[prefix + "stretch"] = [_("The stretch target must be at least the challenge target.")]
    else:
        if base < challenge:
            errors[prefix + "challenge"] = [
                _("Lower is better: the challenge target must be at most the base target.")
            ]
        if challenge < stretch:
            errors[prefix + "stretch"] = [
                _("Lower is better: the stretch target must be at most the challenge target.")
            ]
    return errors


def audit_scope(goal: Goal) -> str:
    """The audit scope of everything about one goal: its history is one list."""
    return f"goal:{goal.pk}"


def version_snapshot(version: TargetVersion) -> dict[str, object]:
    return {"version": version.number, **version.tiers(), "effective_from": version.effective_from}


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))
