"""How goals did in a period: THE one published read for the apps above tracking (incentives,
recognition, retros, people). They import from tracking only this module and `tracking.services`,
so every page that says "the team met its week" or "the goal reached challenge" agrees.

`goal_period_results(org=, goal_ids=, start=, end=)` answers, for each goal, in a fixed number of
queries whatever the number of goals (the goals, their target versions, their period targets, the
daily totals, the lagging snapshots and the goals app's measures):

- `in_force`: the goal's targets (base / challenge / stretch) in the version in force at the
  period's end (version 1 before the goal's period starts);
- `start` / `end`: the period asked, clipped to the goal's own period;
- `targets`: what the period is measured against. The version's targets when the period holds the
  goal's whole period; else the slices of one kind (week, month, quarter, finest first) that tile
  the period exactly, added up for a sum goal, the last one's level for the others; else, for a
  sum goal, the version's targets pro rata of the days, for the others the version's level;
- `actual`: the goal's own metric over the period's days, combined as the goal combines its values
  (the sum, the latest day's total, or the mean of the daily totals); None without a value;
- `attainment`: actual against the period's base target in percent, direction-aware
  (``goals.progress.attainment``); `tier`: the highest tier the actual meets (``TierReached``);
- `pace`: the goal's actual to date against where the decomposition says it should be (as the
  lagging indicator counts it: completed days while the period runs), with `ahead`;
- `slices`: the period's slices (of `slice_kind`, or the finest kind the version has in the
  period), each with its targets, its actual over its own days, its attainment and tier;
- `at_end` / `latest`: the newest lagging snapshot on or before the period's end (or today, when
  earlier) and the newest one at all; `progress`: the goal's progress as the goals app shows it
  (percent of the challenge target in force; a closed goal's final result); `final_tier`: the tier
  a closed goal's final result reached in its last version.

`period_alerts(org=, goal_ids=, start=, end=)` answers the alerts on those goals that were open
at some time in the period, each with its cause and its corrective actions (owner, due, state and
whether it worked, as the monthly review recorded it): two queries whatever the number of alerts.

For a past period (a retro's goal review): `burnup_charts`, `recurring_blockers` and
`leading_weeks` (each leading metric week by week against its weekly target).

Beside it, the stand-up reads those apps need (who cleared others' blockers in a period, a
person's blockers still open or recent, the stand-up mood by week, the days they logged one) are published here too,
and the load and small-win reads of `wellbeing` (blockers resolved for a colleague, working days,
the days values were logged, open alerts and overdue corrective actions per person).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q

from goals.models import Aggregation, Goal, PeriodKind, PeriodTarget, Status, TargetVersion
from goals.progress import attainment, goal_progress
from teams.models import Organization
from teams.selectors import org_today

from ..indicators import GoalFacts, Slice, actual_to_date, expected_to_date, q4, tier_of
from ..models import Alert, CorrectiveAction, IndicatorKind, IndicatorSnapshot, IndicatorStatus, TierReached
from .period_reads import (
    LeadingMetricWeeks,
    LeadingWeek,
    RecurringBlocker,
    burnup_charts,
    leading_weeks,
    recurring_blockers,
)
from .results_cache import kept, results_key
from .standups import blockers_resolved, mood_by_week, recent_blockers, standup_days, unresolved_blockers
from .values import daily_totals, newest_snapshot_day
from .wellbeing import (
    ResolvedBlocker,
    open_alert_counts,
    overdue_corrective_actions,
    resolved_blockers,
    standup_log,
    value_days,
    working_days,
)

__all__ = [
    "GoalPeriodResult",
    "LeadingMetricWeeks",
    "LeadingWeek",
    "RecurringBlocker",
    "burnup_charts",
    "leading_weeks",
    "recurring_blockers",
    "PeriodAlert",
    "PeriodAlertAction",
    "IndicatorKind",
    "IndicatorStatus",
    "Pace",
    "ResolvedBlocker",
    "PeriodSlice",
    "Standing",
    "Targets",
    "TierReached",
    "blockers_resolved",
    "goal_period_results",
    "mood_by_week",
    "open_alert_counts",
    "overdue_corrective_actions",
    "period_alerts",
    "recent_blockers",
    "resolved_blockers",
    "standup_days",
    "standup_log",
    "tier_of",
    "unresolved_blockers",
    "value_days",
    "working_days",
]

FINEST_FIRST = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER)


@dataclass(frozen=True)
class Targets:
    base: Decimal
    challenge: Decimal
    stretch: Decimal
    version: int  # the target version they come from

    def tiers(self) -> dict[str, Decimal]:
        return {
            TierReached.BASE: self.base,
            TierReached.CHALLENGE: self.challenge,
            TierReached.STRETCH: self.stretch,
        }


@dataclass(frozen=True)
class PeriodSlice:
    kind: str  # goals.models.PeriodKind: week, month or quarter
    start: date
    end: date
    targets: Targets
    actual: Decimal | None
    attainment: Decimal | None  # percent of the slice's base target
    tier: str  # TierReached

    @property
    def met(self) -> bool:
        """At least the slice's base target."""
        return self.tier != TierReached.NONE


