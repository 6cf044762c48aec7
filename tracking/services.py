"""Every write of the tracking app: stand-ups, metric values (one, or thousands at once and
idempotently), and the indicator recompute that turns them into dated snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, PeriodKind, Status, SupportingMetric, TargetVersion
from teams.models import Membership, Organization

from . import indicators, selectors
from .models import IndicatorKind, IndicatorSnapshot, MetricEntry, Mood, Source, Standup

DEFAULT_BEHIND_PCT = Decimal(10)
STANDUP_BACKFILL_DAYS = 7
HISTORY_LIMIT_DAYS = 370
MAX_ABS_VALUE = Decimal("1e13")
TEXT_LIMIT = 2000
SLICE_PREFERENCE = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER)


def bulk_limit() -> int:
    return int(getattr(settings, "TRACKING_BULK_LIMIT", 5000))


# --- Metric values --------------------------------------------------------------------------------
@dataclass(frozen=True)
class EntryInput:
    goal_id: Any
    value: Any
    day: Any = None
    supporting_metric_id: Any = None
    member_id: Any = None
    external_id: str = ""
    note: str = ""


@dataclass
class _Lookups:
    """What validating many values needs, fetched once."""

    org: Organization
    actor: Membership
    goals: dict[int, Goal] = field(default_factory=dict)
    metrics: dict[int, SupportingMetric] = field(default_factory=dict)
    members: dict[int, Membership] = field(default_factory=dict)
    allowed: dict[int, bool] = field(default_factory=dict)
    today: date | None = None

    @classmethod
    def load(cls, *, org: Organization, actor: Membership, rows: Sequence[EntryInput]) -> _Lookups:
        lookups = cls(org=org, actor=actor, today=selectors.org_today(org))
        goal_ids = {i for i in (_as_int(r.goal_id) for r in rows) if i is not None}
        metric_ids = {i for i in (_as_int(r.supporting_metric_id) for r in rows) if i is not None}
        member_ids = {i for i in (_as_int(r.member_id) for r in rows) if i is not None}
        lookups.goals = {g.pk: g for g in Goal.objects.filter(org=org, pk__in=goal_ids)}
        lookups.metrics = {m.pk: m for m in SupportingMetric.objects.filter(goal__org=org, pk__in=metric_ids)}
        lookups.members = {m.pk: m for m in Membership.objects.filter(org=org, pk__in=member_ids)}
        actor_teams = set(actor.teams.values_list("pk", flat=True))
        for goal in lookups.goals.values():
            lookups.allowed[goal.pk] = _may_enter(actor, goal, actor_teams)
        return lookups


def _may_enter(actor: Membership, goal: Goal, actor_teams: set[int]) -> bool:
    """The rule of `selectors.can_enter_values`, with the actor's teams already loaded."""
    if not actor.is_active or goal.org_id != actor.org_id:
        return False
    if actor.role in selectors.MANAGING_ROLES:
        return True
    if actor.role != "member":
        return False
    return goal.owner_id == actor.pk or (goal.team_id is not None and goal.team_id in actor_teams)


