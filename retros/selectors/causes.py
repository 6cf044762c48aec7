"""Causes across periods: how many cards named each cause of a miss, per team and period (quarter
or month of the retro's end), so a manager sees what keeps recurring. Counts only — never a card's
text or author — so the whole organisation may read them (one query)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncQuarter

from ..models import Card, CardKind, CauseCategory

CAUSE_KEYS: tuple[str, ...] = tuple(CauseCategory.values)


@dataclass
class CauseRow:
    team: str
    period: str  # "2026 Q3" or "2026-09"
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(the cause's label, its count) in the taxonomy's order: a table row."""
        return [(str(label), self.counts.get(key, 0)) for key, label in CauseCategory.choices]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class CauseTrends:
    rows: list[CauseRow]
    labels: list[tuple[str, str]]  # (cause, its label), in the taxonomy's order

    @property
    def chart(self) -> dict[str, object]:
        """Plotly's data: one bar trace per cause, x = "team · period", stacked."""
        x = [f"{row.team} · {row.period}" for row in self.rows]
        return {"x": x, "traces": [{"name": str(label), "y": [row.counts.get(key, 0) for row in self.rows]}
                                   for key, label in self.labels]}  # fmt: skip


def _label(day: date, by: str) -> str:
    return f"{day.year}-{day.month:02d}" if by == "month" else f"{day.year} Q{(day.month - 1) // 3 + 1}"


def cause_trends(*, org_id: int, team_id: int | None = None, by: str = "quarter", since: date | None = None,
                 today: date) -> CauseTrends:  # fmt: skip
    """Counts of cause cards per team and period of the retros that ended since `since` (two years
    by default), oldest period first."""
    since = since or today - timedelta(days=730)
    trunc = TruncMonth("retro__period_end") if by == "month" else TruncQuarter("retro__period_end")
    qs = Card.objects.filter(org_id=org_id, kind=CardKind.CAUSE, retro__period_end__gte=since)
    if team_id is not None:
        qs = qs.filter(retro__team_id=team_id)
    found: dict[tuple[date, str], CauseRow] = {}
    totals: dict[tuple[date, str], dict[str, int]] = defaultdict(dict)
    for period, team, category, n in (
        qs.annotate(period=trunc).values_list("period", "retro__team__name", "category").annotate(n=Count("pk"))
        .order_by("period", "retro__team__name", "category")
    ):  # fmt: skip
        day = period.date() if hasattr(period, "date") else period
        key = (day, team)
        found.setdefault(key, CauseRow(team=team, period=_label(day, by)))
        totals[key][category] = n
    for key, row in found.items():
        row.counts = totals[key]
    labels = [(key, str(label)) for key, label in CauseCategory.choices]
    return CauseTrends(rows=[found[k] for k in sorted(found)], labels=labels)
