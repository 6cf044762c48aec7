"""The SMART checklist and the "跳一跳能够到" tier suggestion from history. Pure functions over
plain values, so the live form (htmx), the API and the tests share them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

# A stretch target more than this many times the best growth seen in history is "far beyond".
FAR_BEYOND_FACTOR = Decimal("2")


@dataclass(frozen=True)
class HistoryPoint:
    label: str  # e.g. "2026 Q2"
    end_date: date
    value: Decimal


@dataclass(frozen=True)
class Suggestion:
    base: Decimal
    challenge: Decimal
    stretch: Decimal
    reasoning: str


@dataclass(frozen=True)
class Criterion:
    key: str  # specific / measurable / achievable / relevant / time_bound
    label: str
    ok: bool
    message: str


@dataclass
class Draft:
    title: str = ""
    description: str = ""
    rationale: str = ""
    metric_name: str = ""
    has_parent: bool = False
    base: Decimal | None = None
    challenge: Decimal | None = None
    stretch: Decimal | None = None
    baseline: Decimal | None = None
    direction: str = "up"
    start_date: date | None = None
    end_date: date | None = None
    history: list[HistoryPoint] = field(default_factory=list)


def _growths(values: list[Decimal]) -> list[Decimal]:
    """Relative change from each value to the next, against the size of the earlier one (so a
    move from -100 to -50 is +50 %, an improvement)."""
    return [(b - a) / abs(a) for a, b in zip(values, values[1:], strict=False) if a != 0]


def suggest_tiers(
    history: list[HistoryPoint], *, direction: str = "up", non_negative: bool = False
) -> Suggestion | None:
    try:
        return _suggest(history, direction=direction, non_negative=non_negative)
    except (ArithmeticError, ValueError):  # absurd history (e.g. 0.0001 → 10^13): no suggestion
        return None


def _suggest(history: list[HistoryPoint], *, direction: str, non_negative: bool) -> Suggestion | None:
    """base = linear trend projection of the next period; challenge = last value grown by the
    recent average growth; stretch = last value grown by the best recent growth (each at least
    the tier below). "Lower is better" metrics mirror this. None with fewer than two points."""
    points = sorted(history, key=lambda p: p.end_date)
    if len(points) < 2:
        return None
    values = [p.value for p in points]
    n = len(values)
    xs = [Decimal(i) for i in range(n)]
    mean_x = sum(xs) / n
    mean_y = sum(values) / n
    var_x = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, values, strict=True)) / var_x
    trend = mean_y + slope * (Decimal(n) - mean_x)
    recent = _growths(values[-4:])
    last = values[-1]
    if not recent:
        return None
    average = sum(recent) / len(recent)
    best = max(recent) if direction == "up" else min(recent)
    # Grow from the last value by its size, so that for negative values (losses) growth still moves up.
    challenge = last + abs(last) * average
    stretch = last + abs(last) * best
    if direction == "up":
        challenge = max(challenge, trend)
        stretch = max(stretch, challenge)
    else:
        challenge = min(challenge, trend)
        stretch = min(stretch, challenge)
    if non_negative:  # totals (users, revenue) cannot be negative, whatever the trend says
        trend, challenge, stretch = (max(v, Decimal(0)) for v in (trend, challenge, stretch))
    places = Decimal(1) if all(v == v.to_integral_value() for v in values) else Decimal("0.01")
    base_q, challenge_q, stretch_q = (v.quantize(places) for v in (trend, challenge, stretch))
    reasoning = _(
        "From %(n)d past periods (last %(last)s): the trend points to %(base)s; growing by the recent "
        "average of %(avg)s%% gives %(challenge)s; repeating the best recent growth of %(best)s%% gives %(stretch)s."
    ) % {
        "n": n,
        "last": f"{last.normalize():f}",
        "base": f"{base_q:f}",
        "avg": f"{(average * 100).quantize(Decimal('0.1')):f}",
        "challenge": f"{challenge_q:f}",
        "best": f"{(best * 100).quantize(Decimal('0.1')):f}",
        "stretch": f"{stretch_q:f}",
    }
    return Suggestion(base=base_q, challenge=challenge_q, stretch=stretch_q, reasoning=reasoning)


def _achievable(draft: Draft) -> tuple[bool, str]:
    try:
        return _judge_achievable(draft)
    except (ArithmeticError, ValueError):
        return True, _("Not enough history to judge.")


def _judge_achievable(draft: Draft) -> tuple[bool, str]:
    if draft.stretch is None:
        return False, _("Set the stretch target to judge whether it can be reached.")
    points = sorted(draft.history, key=lambda p: p.end_date)
    if len(points) < 2:
        return True, _("No history for this metric yet: discuss the targets with the team.")
    growths = _growths([p.value for p in points][-4:])
    last = points[-1].value
    if not growths or last == 0:
        return True, _("Not enough history to judge.")
    if draft.direction == "up":
        best = max(max(growths), Decimal(0))
        needed = (draft.stretch - last) / abs(last)
        far = needed > max(best * FAR_BEYOND_FACTOR, Decimal("0.05"))
    else:
        best = min(min(growths), Decimal(0))
        needed = (draft.stretch - last) / abs(last)
        far = needed < min(best * FAR_BEYOND_FACTOR, Decimal("-0.05"))
    if far:
        return False, _(
            "Not achievable: the stretch target needs %(needed)s%% against the last period, far beyond the best "
            "recent change of %(best)s%%."
        ) % {
            "needed": f"{(needed * 100).quantize(Decimal('0.1')):f}",
            "best": f"{(best * 100).quantize(Decimal('0.1')):f}",
        }
    return True, _("Within reach of what history shows.")


def checklist(draft: Draft) -> list[Criterion]:
    specific = bool(draft.title.strip()) and bool(draft.description.strip())
    measurable = bool(draft.metric_name.strip()) and None not in (draft.base, draft.challenge, draft.stretch)
    achievable, achievable_message = _achievable(draft)
    relevant = draft.has_parent or bool(draft.rationale.strip())
    time_bound = draft.start_date is not None and draft.end_date is not None
    return [
        Criterion(
            "specific",
            _("Specific"),
            specific,
            _("Clear title and description.")
            if specific
            else _("Not specific: describe what exactly will change."),
        ),
        Criterion(
            "measurable",
            _("Measurable"),
            measurable,
            _("A metric with three targets.")
            if measurable
            else _("Not measurable: name the metric and set base, challenge and stretch targets."),
        ),
        Criterion("achievable", _("Achievable"), achievable, achievable_message),
        Criterion(
            "relevant",
            _("Relevant"),
            relevant,
            _("Serves a higher goal or says why it matters.")
            if relevant
            else _("Not relevant: choose the goal it serves, or explain why it matters."),
        ),
        Criterion(
            "time_bound",
            _("Time-bound"),
            time_bound,
            _("Has a period.") if time_bound else _("Not time-bound: choose the period."),
        ),
    ]
