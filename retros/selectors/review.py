"""目标回顾: the goal review, prepared for the meeting from the published reads — how each goal of
the retro's set did in the period (tracking.selectors.results: targets in force, actual,
attainment, tier), the approved revisions and their reasons, the period's alerts with their causes
and corrective actions, the initiatives' outcomes, the failed experiments with their lessons, and
the team's earlier actions with whether the goal they were meant to move did move. A fixed number
of queries whatever the number of goals."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from goals.models import Goal, Revision
from goals.progress_cache import progress_version
from plans.cache import plan_version
from plans.models import Initiative
from plans.models import Status as InitiativeStatus
from teams.selectors import org_today
from tracking.selectors.results import (
    GoalPeriodResult,
    LeadingMetricWeeks,
    PeriodAlert,
    RecurringBlocker,
    TierReached,
    burnup_charts,
    goal_period_results,
    leading_weeks,
    period_alerts,
    recurring_blockers,
)

from ..models import ActionStatus, RetroAction, RetroKind, Retrospective, RetroState

OUTCOMES = ("done", "late", "dropped", "failed", "open")


def outcome_labels() -> dict[str, str]:
    return {"done": _("Done"), "late": _("Late"), "dropped": _("Dropped"), "failed": _("Failed — lesson recorded"),
            "open": _("Still open")}  # fmt: skip


@dataclass(frozen=True)
class InitiativeOutcome:
    pk: int
    goal_id: int
    title: str
    owner: str
    outcome: str  # OUTCOMES
    due_date: date | None
    baseline_due: date | None
    slipped_days: int  # how far the due date moved from the original plan
    lesson: str

    @property
    def outcome_label(self) -> str:
        return outcome_labels()[self.outcome]


@dataclass(frozen=True)
class ReviewRow:
    goal: Goal
    result: GoalPeriodResult | None
    revisions: list[Revision]

    @property
    def tier_label(self) -> str:
        tier = self.result.tier if self.result else TierReached.NONE
        return str(dict(TierReached.choices).get(tier, ""))


@dataclass(frozen=True)
class PastAction:
    action: RetroAction
    moved: bool | None  # the goal's attainment rose since the retro it came from (None: no figure)


@dataclass
class GoalReview:
    results: list[ReviewRow] = field(default_factory=list)
    alerts: list[PeriodAlert] = field(default_factory=list)
    initiatives: list[InitiativeOutcome] = field(default_factory=list)
    experiments: list[InitiativeOutcome] = field(default_factory=list)
    past_actions: list[PastAction] = field(default_factory=list)
    burnups: dict[str, dict[str, Any]] = field(default_factory=dict)  # goal id (text): its burn-up chart
    blockers: list[RecurringBlocker] = field(default_factory=list)
    leading: list[LeadingMetricWeeks] = field(default_factory=list)

    @property
    def outcome_counts(self) -> list[tuple[str, str, int]]:
        """(outcome, its label, how many initiatives) for each outcome that occurs."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.initiatives:
            counts[row.outcome] += 1
        labels = outcome_labels()
        return [(key, labels[key], n) for key, n in counts.items() if n]


def _outcome(initiative: Initiative, end: date) -> str:
    if initiative.status == InitiativeStatus.CANCELLED:
        return "dropped"
    if initiative.status == InitiativeStatus.FAILED:
        return "failed"
    if initiative.status == InitiativeStatus.DONE:
        late = initiative.due_date and initiative.finished_at and initiative.finished_at > initiative.due_date
        return "late" if late else "done"
    return "late" if initiative.due_date and initiative.due_date < end else "open"


def _initiatives(retro: Retrospective, goal_ids: list[int]) -> list[InitiativeOutcome]:
    rule = Q(goal_id__in=goal_ids)
    if retro.kind == RetroKind.FAILURE_SHARE:  # the quarter's tolerated failed experiments of the team
        rule = Q(goal__team_id=retro.team_id, is_experiment=True, status=InitiativeStatus.FAILED,
                 finished_at__range=(retro.period_start, retro.period_end))  # fmt: skip
    rows = (
        Initiative.objects.filter(rule, org_id=retro.org_id)
        .select_related("owner__user")
        .order_by("goal_id", "pk")
    )
    found = []
    for row in rows[:500]:
        slipped = (row.due_date - row.baseline_due).days if row.due_date and row.baseline_due else 0
        found.append(InitiativeOutcome(
            pk=row.pk, goal_id=row.goal_id, title=row.title,
            owner=row.owner.user.get_full_name() if row.owner else "", outcome=_outcome(row, retro.period_end),
            due_date=row.due_date, baseline_due=row.baseline_due, slipped_days=max(slipped, 0), lesson=row.lesson,
        ))  # fmt: skip
    return found


