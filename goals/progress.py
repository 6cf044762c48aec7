"""Progress of goals against their challenge target, in percent.

Goals know only the final result of a closed goal. Live progress comes from the tracking app,
which registers a provider here (dependencies point one way: goals never imports tracking)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from .models import Direction, Goal

ProgressProvider = Callable[[list[Goal]], dict[int, Decimal]]
progress_providers: list[ProgressProvider] = []


def attainment(*, actual: Decimal, target: Decimal, direction: str) -> Decimal | None:
    """Actual against target in percent (for "lower is better", target / actual)."""
    if direction == Direction.DOWN:
        return None if actual <= 0 else (target / actual * 100).quantize(Decimal("0.1"))
    return None if target == 0 else (actual / target * 100).quantize(Decimal("0.1"))


def from_results(goals: list[Goal]) -> dict[int, Decimal]:
    progress: dict[int, Decimal] = {}
    for goal in goals:
        versions = sorted(goal.versions.all(), key=lambda v: v.number)
        if goal.result_value is None or not versions:
            continue
        value = attainment(actual=goal.result_value, target=versions[-1].challenge, direction=goal.direction)
        if value is not None:
            progress[goal.pk] = value
    return progress


def goal_progress(goals: Iterable[Goal]) -> dict[int, Decimal]:
    """{goal id: percent of the challenge target}, for the goals that have a figure."""
    goal_list = list(goals)
    progress = from_results(goal_list)
    for provider in progress_providers:
        progress.update(provider(goal_list))
    return progress
