"""The bonus arithmetic (物质激励), on plain values: base salary + performance bonus +
over-achievement commission, with a line-by-line explanation. No database, so the payout runs,
the what-if slider and the property tests all use the same code.

Money rule (the one rounding rule of the product): every amount is a Decimal in the organisation's
currency, rounded to the cent, half up, once per line; totals are sums of rounded lines.

Curves:
- linear: nothing below the threshold; from the threshold the bonus rises in a straight line to
  100 % of the target bonus at 100 % attainment (so it is continuous).
- steps: the payout percentage of the highest step reached (e.g. 80 % → 50 %, 90 % → 75 %,
  100 % → 100 %).
- tiers: the goal's tiers pay set multiples of the target bonus (base 0.5×, challenge 1×,
  stretch 1.5×).
Commission: on the points above 100 %, each band pays its rate of the target bonus per point (the
article: 5 % per point up to 120 %, 10 % beyond). An optional cap limits bonus + commission: a
multiple of the target bonus or an amount.

Attainment is compared with thresholds, steps and bands unrounded (79.99 % has not reached an 80 %
step) and the amounts are computed from it; only what is shown is rounded: attainment to 0.1 %
*down* (`shown_attainment`), so a figure on a payslip never reaches a threshold that the exact one
missed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


def money(value: Decimal) -> Decimal:
    """The product's one rounding rule: to the cent, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Band:
    """Commission on attainment points from `start` (%) up to `end` (% or None: no end)."""

    start: Decimal
    end: Decimal | None
    rate: Decimal  # fraction of the target bonus per point, e.g. 0.05


@dataclass(frozen=True)
class Curve:
    kind: str  # "linear", "steps" or "tiers"
    threshold: Decimal = Decimal(0)  # attainment % below which nothing is paid
    steps: tuple[tuple[Decimal, Decimal], ...] = ()  # (attainment %, payout % of the target bonus)
    bands: tuple[Band, ...] = ()
    cap: Decimal | None = None  # the most bonus + commission may pay, an amount
    cap_is_amount: bool = False  # the scheme set the cap as an amount (not a multiple of the target bonus)
    multiples: tuple[tuple[str, Decimal], ...] = ()  # tiers: (tier, multiple of the target bonus)


@dataclass(frozen=True)
class Part:
    """One goal counting for a person: its label, weight and attainment (and tier reached)."""

    label: str
    weight: Decimal
    attainment: Decimal
    tier: str = "none"


@dataclass
class Payout:
    base: Decimal
    target_bonus: Decimal
    attainment: Decimal  # as shown: to 0.1 %, rounded down (`exact_attainment` is what was compared)
    bonus: Decimal
    commission: Decimal
    capped: bool
    lines: list[str] = field(default_factory=list)
    exact_attainment: Decimal | None = None

    @property
    def variable(self) -> Decimal:
        return self.bonus + self.commission

    @property
    def total(self) -> Decimal:
        return self.base + self.bonus + self.commission


def weighted_attainment(parts: Sequence[Part]) -> Decimal:
    """Σ weight × attainment ÷ Σ weight, unrounded (it is compared with thresholds)."""
    weights = sum((p.weight for p in parts), Decimal(0))
    if not parts or weights <= 0:
        return Decimal(0)
    return sum((p.weight * p.attainment for p in parts), Decimal(0)) / weights


def shown_attainment(value: Decimal) -> Decimal:
    """An attainment as people read it: to 0.1 %, rounded down, so that what is shown never
    reaches a threshold the exact figure has not reached."""
    return value.quantize(TENTH, rounding=ROUND_FLOOR)


def shown_points(value: Decimal) -> str:
    """Commission points as people read them: whole, or to 0.1 rounded down."""
    return f"{shown_attainment(value).normalize():f}"


def bonus_percent(curve: Curve, attainment: Decimal) -> Decimal:
    """The performance bonus as a percentage (0–100) of the target bonus."""
    if curve.kind == "steps":
        reached = [pay for at, pay in curve.steps if attainment >= at]
        return max(reached, default=Decimal(0))
    if attainment < curve.threshold:
        return Decimal(0)
    if attainment >= HUNDRED:
        return HUNDRED
    if curve.threshold >= HUNDRED:
        return Decimal(0)
    return (attainment - curve.threshold) / (HUNDRED - curve.threshold) * HUNDRED


def commission_points(curve: Curve, attainment: Decimal) -> list[tuple[Band, Decimal]]:
    """The attainment points above 100 % that fall in each band."""
    found = []
    for band in curve.bands:
        low = max(band.start, HUNDRED)
        high = attainment if band.end is None else min(attainment, band.end)
        if high > low:
            found.append((band, high - low))
    return found