def _past_actions(retro: Retrospective) -> list[PastAction]:
    """The actions of the team's last retro before this one, and any still open from earlier ones."""
    earlier = Retrospective.objects.filter(org_id=retro.org_id, team_id=retro.team_id).filter(
        Q(period_end__lt=retro.period_end) | Q(period_end=retro.period_end, pk__lt=retro.pk)
    )
    last = earlier.exclude(state=RetroState.DRAFT).order_by("-period_end", "-pk").first()
    actions = list(
        RetroAction.objects.filter(org_id=retro.org_id, retro__in=earlier)
        .filter(Q(status=ActionStatus.OPEN) | (Q(retro=last) if last is not None else Q(pk__in=[])))
        .select_related("owner__user", "goal", "retro")
        .order_by("due_date", "pk")[:200]
    )
    moved: dict[int, bool | None] = {}
    if last is not None:
        goal_ids = [a.goal_id for a in actions if a.goal_id]
        results = goal_period_results(
            org=retro.org, goal_ids=goal_ids, start=last.period_start, end=last.period_end
        )
        for goal_id, result in results.items():
            before = result.at_end.attainment if result.at_end else None
            now = result.latest.attainment if result.latest else None
            moved[goal_id] = None if before is None or now is None else Decimal(now) > Decimal(before)
    return [PastAction(action=a, moved=moved.get(a.goal_id) if a.goal_id else None) for a in actions]


def review_burnup(*, retro: Retrospective, goal_id: int) -> dict[str, Any] | None:
    """The burn-up chart of one goal of the retro's set (the meeting page loads each when it is
    opened, not 40 at once); None when the goal is not in the set or has no targets in force."""
    if not retro.goals.filter(org_id=retro.org_id, pk=goal_id).exists():
        return None
    today = min(org_today(retro.org), retro.period_end)
    return burnup_charts(org=retro.org, goal_ids=[goal_id], today=today).get(str(goal_id))


def goal_review(*, retro: Retrospective, with_burnups: bool = False) -> GoalReview:
    """The review of the retro's goals; the burn-up charts only when asked (`with_burnups`: up to
    12 of them, five queries) — the meeting page loads each goal's chart when it is opened."""
    goals = list(retro.goals.filter(org_id=retro.org_id).select_related("owner__user").order_by("pk"))
    ids = [g.pk for g in goals]
    results = goal_period_results(org=retro.org, goal_ids=ids, start=retro.period_start, end=retro.period_end)
    revisions: dict[int, list[Revision]] = {}
    for revision in Revision.objects.filter(goal_id__in=ids, state=Revision.State.APPROVED).order_by(
        "effective_from"
    ):
        revisions.setdefault(revision.goal_id, []).append(revision)
    initiatives = _initiatives(retro, ids)
    return GoalReview(
        results=[
            ReviewRow(goal=g, result=results.get(g.pk), revisions=revisions.get(g.pk, [])) for g in goals
        ],
        alerts=period_alerts(org=retro.org, goal_ids=ids, start=retro.period_start, end=retro.period_end),
        initiatives=[i for i in initiatives if retro.kind != RetroKind.FAILURE_SHARE],
        experiments=[i for i in initiatives if i.outcome == "failed"],
        past_actions=_past_actions(retro),
        burnups=burnup_charts(org=retro.org, goal_ids=ids, today=min(org_today(retro.org), retro.period_end))
        if with_burnups
        else {},
        blockers=recurring_blockers(
            org=retro.org, team_id=retro.team_id, start=retro.period_start, end=retro.period_end
        ),  # fmt: skip
        leading=leading_weeks(org=retro.org, goal_ids=ids, start=retro.period_start, end=retro.period_end),
    )


REVIEW_TIMEOUT = 15 * 60  # entries of old versions go soon: every write below moves the version on


def review_key(*, retro: Retrospective) -> str:
    """The cache key of the retro's goal review: every write the review reads from changes it.

    * the progress version (goals.progress_cache): goals, target versions, snapshots, bulk
      progress writes, and the organisation's data version, which every save of the apps' rows
      moves (revisions, alerts and their corrective actions, stand-ups, metrics, retro actions);
    * the plans version (plans.cache): initiatives and their dependencies, deletions included;
    * the retro's own fields the review is prepared from, the day (outcomes such as "late" and
      "still open" are judged against it) and the language (the rows carry worded labels).
    """
    org_id = retro.org_id
    parts = ":".join(str(part) for part in (
        connection.settings_dict["NAME"], org_id, retro.pk, retro.kind, retro.team_id, retro.period_start,
        retro.period_end, org_today(retro.org), get_language(), progress_version(org_id=org_id),
        plan_version(org_id=org_id),
    ))  # fmt: skip
    return (
        f"retros:review:1:{hashlib.sha256(parts.encode()).hexdigest()}"  # within memcached's 250 characters
    )


def goal_review_cached(*, retro: Retrospective) -> GoalReview:
    """goal_review(retro) kept in the shared cache (Redis; never process memory, so a write in any
    process shows on every process's next read) under review_key: the meeting page's full loads
    read it once per change instead of some twenty queries and the tier/alert work each time."""
    key = review_key(retro=retro)
    review = cache.get(key)
    if review is None:
        review = goal_review(retro=retro)
        cache.set(key, review, timeout=REVIEW_TIMEOUT)
    return review