@dataclass(frozen=True)
class Pace:
    asof: date  # the last day counted
    expected: Decimal
    actual: Decimal | None  # the goal's actual to date (from its start)
    pace: Decimal | None  # actual against expected, percent, direction-aware

    @property
    def ahead(self) -> bool | None:
        """At or ahead of the expected path (None without a figure)."""
        return None if self.pace is None else self.pace >= 100


@dataclass(frozen=True)
class Standing:
    """The goal's lagging indicator as a snapshot recorded it on a day."""

    day: date
    actual: Decimal | None
    expected: Decimal | None
    target: Decimal | None  # the challenge target it was measured against
    attainment: Decimal | None  # percent of that target
    pace: Decimal | None
    tier: str  # TierReached
    status: str  # IndicatorStatus

    @classmethod
    def of(cls, snapshot: IndicatorSnapshot) -> Standing:
        return cls(day=snapshot.day, actual=snapshot.actual, expected=snapshot.expected, target=snapshot.target,
                   attainment=snapshot.attainment, pace=snapshot.pace, tier=snapshot.tier_reached,
                   status=snapshot.status)  # fmt: skip


@dataclass(frozen=True)
class GoalPeriodResult:
    goal_id: int
    title: str
    scope: str
    status: str  # goals.models.Status
    team_id: int | None
    owner_id: int | None
    direction: str
    aggregation: str
    start: date  # the period asked, clipped to the goal's period
    end: date
    in_force: Targets | None  # the goal's targets in force at the period's end
    targets: Targets | None  # what the period is measured against
    actual: Decimal | None
    attainment: Decimal | None  # percent of the period's base target
    tier: str  # TierReached
    pace: Pace | None
    slices: tuple[PeriodSlice, ...]
    at_end: Standing | None
    latest: Standing | None
    progress: Decimal | None  # percent of the challenge target in force, as the goals app shows it
    final: Decimal | None  # a closed goal's final result
    final_tier: str  # TierReached of the final result in the goal's last version

    @property
    def closed(self) -> bool:
        return self.status in (Status.ACHIEVED, Status.MISSED, Status.CANCELLED)

    @property
    def met(self) -> bool:
        """The period's actual reached at least its base target."""
        return self.tier != TierReached.NONE


def _targets(version: TargetVersion | PeriodTarget, number: int) -> Targets:
    return Targets(base=version.base, challenge=version.challenge, stretch=version.stretch, version=number)


def _in_force(versions: list[TargetVersion], day: date) -> TargetVersion | None:
    """The newest version effective on the day (version 1 before the goal's period starts)."""
    current = versions[0] if versions else None
    for version in versions:
        if version.effective_from <= day:
            current = version
    return current


def _finest(pieces: Iterable[PeriodTarget], start: date, end: date, kind: str | None) -> list[PeriodTarget]:
    """The slices of one kind overlapping [start, end], oldest first: `kind`, or the finest the
    version has there."""
    overlapping = [p for p in pieces if p.start_date <= end and p.end_date >= start]
    for candidate in (kind,) if kind else FINEST_FIRST:
        found = sorted((p for p in overlapping if p.kind == candidate), key=lambda p: p.start_date)
        if found:
            return found
    return []


def _period_targets(goal: Goal, version: TargetVersion, start: date, end: date) -> Targets:
    whole = _targets(version, version.number)
    if start <= goal.start_date and end >= goal.end_date:
        return whole
    days = (end - start).days + 1
    for kind in FINEST_FIRST:
        inside = sorted(
            (
                p
                for p in version.period_targets.all()
                if p.kind == kind and start <= p.start_date and p.end_date <= end
            ),
            key=lambda p: p.start_date,
        )
        if inside and sum((p.end_date - p.start_date).days + 1 for p in inside) == days:
            if goal.aggregation != Aggregation.SUM:
                return _targets(inside[-1], version.number)
            return Targets(base=sum((p.base for p in inside), Decimal(0)),
                           challenge=sum((p.challenge for p in inside), Decimal(0)),
                           stretch=sum((p.stretch for p in inside), Decimal(0)), version=version.number)  # fmt: skip
    if goal.aggregation != Aggregation.SUM:
        return whole
    share = Decimal(days) / Decimal((goal.end_date - goal.start_date).days + 1)
    return Targets(base=q4(whole.base * share), challenge=q4(whole.challenge * share),
                   stretch=q4(whole.stretch * share), version=version.number)  # fmt: skip


