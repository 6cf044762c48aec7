"""The indicator recompute that turns values into dated snapshots (the arithmetic is
tracking.indicators), queued after the transaction that changed them commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from goals.models import Goal, PeriodKind, Status, SupportingMetric, TargetVersion
from goals.progress_cache import progress_changed
from goals.selectors import version_in_force
from plans.selectors import plan_risks
from teams.jobs import pause_point
from teams.models import Membership, Organization, OutboxJob
from teams.selectors import org_today
from teams.services import outbox_enqueue
from teams.sync import data_changed, writes_for
from tracking import indicators, selectors
from tracking.dashboard_cache import dashboards_invalidate, dashboards_invalidate_goals
from tracking.models import IndicatorKind, IndicatorSnapshot, RuleKind
from tracking.tasks import recompute_goals

from ._common import HISTORY_LIMIT_DAYS

DEFAULT_BEHIND_PCT = Decimal(10)
SLICE_PREFERENCE = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER)


def schedule_recompute(*, org: Organization, goal_ids: Iterable[int], since: date | None = None) -> None:
    """Recompute the goals' indicators once the current transaction has committed. The job is
    written to the outbox with the change: with the queue down, the change is saved all the same
    and the recompute is sent when the queue is back (teams.services.outbox)."""
    ids = sorted(set(goal_ids))
    since_text = since.isoformat() if since else None
    outbox_enqueue(task=recompute_goals, kwargs={"org_id": org.pk, "goal_ids": ids, "since": since_text})


def goal_recompute_request(*, goal: Goal, actor: Membership) -> bool:
    """Someone who enters the goal's values asks for its indicators to be computed again (the
    whole history, then its alerts): the same job as after a value. Idempotent: while an identical
    request still waits in the outbox (the queue is down), asking again adds nothing; recomputing
    twice writes the same snapshots. Returns whether a job was queued now."""
    selectors.can_enter_values(member=actor, goal=goal).require()
    kwargs = {"org_id": goal.org_id, "goal_ids": [goal.pk], "since": None}
    if OutboxJob.objects.filter(task=recompute_goals.name, kwargs=kwargs).exists():
        return False
    with transaction.atomic():
        outbox_enqueue(task=recompute_goals, kwargs=kwargs)
    return True


def _finest_slices(version: TargetVersion) -> tuple[indicators.Slice, ...]:
    by_kind: dict[str, list[indicators.Slice]] = {}
    for piece in version.period_targets.all():
        by_kind.setdefault(piece.kind, []).append(
            indicators.Slice(start=piece.start_date, end=piece.end_date, challenge=piece.challenge)
        )
    for kind in SLICE_PREFERENCE:
        if kind in by_kind:
            return tuple(sorted(by_kind[kind], key=lambda s: s.start))
    return ()


SNAPSHOT_FIELDS = [
    "org", "supporting_metric", "kind", "actual", "expected", "target", "attainment", "pace", "gap", "forecast",
    "tier_reached", "tier_projected", "status", "detail", "computed_at",
]  # fmt: skip


def _snapshot(
    goal: Goal, metric: SupportingMetric | None, kind: str, day: date, reading: indicators.Reading, now: Any
) -> IndicatorSnapshot:
    return IndicatorSnapshot(
        org_id=goal.org_id, goal=goal, supporting_metric=metric, metric_key=metric.pk if metric else 0, kind=kind,
        day=day, actual=reading.actual, expected=reading.expected, target=reading.target,
        attainment=reading.attainment, pace=reading.pace, gap=reading.gap, forecast=reading.forecast,
        tier_reached=reading.tier_reached, tier_projected=reading.tier_projected, status=reading.status,
        detail=reading.detail, computed_at=now,
    )  # fmt: skip


def plan_risk(*, org: Organization, goal_ids: list[int], day: date) -> dict[int, dict[str, object]]:
    """{goal id: why its plan is at risk} for the goals whose critical path has slipped (from the
    plans app)."""
    wanted = set(goal_ids)
    return {
        pk: risk.as_dict()
        for pk, risk in plan_risks(org=org, today=day, goal_ids=goal_ids).items()
        if pk in wanted
    }


def indicators_recompute(
    *,
    org: Organization,
    goal_ids: Iterable[int] | None = None,
    day: date | None = None,
    since: date | None = None,
    behind_pct: Decimal | None = None,
) -> int:
    """Compute and store the snapshots of every active goal (or the given ones) for `day`
    (default: today in the organisation), and for each day from `since` when values arrived for
    past days. Upserts on (goal, metric, day): running it twice gives the same rows."""
    day = day or org_today(org)
    if behind_pct is None:  # the organisation's lagging-alert threshold also sets the status
        behind_pct = selectors.rule_settings(org=org)[RuleKind.LAGGING_BEHIND].threshold
    qs = Goal.objects.filter(org=org, status=Status.ACTIVE, start_date__lte=day).prefetch_related(
        "versions__period_targets", "supporting_metrics"
    )
    if goal_ids is not None:
        qs = qs.filter(pk__in=list(goal_ids))
    goals = list(qs.order_by("pk"))
    if not goals:
        return 0
    series = selectors.daily_totals(
        goal_ids=[g.pk for g in goals], until=day, averaged=selectors.averaged_series(goals)
    )
    at_risk = plan_risk(org=org, goal_ids=[g.pk for g in goals], day=day)
    now = timezone.now()
    rows: list[IndicatorSnapshot] = []
    for goal in goals:
        if not goal.versions.all():  # prefetched; no targets, nothing to measure against
            continue
        asof = min(day, goal.end_date)
        first = (
            asof if since is None else max(since, goal.start_date, asof - timedelta(days=HISTORY_LIMIT_DAYS))
        )
        metrics = list(goal.supporting_metrics.all())
        slices_of: dict[int, tuple[indicators.Slice, ...]] = {}
        current = first
        while current <= asof:
            version = version_in_force(goal=goal, on=current)
            if version.pk not in slices_of:
                slices_of[version.pk] = _finest_slices(version)
            facts = indicators.GoalFacts(
                start=goal.start_date, end=goal.end_date, direction=goal.direction, aggregation=goal.aggregation,
                tiers=version.tiers(), slices=slices_of[version.pk], baseline=goal.baseline,
            )  # fmt: skip
            reading = indicators.lagging(
                facts, series.get((goal.pk, 0), {}), current, behind_pct=behind_pct,
                plan_at_risk=current == asof and goal.pk in at_risk, plan=at_risk.get(goal.pk),
            )  # fmt: skip
            rows.append(_snapshot(goal, None, IndicatorKind.LAGGING, current, reading, now))
            for metric in metrics:
                daily = series.get((goal.pk, metric.pk), {})
                if metric.kind == "leading" and metric.weekly_target:
                    reading = indicators.leading(
                        start=goal.start_date, end=goal.end_date, weekly_target=metric.weekly_target,
                        direction=metric.direction, daily=daily, day=current, behind_pct=behind_pct,
                    )  # fmt: skip
                    rows.append(_snapshot(goal, metric, IndicatorKind.LEADING, current, reading, now))
                elif metric.kind == "risk" and metric.threshold is not None:
                    reading = indicators.risk(
                        threshold=metric.threshold, direction=metric.direction, daily=daily, start=goal.start_date,
                        day=current,
                    )  # fmt: skip
                    rows.append(_snapshot(goal, metric, IndicatorKind.RISK, current, reading, now))
            current += timedelta(days=1)
    pause_point("recompute")
    with transaction.atomic(), writes_for(org.pk):  # a job's writes move this org's ETags only
        # A goal or supporting metric deleted since it was read (another request, another job) is
        # skipped: the rows of what still exists are written, held (FOR KEY SHARE) until they are.
        goals_left = _still_there(Goal, {row.goal_id for row in rows})
        metrics_left = _still_there(SupportingMetric, {row.supporting_metric_id for row in rows} - {None})
        rows = [
            row for row in rows
            if row.goal_id in goals_left and (row.supporting_metric_id is None or row.supporting_metric_id in metrics_left)
        ]  # fmt: skip
        IndicatorSnapshot.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["goal", "metric_key", "day"],
            update_fields=SNAPSHOT_FIELDS,
        )
        # The API's goal rows carry this progress: their ETags change (teams.sync, a bulk upsert sends no signal).
        data_changed(org_id=org.pk)
        progress_changed(org_id=org.pk)  # the cached roll-up (goals.progress_cache)
        # The dashboards show these snapshots (and the roll-up above them): served from this recompute.
        if goal_ids is None:
            dashboards_invalidate(org_id=org.pk)
        else:
            dashboards_invalidate_goals(org_id=org.pk, goal_ids={row.goal_id for row in rows})
    return len(rows)


def _still_there(model: type[Goal] | type[SupportingMetric], ids: set[Any]) -> set[int]:
    """Which of the ids still exist, each row locked against deletion until the transaction ends
    (on PostgreSQL; elsewhere writes are serialised anyway)."""
    if not ids:
        return set()
    if connection.vendor != "postgresql":
        return set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # Sorted, so two recomputes lock in the same order and cannot deadlock each other.
        cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE", [sorted(ids)])  # noqa: S608 - a model's table name
        return {row[0] for row in cursor.fetchall()}


def indicators_recompute_all(*, day: date | None = None) -> int:
    """The nightly job: every organisation, every active goal, today in each organisation."""
    total = 0
    for org in Organization.objects.order_by("pk"):
        total += indicators_recompute(org=org, day=day)
    return total


def recompute_on_target_change(sender: Any, *, goal: Goal, since: date | None, **kwargs: Any) -> None:
    """A goal's targets (an approved revision) or status changed: its indicators and alerts follow
    after the change commits, from the date it applies."""
    schedule_recompute(org=goal.org, goal_ids=[goal.pk], since=since)