def pct(value: Decimal) -> str:
    return (
        f"{value.normalize():f}%"
        if value == value.to_integral_value()
        else f"{value.quantize(Decimal('0.1'))}%"
    )


def calculate(
    *,
    base: Decimal,
    target_bonus: Decimal,
    curve: Curve,
    parts: Sequence[Part],
    currency: Callable[[Decimal], str],
    say: Callable[[str, dict[str, str]], str] = lambda text, values: text % values,
    tier_label: Callable[[str], str] = str,
) -> Payout:
    """The payout for one person, and the lines that explain it. `currency` formats an amount for
    the reader; `say` translates a sentence (gettext) and fills it in."""
    exact = weighted_attainment(parts)  # compared and computed with
    attainment = shown_attainment(exact)  # shown
    lines = []
    if len(parts) > 1:
        terms = " + ".join(
            say(gettext_noop("%(weight)s × %(goal)s %(value)s"), {"weight": f"{p.weight.normalize():f}", "goal": p.label,
                                                      "value": pct(shown_attainment(p.attainment))})
            for p in parts
        )  # fmt: skip
        lines.append(
            say(gettext_noop("Attainment %(value)s = %(terms)s."), {"value": pct(attainment), "terms": terms})
        )
    elif parts:
        lines.append(
            say(
                gettext_noop("Attainment %(value)s (%(goal)s)."),
                {"value": pct(attainment), "goal": parts[0].label},
            )
        )
    else:
        lines.append(say(gettext_noop("No goal counts for this person yet: attainment 0%%."), {}))
    if curve.kind == "tiers":
        multiples = dict(curve.multiples)
        weights = sum((p.weight for p in parts), Decimal(0))
        multiple = (
            sum((p.weight * multiples.get(p.tier, Decimal(0)) for p in parts), Decimal(0)) / weights
            if weights > 0 else Decimal(0)
        )  # fmt: skip
        bonus = money(target_bonus * multiple)
        reached = ", ".join(f"{p.label}: {tier_label(p.tier)}" for p in parts) or "—"
        lines.append(say(gettext_noop("Tiers reached (%(tiers)s) pay %(multiple)s× the target bonus %(target)s = %(bonus)s."),
                         {"tiers": reached, "multiple": f"{multiple.normalize():f}", "target": currency(target_bonus),
                          "bonus": currency(bonus)}))  # fmt: skip
        commission = Decimal(0)
    else:
        share = bonus_percent(curve, exact)
        bonus = money(target_bonus * share / HUNDRED)
        if share >= HUNDRED:
            lines.append(say(gettext_noop("Full bonus %(bonus)s."), {"bonus": currency(bonus)}))
        elif share <= 0:
            lines.append(say(gettext_noop("Below the threshold of %(threshold)s: no performance bonus."),
                             {"threshold": pct(curve.threshold)}))  # fmt: skip
        else:
            lines.append(say(gettext_noop("Performance bonus %(share)s of %(target)s = %(bonus)s."),
                             {"share": pct(share), "target": currency(target_bonus), "bonus": currency(bonus)}))  # fmt: skip
        commission = Decimal(0)
        for band, points in commission_points(curve, exact):
            amount = money(points * band.rate * target_bonus)
            commission += amount
            lines.append(say(gettext_noop("Commission %(points)s points × %(rate)s × %(target)s = %(amount)s."),
                             {"points": shown_points(points), "rate": pct(band.rate * HUNDRED),
                              "target": currency(target_bonus), "amount": currency(amount)}))  # fmt: skip
    capped = False
    if curve.cap is not None and bonus + commission > curve.cap:
        capped = True
        over = bonus + commission - curve.cap
        if commission >= over:
            commission -= over
        else:
            bonus -= over - commission
            commission = Decimal(0)
        if curve.cap_is_amount:
            lines.append(
                say(gettext_noop("Capped at %(cap)s, the scheme's cap amount."), {"cap": currency(curve.cap)})
            )
        else:
            lines.append(say(gettext_noop("Capped at %(cap)s."), {"cap": currency(curve.cap)}))
    base = money(base)
    total = base + bonus + commission
    lines.append(say(gettext_noop("Total %(total)s = base %(base)s + bonus %(bonus)s + commission %(commission)s."),
                     {"total": currency(total), "base": currency(base), "bonus": currency(bonus),
                      "commission": currency(commission)}))  # fmt: skip
    return Payout(base=base, target_bonus=money(target_bonus), attainment=attainment, bonus=bonus,
                  commission=commission, capped=capped, lines=lines, exact_attainment=exact)  # fmt: skip