def _as_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def parse_value(value: Any) -> Decimal | None:
    """A finite number within the range a value column holds, or None."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
        return None
    return number.quantize(Decimal("0.0001"))


def parse_day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class CleanEntry:
    goal: Goal
    supporting_metric: SupportingMetric | None
    day: date
    value: Decimal
    member: Membership | None
    external_id: str | None
    note: str


def _clean(
    row: EntryInput, lookups: _Lookups, *, default_day: date
) -> tuple[CleanEntry | None, dict[str, str]]:
    errors: dict[str, str] = {}
    goal_id = _as_int(row.goal_id)
    goal = lookups.goals.get(goal_id) if goal_id is not None else None
    if goal is None:
        errors["goal"] = _("No such goal in this organisation.")
    elif not lookups.allowed.get(goal.pk, False):
        errors["goal"] = _("You cannot enter values for this goal.")
    elif goal.status != Status.ACTIVE:
        errors["goal"] = _("Values can only be entered for active goals.")
    metric = None
    if row.supporting_metric_id not in (None, ""):
        metric_id = _as_int(row.supporting_metric_id)
        metric = lookups.metrics.get(metric_id) if metric_id is not None else None
        if metric is None or (goal is not None and metric.goal_id != goal.pk):
            errors["supporting_metric"] = _("No such supporting metric on this goal.")
            metric = None
    value = parse_value(row.value)
    if value is None:
        errors["value"] = _("Enter a number (for example 1250 or 3.5).")
    day = default_day if row.day in (None, "") else parse_day(row.day)
    if day is None:
        errors["day"] = _("Enter a date as YYYY-MM-DD.")
    elif lookups.today is not None and day > lookups.today:
        errors["day"] = _("A value cannot be for a future day.")
    elif goal is not None and not goal.start_date <= day <= goal.end_date:
        errors["day"] = _("The day must fall within the goal's period (%(start)s – %(end)s).") % {
            "start": goal.start_date.isoformat(),
            "end": goal.end_date.isoformat(),
        }
    member = None
    if row.member_id not in (None, ""):
        member_id = _as_int(row.member_id)
        member = lookups.members.get(member_id) if member_id is not None else None
        if member is None or not member.is_active:
            errors["member"] = _("No such active person in this organisation.")
            member = None
    external_id = (row.external_id or "").strip() or None
    if external_id is not None and len(external_id) > 100:
        errors["external_id"] = _("At most 100 characters.")
    note = (row.note or "").strip()
    if len(note) > 200:
        errors["note"] = _("At most 200 characters.")
    if errors or goal is None or value is None or day is None:
        return None, errors
    return CleanEntry(goal, metric, day, value, member, external_id, note), {}


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    goal_ids: list[int] = field(default_factory=list)


def entries_save(
    *, org: Organization, actor: Membership, rows: Sequence[EntryInput], source: str = Source.API
) -> BulkResult:
    """Store many values at once, all or nothing. A row with an external id that is already
    stored updates that value instead of adding one, so a push sent twice stores one value.
    Bad rows raise a ValidationError whose `rows` maps the row number (from 1) to its errors."""
    limit = bulk_limit()
    if not rows:
        raise ValidationError({"entries": [_("Send at least one value.")]})
    if len(rows) > limit:
        raise ValidationError(
            {
                "entries": [
                    _("At most %(limit)s values per request; this one has %(count)s.")
                    % {"limit": limit, "count": len(rows)}
                ]
            }  # fmt: skip
        )
    lookups = _Lookups.load(org=org, actor=actor, rows=rows)
    default_day = lookups.today or timezone.localdate()
    clean: list[CleanEntry] = []
    row_errors: dict[int, dict[str, str]] = {}
    seen: dict[str, tuple[int, Decimal]] = {}
    for number, row in enumerate(rows, start=1):
        entry, errors = _clean(row, lookups, default_day=default_day)
        if entry is not None and entry.external_id is not None:
            earlier = seen.get(entry.external_id)
            if earlier is not None and earlier[1] != entry.value:
                errors = {
                    "external_id": _("Same external id as row %(row)s with another value.")
                    % {"row": earlier[0]}
                }
            seen.setdefault(entry.external_id, (number, entry.value))
        if errors:
            row_errors[number] = errors
        elif entry is not None:
            clean.append(entry)
    if row_errors:
        error = ValidationError(_("%(count)s of %(total)s rows have errors; nothing was stored.") % {
            "count": len(row_errors), "total": len(rows)})  # fmt: skip
        error.rows = row_errors  # type: ignore[attr-defined]
        raise error
    return _store(org=org, actor=actor, entries=clean, source=source)


def _store(*, org: Organization, actor: Membership, entries: list[CleanEntry], source: str) -> BulkResult:
    result = BulkResult()
    unique: dict[str, CleanEntry] = {}
    plain: list[CleanEntry] = []
    for entry in entries:
        if entry.external_id is None:
            plain.append(entry)
        else:
            unique[entry.external_id] = entry
    with transaction.atomic():
        existing = {
            e.external_id: e
            for e in MetricEntry.objects.filter(org=org, external_id__in=list(unique)).only(
                "external_id", "value", "day", "goal_id", "supporting_metric_id", "member_id", "note"
            )
        }
        objects = []
        since: date | None = None
        touched: set[int] = set()
        for entry in [*plain, *unique.values()]:
            old = existing.get(entry.external_id) if entry.external_id else None
            if old is not None:
                same = (old.value, old.day, old.goal_id, old.supporting_metric_id, old.member_id, old.note) == (
                    entry.value, entry.day, entry.goal.pk, entry.supporting_metric.pk if entry.supporting_metric else None,
                    entry.member.pk if entry.member else None, entry.note)  # fmt: skip
                if same:
                    result.unchanged += 1
                    continue
                result.updated += 1
                touched.add(old.goal_id)
                since = min(since or old.day, old.day)
            else:
                result.created += 1
            touched.add(entry.goal.pk)
            since = min(since or entry.day, entry.day)
            objects.append(
                MetricEntry(
                    org=org, goal=entry.goal, supporting_metric=entry.supporting_metric, day=entry.day,
                    value=entry.value, member=entry.member, source=source, external_id=entry.external_id,
                    note=entry.note, created_by=actor.user,
                )
            )  # fmt: skip
        keyed = [o for o in objects if o.external_id]
        MetricEntry.objects.bulk_create([o for o in objects if not o.external_id], batch_size=2000)
        if keyed:
            # Upsert: two pushes racing each other still store one value per external id.
            MetricEntry.objects.bulk_create(
                keyed,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["org", "external_id"],
                update_fields=["goal", "supporting_metric", "day", "value", "member", "note", "source"],
            )
        result.goal_ids = sorted(touched)
        if touched:
            schedule_recompute(org=org, goal_ids=result.goal_ids, since=since)
    return result


def entry_create(
    *, org: Organization, actor: Membership, data: EntryInput, source: str = Source.MANUAL
) -> MetricEntry:
    """One value (manual entry or a single API call); field errors name the field."""
    lookups = _Lookups.load(org=org, actor=actor, rows=[data])
    entry, errors = _clean(data, lookups, default_day=lookups.today or timezone.localdate())
    if errors or entry is None:
        raise ValidationError({k: [v] for k, v in errors.items()})
    _store(org=org, actor=actor, entries=[entry], source=source)
    qs = MetricEntry.objects.filter(org=org).select_related("goal", "supporting_metric", "member__user")
    if entry.external_id:
        return qs.get(external_id=entry.external_id)
    return qs.filter(goal=entry.goal, day=entry.day, created_by=actor.user).latest("id")


def entry_delete(*, entry: MetricEntry, actor: Membership) -> None:
    if not selectors.can_enter_values(member=actor, goal=entry.goal):
        raise ValidationError({"goal": [_("You cannot enter values for this goal.")]})
    org, goal_id, day = entry.goal.org, entry.goal_id, entry.day
    with transaction.atomic():
        entry.delete()
        schedule_recompute(org=org, goal_ids=[goal_id], since=day)


# --- Stand-ups ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StandupInput:
    day: date
    yesterday: str = ""
    today: str = ""
    blockers: str = ""
    mood: int | None = None
    values: tuple[EntryInput, ...] = ()


def standup_submit(*, member: Membership, actor: Membership, data: StandupInput) -> Standup:
    """每日站会: log or update the member's stand-up for a day, with optional metric values for
    the goals they contribute to (replacing the values of an earlier submission that day)."""
    errors: dict[str, list[str]] = {}
    if actor.pk != member.pk:
        errors["member"] = [_("You can only log your own stand-up.")]
    today = selectors.org_today(member.org)
    if data.day > today:
        errors["day"] = [_("A stand-up cannot be for a future day.")]
    elif data.day < today - timedelta(days=STANDUP_BACKFILL_DAYS):
        errors["day"] = [
            _("Stand-ups can be logged for the last %(days)s days only.") % {"days": STANDUP_BACKFILL_DAYS}
        ]
    if data.mood is not None and data.mood not in Mood.values:
        errors["mood"] = [_("Choose a mood from 1 to 5.")]
    for name in ("yesterday", "today", "blockers"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            errors[name] = [_("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}]
    if not (data.yesterday.strip() or data.today.strip() or data.blockers.strip() or data.values):
        errors["today"] = [_("Write at least one line: what you did, what you will do, or what blocks you.")]
    lookups = _Lookups.load(org=member.org, actor=member, rows=data.values)
    clean: list[CleanEntry] = []
    for row in data.values:
        entry, problems = _clean(row, lookups, default_day=data.day)
        if problems:
            errors.setdefault("values", []).extend(problems.values())
        elif entry is not None:
            clean.append(entry)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        standup, _created = Standup.objects.select_for_update().update_or_create(
            member=member,
            day=data.day,
            defaults={
                "org": member.org, "yesterday": data.yesterday.strip(), "today": data.today.strip(),
                "blockers": data.blockers.strip(), "mood": data.mood,
            },
        )  # fmt: skip
        standup.full_clean()
        old_goals = set(MetricEntry.objects.filter(standup=standup).values_list("goal_id", flat=True))
        MetricEntry.objects.filter(standup=standup).delete()
        MetricEntry.objects.bulk_create(
            [
                MetricEntry(
                    org=member.org, goal=e.goal, supporting_metric=e.supporting_metric, day=data.day, value=e.value,
                    member=member, source=Source.STANDUP, standup=standup, created_by=member.user,
                )
                for e in clean
            ]
        )  # fmt: skip
        touched = sorted(old_goals | {e.goal.pk for e in clean})
        if touched:
            schedule_recompute(org=member.org, goal_ids=touched, since=data.day)
    return standup


# --- Indicators -----------------------------------------------------------------------------------
def schedule_recompute(*, org: Organization, goal_ids: Iterable[int], since: date | None = None) -> None:
    """Recompute the goals' indicators once the current transaction has committed."""
    from .tasks import recompute_goals

    ids = sorted(set(goal_ids))
    since_text = since.isoformat() if since else None
    transaction.on_commit(lambda: recompute_goals.delay(org_id=org.pk, goal_ids=ids, since=since_text))


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


