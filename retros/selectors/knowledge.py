"""知识库: the lessons published from retros, searchable by the whole organisation (never another
team's cards), and offered beside the goal form while a goal is drafted (a goals hook: the goals
app does not import retros)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from goals.hooks import DraftPanel, GoalDraft
from goals.models import Goal, Status

from ..models import Card, CardKind, CauseCategory, Lesson, RetroGoal

SEARCH_LIMIT = 100
DRAFT_LESSONS = 5
SIMILAR_GOALS = 4
_WORDS = re.compile(r"[\s,，/、;；]+")


def _terms(text: str, limit: int = 6) -> list[str]:
    return [t for t in _WORDS.split(text.strip()) if len(t) >= 2][:limit]


def knowledge_search(*, org_id: int, query: str = "", team_id: int | None = None) -> QuerySet[Lesson]:
    """Published lessons of the organisation matching every word of the query (in the lesson, its
    tags, its metric or its retro's title — Chinese or English), newest first (one query)."""
    qs = Lesson.objects.filter(org_id=org_id, published=True).select_related("retro__team")
    for term in _terms(query):
        qs = qs.filter(
            Q(text__icontains=term) | Q(tags__icontains=term) | Q(metric_name__icontains=term)
            | Q(retro__title__icontains=term)
        )  # fmt: skip
    if team_id is not None:
        qs = qs.filter(retro__team_id=team_id)
    return qs.order_by("-retro__period_end", "-pk")


@dataclass
class CauseStats:
    goals: int = 0  # similar past goals looked at
    missed: int = 0  # of them, closed below base
    causes: list[tuple[str, int]] = field(default_factory=list)  # (cause label, goals it was named for)

    @property
    def text(self) -> str:
        if not self.goals:
            return ""
        line = _("%(missed)s of the last %(n)s similar goals missed their base target.") % {
            "missed": self.missed, "n": self.goals}  # fmt: skip
        if self.causes:
            label, count = self.causes[0]
            line += " " + _("%(count)s of them for: %(cause)s.") % {"count": count, "cause": label}
        return line


def cause_stats(*, draft: GoalDraft) -> CauseStats:
    """How similar past goals (same team, same metric) ended, and the causes their retros named
    (two queries)."""
    if draft.team_id is None:
        return CauseStats()
    similar = Goal.objects.filter(
        org=draft.org, team_id=draft.team_id, status__in=(Status.ACHIEVED, Status.MISSED)
    )
    if draft.metric_name:
        similar = similar.filter(metric_name__iexact=draft.metric_name)
    rows = list(similar.order_by("-end_date", "-pk").values_list("pk", "status")[:SIMILAR_GOALS])
    missed = [pk for pk, status in rows if status == Status.MISSED]
    causes: list[tuple[str, int]] = []
    if missed:
        labels = dict(CauseCategory.choices)
        retro_ids = RetroGoal.objects.filter(org=draft.org, goal_id__in=missed).values("retro_id")
        counted = (
            Card.objects.filter(org=draft.org, retro_id__in=retro_ids, kind=CardKind.CAUSE)
            .values("category")
            .annotate(
                goals=Count(
                    "retro__goal_links__goal", distinct=True, filter=Q(retro__goal_links__goal_id__in=missed)
                )
            )
            .order_by("-goals", "category")
        )
        causes = [(str(labels.get(row["category"], row["category"])), row["goals"]) for row in counted]
    return CauseStats(goals=len(rows), missed=len(missed), causes=causes)


def lessons_for_draft(draft: GoalDraft) -> list[DraftPanel]:
    """The goals hook: past lessons that fit the draft — same team, same metric, or words of its
    title — and the cause statistics of similar past goals."""
    rule = Q()
    if draft.team_id:
        rule |= Q(retro__team_id=draft.team_id)
    if draft.metric_name:
        rule |= Q(metric_name__iexact=draft.metric_name)
    if draft.parent_id:
        rule |= Q(retro__goals__parent_id=draft.parent_id)
    for term in _terms(draft.title, limit=4):
        rule |= Q(text__icontains=term) | Q(tags__icontains=term)
    if not rule:
        return []
    lessons = list(
        Lesson.objects.filter(rule, org=draft.org, published=True)
        .select_related("retro__team")
        .distinct()
        .order_by("-retro__period_end", "-pk")[:DRAFT_LESSONS]
    )
    stats = cause_stats(draft=draft)
    if not lessons and not stats.text:
        return []
    return [DraftPanel("retros/_draft_lessons.html", {"lessons": lessons, "stats": stats})]
