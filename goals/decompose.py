"""Decomposition of a goal's three targets into quarter / month / week slices. Pure functions;
goals.services saves the result.

Additive metrics (values combine by *sum*) are split by shares — evenly (by calendar days, so a
partial week at a quarter's edge gets its days' share), by working days, or by weights the manager
enters (seasonality) — with the largest-remainder method, so the slices add up
to the whole exactly at the targets' own precision. Rates and levels (latest / average) are not
split: each slice carries a level, either the target itself or a linear ramp from the baseline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from .periods import Span, working_days

TIERS = ("base", "challenge", "stretch")
METHODS_ADDITIVE = ("even", "working_days", "weights")
METHODS_LEVEL = ("level", "ramp")


@dataclass(frozen=True)
class Slice:
    start: date
    end: date
    base: Decimal
    challenge: Decimal
    stretch: Decimal

    def tier(self, name: str) -> Decimal:
        return getattr(self, name)  # type: ignore[no-any-return]


class DecompositionError(ValueError):
    """Bad parameters for a decomposition; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def precision_of(*values: Decimal) -> int:
    """Decimal places needed by the given targets (0 for whole numbers, at most 4)."""
    places = 0
    for value in values:
        normalized = value.normalize()
        exponent = normalized.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return min(places, 4)


def split_exact(total: Decimal, shares: list[Decimal], places: int) -> list[Decimal]:
    """Split ``total`` by ``shares`` (summing to anything positive) into amounts with ``places``
    decimals that add up to ``total`` exactly (largest remainder)."""
    quantum = Decimal(1).scaleb(-places)
    share_sum = sum(shares, Decimal(0))
    if share_sum <= 0:
        raise DecompositionError("Weights must add up to more than zero.", "weights")
    raw = [total * share / share_sum for share in shares]
    floors = [value.quantize(quantum, rounding=ROUND_FLOOR) for value in raw]
    leftover = int(((total - sum(floors, Decimal(0))) / quantum).to_integral_value())
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - floors[i], -i), reverse=True)
    for i in order[:leftover]:
        floors[i] += quantum
    return floors


def shares_for(method: str, spans: list[Span], weights: list[Decimal] | None) -> list[Decimal]:
    if method == "even":
        # Evenly over time: by calendar days, so the partial weeks (or months) at the edges of the
        # period get their share of the days, not the target of a full one.
        return [Decimal((end - start).days + 1) for start, end in spans]
    if method == "working_days":
        shares = [Decimal(working_days(s, e)) for s, e in spans]
        if sum(shares) == 0:
            raise DecompositionError("The period has no working days.", "method")
        return shares
    if method == "weights":
        if weights is None or len(weights) != len(spans):
            raise DecompositionError(f"Enter one weight per period ({len(spans)}).", "weights")
        if any(w < 0 for w in weights):
            raise DecompositionError("Weights cannot be negative.", "weights")
        return list(weights)
    raise DecompositionError(f"Unknown method “{method}”.", "method")


def decompose(
    *,
    targets: dict[str, Decimal],
    spans: list[Span],
    additive: bool,
    method: str,
    weights: list[Decimal] | None = None,
    baseline: Decimal | None = None,
) -> list[Slice]:
    if not spans:
        raise DecompositionError("The period has no slices of this kind.", "kind")
    if additive:
        if method not in METHODS_ADDITIVE:
            raise DecompositionError(f"Use one of: {', '.join(METHODS_ADDITIVE)}.", "method")
        shares = shares_for(method, spans, weights)
        places = precision_of(*targets.values())
        columns = {tier: split_exact(targets[tier], shares, places) for tier in TIERS}
        return [
            Slice(s, e, columns["base"][i], columns["challenge"][i], columns["stretch"][i])
            for i, (s, e) in enumerate(spans)
        ]
    if method not in METHODS_LEVEL:
        raise DecompositionError(f"Use one of: {', '.join(METHODS_LEVEL)}.", "method")
    if method == "level":
        return [Slice(s, e, targets["base"], targets["challenge"], targets["stretch"]) for s, e in spans]
    if baseline is None:
        raise DecompositionError(
            "A ramp starts from the baseline: enter the goal's baseline first.", "method"
        )
    n = len(spans)
    places = max(precision_of(*targets.values(), baseline), 2)
    quantum = Decimal(1).scaleb(-places)
    result = []
    for i, (s, e) in enumerate(spans):
        step = Decimal(i + 1) / Decimal(n)
        values = {t: (baseline + (targets[t] - baseline) * step).quantize(quantum) for t in TIERS}
        result.append(Slice(s, e, values["base"], values["challenge"], values["stretch"]))
    return result


def reconciliation(targets: dict[str, Decimal], parts: list[dict[str, Decimal]]) -> dict[str, Decimal]:
    """For additive metrics: the sum of the parts minus the whole, per tier (all zero = reconciled)."""
    return {tier: sum((p[tier] for p in parts), Decimal(0)) - targets[tier] for tier in TIERS}


def equal_split(targets: dict[str, Decimal], count: int, *, additive: bool) -> list[dict[str, Decimal]]:
    """``count`` equal parts of the three targets: for an additive metric shares that add up to
    each target exactly, at the targets' precision; for a rate or a level the target itself."""
    if count == 0:
        return []
    places = precision_of(*targets.values())
    shares = [Decimal(1)] * count
    columns = {
        t: split_exact(targets[t], shares, places) if additive else [targets[t]] * count for t in TIERS
    }
    return [{t: columns[t][i] for t in TIERS} for i in range(count)]
