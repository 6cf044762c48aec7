"""Extension points through which later apps add to the goal form without the goals app importing
them (dependencies point one way): e.g. the retros app offers past lessons while a goal is drafted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from teams.models import Organization


def _id(raw: object) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


@dataclass(frozen=True)
class GoalDraft:
    """What the goal form holds so far (nothing of it validated)."""

    org: Organization
    team_id: int | None
    parent_id: int | None
    title: str
    metric_name: str
    unit: str

    @classmethod
    def of(cls, org: Organization, data: Any) -> GoalDraft:
        return cls(org=org, team_id=_id(data.get("team")), parent_id=_id(data.get("parent")),
                   title=str(data.get("title") or "").strip()[:200],
                   metric_name=str(data.get("metric_name") or "").strip()[:120],
                   unit=str(data.get("unit") or "").strip()[:30])  # fmt: skip

    @property
    def empty(self) -> bool:
        return not (self.team_id or self.parent_id or self.title or self.metric_name)


@dataclass(frozen=True)
class DraftPanel:
    """A panel beside the goal form: an app's template and its context."""

    template: str
    context: dict[str, Any]


# Each provider returns the panels it adds beside the goal form for the draft (often none).
draft_panel_providers: list[Callable[[GoalDraft], list[DraftPanel]]] = []


def draft_panels(draft: GoalDraft) -> list[DraftPanel]:
    if draft.empty:
        return []
    return [panel for provider in draft_panel_providers for panel in provider(draft)]
