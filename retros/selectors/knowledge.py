"""知识库: the lessons published from retros, searchable by the whole organisation (never another
team's cards), and offered beside the goal form while a goal is drafted (a goals hook: the goals
app does not import retros)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Field,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from goals.hooks import DraftPanel, GoalDraft
from goals.models import Goal, Status
from teams.hooks import HomePanel
from teams.models import Membership

from ..models import Card, CardKind, CauseCategory, Lesson, LessonApplication, PracticeStage, RetroGoal

SEARCH_LIMIT = 100
DRAFT_LESSONS = 5
SIMILAR_GOALS = 4
_WORDS = re.compile(r"[\s,，/、;；]+")


def _terms(text: str, limit: int = 6) -> list[str]:
    return [t for t in _WORDS.split(text.strip()) if len(t) >= 2][:limit]


@dataclass(frozen=True)
class KnowledgeFilters:
    """What the knowledge base is narrowed to (each optional)."""

    query: str = ""
    team_id: int | None = None
    metric: str = ""
    cause: str = ""
    tag: str = ""
    period: tuple[date, date] | None = None
    stage: str | None = None


def _matching(qs: QuerySet[Lesson], terms: list[str], org_id: int) -> QuerySet[Lesson]:
    """Every word of the query, in Chinese or English: its substring (LIKE on the lower-case search
    column; on PostgreSQL served by the pg_trgm GIN index, which covers Chinese). On PostgreSQL a
    word of four letters or more with punctuation in it also matches by full text (the simple
    dictionary's GIN index: "live-stream." finds "live stream"), and a word of four letters or more
    that no published entry of the organisation contains is looked for as a close word instead
    (trigram word similarity: "referal" finds "referral"); the matches are ranked by their word
    similarity to the query. Otherwise (short words, SQLite) newest first.

    The close-word fallback keeps the query cheap: `<%` computes a similarity per row, and on a table
    where a word matches a fifth of the rows the planner scans every row with it (10,000 entries:
    ~60 ms); behind the uncorrelated NOT EXISTS (one index probe, evaluated once) it is skipped
    whenever the word is found as it is."""
    postgres = connection.vendor == "postgresql"
    text = F("search_text")
    for n, term in enumerate(terms):
        word = term.lower()
        rule = Q(search_text__contains=word)
        if postgres and len(term) >= FUZZY_MIN:  # shorter words: the substring says it all
            pattern = f"%{connection.ops.prep_for_like_query(word)}%"
            exact = "e.search_text LIKE %s"
            params: tuple[object, ...] = (org_id, pattern)
            if not _PLAIN.fullmatch(word):  # with punctuation: its full-text words as well
                exact = f"({exact} OR {_TS.format('e.search_text', '%s')})"
                params += (word,)
                qs = qs.alias(**{f"words_{n}": _Sql(_TS, text, Value(word), output_field=BooleanField())})
                rule |= Q(**{f"words_{n}": True})
            found = RawSQL(_PG_FOUND.format(exact=exact), params, output_field=BooleanField())  # noqa: S611 - fixed SQL, the words are parameters
            close = _Sql("{0} <%% {1}", Value(word), text, output_field=BooleanField())
            qs = qs.alias(**{f"unknown_{n}": found, f"close_{n}": close})
            rule |= Q(**{f"unknown_{n}": True}) & Q(**{f"close_{n}": True})
        qs = qs.filter(rule)
    return qs


def _ranked(qs: QuerySet[Lesson], terms: list[str]) -> QuerySet[Lesson]:
    """Best match first on PostgreSQL (word similarity to the query), then newest first."""
    qs = qs.order_by("-period_end", "-pk")
    if connection.vendor == "postgresql" and any(len(term) >= FUZZY_MIN for term in terms):
        phrase, text = Value(" ".join(terms).lower()), F("search_text")
        if _PHRASE.fullmatch(
            phrase.value
        ):  # the phrase as whole words ranks 1: skip computing the similarity
            rank = _Sql(_RANK_WHOLE, text, phrase, phrase, text, output_field=FloatField())
        else:
            rank = _Sql("word_similarity({0}, {1})", phrase, text, output_field=FloatField())
        qs = qs.annotate(rank=rank).order_by("-rank", "-period_end", "-pk")
    return qs


class _Sql(Func):
    """SQL around expressions, named {0}, {1}… in the order they are given and used (each compiled
    with the query's own table alias: the expression holds in a subquery too, unlike RawSQL naming
    retros_lesson)."""

    def __init__(self, sql: str, *expressions: Any, output_field: Field[Any, Any]) -> None:
        super().__init__(*expressions, output_field=output_field)
        self.sql = sql

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, found = compiler.compile(expression)
            parts.append(sql)
            params.extend(found)
        return self.sql.format(*parts), params


FUZZY_MIN = 4
_PLAIN = re.compile(r"\w+")
_TS = "to_tsvector('simple'::regconfig, {0}) @@ plainto_tsquery('simple'::regconfig, {1})"
# a word no published entry of the organisation holds (an InitPlan: evaluated once, not per row)
_PG_FOUND = "NOT EXISTS (SELECT 1 FROM retros_lesson e WHERE e.org_id = %s AND e.published AND {exact})"
# word_similarity is 1 exactly when every trigram of the phrase lies in one stretch of the text, as when
# the text holds the phrase between word boundaries (pg_trgm's word characters are the locale's
# alphanumerics, like the regex class): a regex match costs a third of the similarity, and on a
# common word (a fifth of 10,000 entries) most matches are whole words.
_PHRASE = re.compile(r"\w+( \w+)*")
_RANK_WHOLE = "CASE WHEN {0} ~ ('(^|[^[:alnum:]])' || {1} || '($|[^[:alnum:]])') THEN 1.0 ELSE word_similarity({2}, {3}) END"


def knowledge_search(
    *,
    org_id: int,
    query: str = "",
    team_id: int | None = None,
    filters: KnowledgeFilters | None = None,
    limit: int | None = None,
) -> QuerySet[Lesson]:
    """Published entries of the organisation matching every word of the query and the filters,
    best match (or newest) first, each with how often it was applied and how often those goals
    reached their targets (one query). With `limit` (a page), the first `limit` only: the matches
    are ranked and cut in a subquery on the entries' own rows, and only those are joined to their
    retro, team, owner and goals and counted (a common word matches thousands of entries)."""
    f = filters or KnowledgeFilters(query=query, team_id=team_id)
    qs = Lesson.objects.filter(org_id=org_id, published=True)
    if f.team_id is not None:
        qs = qs.filter(team_id=f.team_id)
    if f.metric:
        qs = qs.filter(metric_name__iexact=f.metric)
    if f.cause:
        qs = qs.filter(cause_category=f.cause)
    if f.tag:
        qs = qs.filter(tags__icontains=f.tag)
    if f.period is not None:
        qs = qs.filter(period_end__range=f.period)
    if f.stage is not None:
        qs = qs.filter(stage=f.stage)
    terms = _terms(f.query)
    qs = _ranked(_matching(qs, terms, org_id), terms)
    if limit is not None:  # rank and cut on the entries' own rows, then join and count only those shown
        qs = _ranked(Lesson.objects.filter(pk__in=qs.values("pk")[:limit]), terms)
    return with_counts(qs.select_related("retro", "team", "owner__user", "watched_goal", "evidence_goal"))


def _count(rule: Q) -> Coalesce:
    rows = LessonApplication.objects.filter(rule, lesson=OuterRef("pk")).order_by().values("lesson")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def with_counts(qs: QuerySet[Lesson]) -> QuerySet[Lesson]:
    """Each lesson with how often it was applied (`applied`) and how often those goals reached their
    targets (`reached`): correlated subqueries, so that the database counts only the rows shown
    (no GROUP BY over every match)."""
    return qs.annotate(applied=_count(Q()), reached=_count(Q(goal__status=Status.ACHIEVED)))


def knowledge_metrics(*, org_id: int) -> list[str]:
    """The metric names the knowledge base's entries carry (for its filter; one query)."""
    return list(
        Lesson.objects.filter(org_id=org_id, published=True)
        .exclude(metric_name="")
        .order_by("metric_name")
        .values_list("metric_name", flat=True)
        .distinct()[:200]
    )


def knowledge_entry_get(*, org_id: int, lesson_id: int) -> Lesson:
    """One published entry of the organisation (404 otherwise), with its counts."""
    lesson = knowledge_search(org_id=org_id).filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404("No entry found.")
    return lesson


def entry_applications(*, lesson: Lesson) -> list[LessonApplication]:
    return list(
        LessonApplication.objects.filter(org_id=lesson.org_id, lesson=lesson)
        .select_related("goal__team")
        .order_by("-created_at")[:50]
    )


def goal_lessons(*, org_id: int, goal_id: int) -> list[Lesson]:
    """The lessons applied to a goal (one query): shown on the goal."""
    return list(
        Lesson.objects.filter(org_id=org_id, applications__goal_id=goal_id)
        .select_related("retro", "team")
        .order_by("pk")[:20]
    )


def practices_to_review(*, member: Membership) -> list[Lesson]:
    """The practices this person owns that a reminder asks them to review (one query)."""
    return list(
        Lesson.objects.filter(org_id=member.org_id, owner=member, stage__in=(PracticeStage.TRIAL, PracticeStage.STANDARD))
        .exclude(reminded_for="")
        .select_related("watched_goal")
        .order_by("review_on", "pk")[:5]
    )  # fmt: skip


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
    title — and the cause statistics of similar past goals. For a goal being revised or decomposed
    (`draft.goal_id`), which of them are applied to it already."""
    rule = Q()
    if draft.team_id:
        rule |= Q(team_id=draft.team_id)
    if draft.metric_name:
        rule |= Q(metric_name__iexact=draft.metric_name)
    if draft.parent_id:
        rule |= Q(retro__goals__parent_id=draft.parent_id)
    for term in _terms(draft.title, limit=4):
        rule |= Q(text__icontains=term) | Q(tags__icontains=term)
    if not rule:
        return []
    lessons = list(
        with_counts(Lesson.objects.filter(rule, org=draft.org, published=True))
        .select_related("retro", "team")
        .distinct()
        .order_by("-period_end", "-pk")[:DRAFT_LESSONS]
    )
    stats = cause_stats(draft=draft)
    if not lessons and not stats.text:
        return []
    applied: tuple[int, ...] | set[int] = draft.applied
    if draft.goal_id is not None:  # a goal revised or decomposed: the lessons already applied to it
        applied = set(
            LessonApplication.objects.filter(org=draft.org, goal_id=draft.goal_id).values_list(
                "lesson_id", flat=True
            )
        )
    context = {
        "lessons": lessons,
        "stats": stats,
        "applied": applied,
        "goal_id": draft.goal_id,
        "where": draft.where,
    }
    return [DraftPanel("retros/_draft_lessons.html", context)]


def applied_lessons_panel(goal: Goal) -> list[DraftPanel]:
    """The goals hook: the lessons applied to a goal, on its page (one query)."""
    lessons = goal_lessons(org_id=goal.org_id, goal_id=goal.pk)
    return [DraftPanel("retros/_goal_lessons.html", {"lessons": lessons})] if lessons else []


def practices_panel(request: Any) -> list[HomePanel]:
    """The home page: the practices a reminder asks this person to review (one query)."""
    member = getattr(request, "membership", None)
    if member is None or member.role not in ("manager", "member"):
        return []
    practices = practices_to_review(member=member)
    return [HomePanel("retros/_home_practices.html", {"practices": practices})] if practices else []