def _actual(goal: Goal, daily: Mapping[date, Decimal], start: date, end: date) -> Decimal | None:
    facts = GoalFacts(start=start, end=end, direction=goal.direction, aggregation=goal.aggregation, tiers={})
    return actual_to_date(facts, daily, end)


def _percent(actual: Decimal | None, target: Decimal, direction: str) -> Decimal | None:
    return None if actual is None else attainment(actual=actual, target=target, direction=direction)


def _pace(
    goal: Goal, version: TargetVersion, daily: Mapping[date, Decimal], end: date, today: date
) -> Pace | None:
    asof = min(end, today, goal.end_date)
    if asof < goal.start_date:
        return None
    pieces = _finest(version.period_targets.all(), goal.start_date, goal.end_date, None)
    facts = GoalFacts(start=goal.start_date, end=goal.end_date, direction=goal.direction,
                      aggregation=goal.aggregation, tiers=version.tiers(), baseline=goal.baseline,
                      slices=tuple(Slice(p.start_date, p.end_date, p.challenge) for p in pieces))  # fmt: skip
    # Completed days while the period runs (today is still being reported), every day once over.
    counted = asof if today > asof else asof - timedelta(days=1)
    expected = expected_to_date(facts, counted)
    actual = actual_to_date(facts, daily, asof)
    pace = _percent(actual, expected, goal.direction) if expected else None
    return Pace(asof=asof, expected=expected, actual=actual, pace=pace)


def goal_period_results(
    *, org: Organization, goal_ids: Iterable[int], start: date, end: date, slice_kind: str | None = None
) -> dict[int, GoalPeriodResult]:
    """{goal id: how it did in [start, end]} for the organisation's goals among `goal_ids` (see
    the module's docstring); a fixed number of queries whatever the number of goals, none while
    nothing it reads has changed (kept in the shared cache: `results_cache`)."""
    ids = list(dict.fromkeys(goal_ids))
    if not ids:
        return {}
    today = org_today(org)
    return kept(results_key(org_id=org.pk, ids=ids, start=start, end=end, slice_kind=slice_kind, today=today),
                lambda: _compute_results(org=org, ids=ids, start=start, end=end, slice_kind=slice_kind, today=today))  # fmt: skip


def _compute_results(
    *, org: Organization, ids: list[int], start: date, end: date, slice_kind: str | None, today: date
) -> dict[int, GoalPeriodResult]:
    goals = list(
        Goal.objects.filter(org=org, pk__in=ids)
        .defer("description", "rationale")
        .prefetch_related(Prefetch("versions", queryset=TargetVersion.objects.order_by("number")),
                          "versions__period_targets")
        .order_by("pk")
    )  # fmt: skip
    if not goals:
        return {}
    versions = {g.pk: list(g.versions.all()) for g in goals}
    in_force = {g.pk: _in_force(versions[g.pk], end) for g in goals}
    slices = {
        g.pk: _finest(v.period_targets.all(), max(start, g.start_date), min(end, g.end_date), slice_kind)
        if (v := in_force[g.pk]) is not None
        else []
        for g in goals
    }
    until = max([end, *(p.end_date for pieces in slices.values() for p in pieces)])
    series = daily_totals(
        goal_ids=[g.pk for g in goals], until=until,
        averaged={(g.pk, 0) for g in goals if g.aggregation == Aggregation.AVERAGE},
    )  # fmt: skip
    asof = min(end, today)
    at_end: dict[int, IndicatorSnapshot] = {}
    latest: dict[int, IndicatorSnapshot] = {}
    for snapshot in IndicatorSnapshot.objects.filter(
        org=org, goal_id__in=[g.pk for g in goals], metric_key=0, kind=IndicatorKind.LAGGING
    ).filter(Q(day=newest_snapshot_day()) | Q(day=newest_snapshot_day(on_or_before=asof))):
        newest = latest.get(snapshot.goal_id)
        if newest is None or snapshot.day > newest.day:
            latest[snapshot.goal_id] = snapshot
        if snapshot.day <= asof:
            at_end[snapshot.goal_id] = snapshot
    progress = goal_progress(goals)
    return {g.pk: _result(g, in_force[g.pk], versions[g.pk], slices[g.pk], series.get((g.pk, 0), {}),
                          start=start, end=end, today=today, at_end=at_end.get(g.pk), latest=latest.get(g.pk),
                          progress=progress.get(g.pk))
            for g in goals}  # fmt: skip


