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
    applied: tuple[int, ...] = ()  # lessons ticked "Apply" in a side panel (ids, unchecked)
    goal_id: int | None = None  # the goal being revised or decomposed (None: a new goal)
    where: str = ""  # "revision" or "decomposition" for an existing goal

    @classmethod
    def of_goal(cls, goal: Any, where: str) -> GoalDraft:
        """An existing goal as a draft: while it is revised (目标复审) or decomposed (拆解), the side
        panels offer what fits it as they do while a new goal is drafted."""
        return cls(org=goal.org, team_id=goal.team_id, parent_id=goal.parent_id, title=goal.title,
                   metric_name=goal.metric_name, unit=goal.unit, goal_id=goal.pk, where=where)  # fmt: skip

    @classmethod
    def of(cls, org: Organization, data: Any) -> GoalDraft:
        return cls(org=org, team_id=_id(data.get("team")), parent_id=_id(data.get("parent")),
                   title=str(data.get("title") or "").strip()[:200],
                   metric_name=str(data.get("metric_name") or "").strip()[:120],
                   unit=str(data.get("unit") or "").strip()[:30],
                   applied=tuple(i for v in (data.getlist("apply_lesson") if hasattr(data, "getlist") else [])[:20]
                                 if (i := _id(v)) is not None))  # fmt: skip

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


# Each hook runs after a goal is created from the form, with who created it and what the form
# posted (a side panel's fields ride along: the lessons ticked "Apply").
goal_created_hooks: list[Callable[[Any, Any, Any], Any]] = []


def goal_created(goal: Any, actor: Any, data: Any) -> None:
    for hook in goal_created_hooks:
        hook(goal, actor, data)


# Each provider returns panels shown on a goal's page (the lessons applied to it).
goal_panel_providers: list[Callable[[Any], list[DraftPanel]]] = []


def goal_panels(goal: Any) -> list[DraftPanel]:
    return [panel for provider in goal_panel_providers for panel in provider(goal)]