def _version_on(versions: list[TargetVersion], day: date) -> TargetVersion:
    current = versions[0]
    for version in versions:
        if version.effective_from <= day:
            current = version
    return current


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


def plan_risk(*, org: Organization, goal_ids: list[int], day: date) -> set[int]:
    """Goals whose plan has slipped on its critical path (from the plans app)."""
    from plans.selectors import goals_at_risk

    return goals_at_risk(org=org, today=day) & set(goal_ids)


def indicators_recompute(
    *,
    org: Organization,
    goal_ids: Iterable[int] | None = None,
    day: date | None = None,
    since: date | None = None,
    behind_pct: Decimal = DEFAULT_BEHIND_PCT,
) -> int:
    """Compute and store the snapshots of every active goal (or the given ones) for `day`
    (default: today in the organisation), and for each day from `since` when values arrived for
    past days. Upserts on (goal, metric, day): running it twice gives the same rows."""
    day = day or selectors.org_today(org)
    qs = Goal.objects.filter(org=org, status=Status.ACTIVE, start_date__lte=day).prefetch_related(
        "versions__period_targets", "supporting_metrics"
    )
    if goal_ids is not None:
        qs = qs.filter(pk__in=list(goal_ids))
    goals = list(qs.order_by("pk"))
    if not goals:
        return 0
    series = selectors.daily_totals(goal_ids=[g.pk for g in goals], until=day)
    at_risk = plan_risk(org=org, goal_ids=[g.pk for g in goals], day=day)
    now = timezone.now()
    rows: list[IndicatorSnapshot] = []
    for goal in goals:
        versions = sorted(goal.versions.all(), key=lambda v: v.number)
        if not versions:
            continue
        asof = min(day, goal.end_date)
        first = (
            asof if since is None else max(since, goal.start_date, asof - timedelta(days=HISTORY_LIMIT_DAYS))
        )
        metrics = list(goal.supporting_metrics.all())
        slices_of: dict[int, tuple[indicators.Slice, ...]] = {}
        current = first
        while current <= asof:
            version = _version_on(versions, current)
            if version.pk not in slices_of:
                slices_of[version.pk] = _finest_slices(version)
            facts = indicators.GoalFacts(
                start=goal.start_date, end=goal.end_date, direction=goal.direction, aggregation=goal.aggregation,
                tiers=version.tiers(), slices=slices_of[version.pk], baseline=goal.baseline,
            )  # fmt: skip
            reading = indicators.lagging(
                facts, series.get((goal.pk, 0), {}), current, behind_pct=behind_pct,
                plan_at_risk=current == asof and goal.pk in at_risk,
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
    IndicatorSnapshot.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["goal", "metric_key", "day"],
        update_fields=SNAPSHOT_FIELDS,
    )
    return len(rows)


def indicators_recompute_all(*, day: date | None = None) -> int:
    """The nightly job: every organisation, every active goal, today in each organisation."""
    total = 0
    for org in Organization.objects.order_by("pk"):
        total += indicators_recompute(org=org, day=day)
    return total
