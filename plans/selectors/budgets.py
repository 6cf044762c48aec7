"""Budgets: where budget could move (动态调整) and the team budget that covers a goal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from django.utils import timezone

from goals.models import Goal

from ..models import PRIORITY_RANK, TeamBudget


class BudgetItem(Protocol):
    """What a budget suggestion reads of an initiative: a model instance, or a plan page's row
    (plans.selectors.pages.PlanItem, read with ``values()``)."""

    @property
    def pk(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def budget(self) -> Decimal | None: ...
    @property
    def progress(self) -> int: ...
    @property
    def start_date(self) -> date: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def is_finished(self) -> bool: ...


@dataclass(frozen=True)
class BudgetSuggestion:
    source: BudgetItem
    target: BudgetItem
    amount: Decimal
    behind: int  # percentage points the target is behind schedule


def budget_suggestions(
    *, initiatives: Sequence[BudgetItem], today: date | None = None
) -> list[BudgetSuggestion]:
    """Where budget could move (动态调整): from lower-priority initiatives that have budget but have
    not started, to higher-priority ones that are behind schedule (progress below the share of
    their time already used). At most one suggestion per receiving initiative."""
    today = today or timezone.localdate()
    rank = PRIORITY_RANK
    donors = sorted(
        (
            i
            for i in initiatives
            if (i.budget or 0) > 0 and i.status == "not_started" and rank[i.priority] >= 2
        ),
        key=lambda i: (-rank[i.priority], -(i.budget or 0)),
    )
    needy = []
    for i in initiatives:
        if i.is_finished or rank[i.priority] > 1 or i.due_date is None or i.start_date > today:
            continue
        span = max((i.due_date - i.start_date).days, 1)
        expected = min(100, round(100 * (today - i.start_date).days / span))
        if expected - i.progress >= 20:
            needy.append((rank[i.priority], -(expected - i.progress), i, expected - i.progress))
    needy.sort(key=lambda t: (t[0], t[1]))
    suggestions = []
    available = {d.pk: d.budget or Decimal(0) for d in donors}
    for _rank, _gap, target, behind in needy:
        donor = next(
            (
                d
                for d in donors
                if available[d.pk] > 0 and d.pk != target.pk and rank[d.priority] > rank[target.priority]
            ),
            None,
        )
        if donor is None:
            break
        amount = (available[donor.pk] / 2).quantize(Decimal("0.01"))
        available[donor.pk] -= amount
        suggestions.append(BudgetSuggestion(source=donor, target=target, amount=amount, behind=behind))
    return suggestions


def team_budget_for(*, goal: Goal) -> TeamBudget | None:
    """The budget of the goal's team that covers the start of the goal's period."""
    if goal.team_id is None:
        return None
    return (
        TeamBudget.objects.filter(
            team_id=goal.team_id, start_date__lte=goal.start_date, end_date__gte=goal.start_date
        )
        .order_by("-start_date")
        .first()
    )