def _result(
    goal: Goal, version: TargetVersion | None, versions: list[TargetVersion], pieces: list[PeriodTarget],
    daily: Mapping[date, Decimal], *, start: date, end: date, today: date, at_end: IndicatorSnapshot | None,
    latest: IndicatorSnapshot | None, progress: Decimal | None,
) -> GoalPeriodResult:  # fmt: skip
    first, last = max(start, goal.start_date), min(end, goal.end_date)
    overlaps = first <= last
    targets = _period_targets(goal, version, first, last) if version is not None and overlaps else None
    actual = _actual(goal, daily, first, last) if overlaps else None
    number = version.number if version is not None else 0
    rows = []
    for piece in pieces:
        piece_targets = _targets(piece, number)
        piece_actual = _actual(goal, daily, piece.start_date, piece.end_date)
        rows.append(PeriodSlice(kind=piece.kind, start=piece.start_date, end=piece.end_date, targets=piece_targets,
                                actual=piece_actual, attainment=_percent(piece_actual, piece.base, goal.direction),
                                tier=tier_of(piece_actual, piece_targets.tiers(), goal.direction)))  # fmt: skip
    final_tier: str = TierReached.NONE
    if goal.result_value is not None and versions:
        final_tier = tier_of(goal.result_value, versions[-1].tiers(), goal.direction)
    return GoalPeriodResult(
        goal_id=goal.pk, title=goal.title, scope=goal.scope, status=goal.status, team_id=goal.team_id,
        owner_id=goal.owner_id, direction=goal.direction, aggregation=goal.aggregation, start=first, end=last,
        in_force=_targets(version, version.number) if version is not None else None, targets=targets, actual=actual,
        attainment=_percent(actual, targets.base, goal.direction) if targets is not None else None,
        tier=tier_of(actual, targets.tiers(), goal.direction) if targets is not None else TierReached.NONE,
        pace=_pace(goal, version, daily, last, today) if version is not None and overlaps else None,
        slices=tuple(rows), at_end=Standing.of(at_end) if at_end else None,
        latest=Standing.of(latest) if latest else None, progress=progress, final=goal.result_value,
        final_tier=final_tier,
    )  # fmt: skip


@dataclass(frozen=True)
class PeriodAlertAction:
    description: str
    owner: str
    due_date: date
    state: str  # tracking.models.ActionState
    worked: bool | None  # did the indicator move after it (None: not judged yet)


@dataclass(frozen=True)
class PeriodAlert:
    alert_id: int
    goal_id: int
    kind: str  # tracking.models.RuleKind
    kind_label: str
    state: str
    raised_on: date
    deviation_pct: Decimal | None
    cause: str  # tracking.models.Cause ("" when nobody said)
    cause_label: str
    cause_note: str
    actions: tuple[PeriodAlertAction, ...]


def period_alerts(*, org: Organization, goal_ids: Iterable[int], start: date, end: date) -> list[PeriodAlert]:
    """The alerts on the organisation's goals among `goal_ids` open at some time in [start, end],
    oldest first, with their corrective actions (two queries)."""
    ids = list(dict.fromkeys(goal_ids))
    if not ids:
        return []
    alerts = list(
        Alert.objects.filter(org=org, goal_id__in=ids, raised_on__lte=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__date__gte=start))
        .only("pk", "goal_id", "kind", "state", "raised_on", "deviation_pct", "cause", "cause_note")
        .order_by("raised_on", "pk")[:500]
    )
    actions: dict[int, list[PeriodAlertAction]] = {}
    for action in (
        CorrectiveAction.objects.filter(org=org, alert_id__in=[a.pk for a in alerts])
        .select_related("owner__user")
        .order_by("due_date", "pk")
    ):
        actions.setdefault(action.alert_id or 0, []).append(
            PeriodAlertAction(
                description=action.description,
                owner=action.owner.user.get_full_name(),
                due_date=action.due_date,
                state=action.state,
                worked=action.worked,
            )  # fmt: skip
        )
    return [
        PeriodAlert(
            alert_id=a.pk,
            goal_id=a.goal_id or 0,
            kind=a.kind,
            kind_label=str(a.get_kind_display()),
            state=a.state,
            raised_on=a.raised_on,
            deviation_pct=a.deviation_pct,
            cause=a.cause,
            cause_label=str(a.get_cause_display()) if a.cause else "",
            cause_note=a.cause_note,
            actions=tuple(actions.get(a.pk, ())),
        )  # fmt: skip
        for a in alerts
    ]
