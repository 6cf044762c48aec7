"""Every write of the tracking app: stand-ups, metric values (one, or thousands at once and
idempotently), and the indicator recompute that turns them into dated snapshots."""

from __future__ import annotations

import csv
import io
import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as dt_time
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goals.models import Goal, PeriodKind, Status, SupportingMetric, TargetVersion
from goals.periods import week_start
from goals.selectors import can_change_goal
from teams.access import CONTRIBUTORS
from teams.errors import NotAllowed
from teams.models import Membership, Organization, Team
from teams.numbers import format_number
from teams.page_forms import parse_day
from teams.selectors import can_manage_team, org_today
from teams.tables import Rows, read_table
from tracking import channels, indicators, selectors
from tracking.models import (
    ActionState,
    Alert,
    AlertRule,
    AlertState,
    Cause,
    ChannelKind,
    CorrectiveAction,
    Delivery,
    ImportJob,
    IndicatorKind,
    IndicatorSnapshot,
    MetricEntry,
    Mood,
    Notification,
    NotificationChannel,
    ReminderChannel,
    Review,
    RuleKind,
    Source,
    Standup,
    TeamRhythm,
    TrackingPreference,
)

DEFAULT_BEHIND_PCT = Decimal(10)
DEFAULT_WORKING_DAYS = "12345"  # Monday to Friday (ISO weekdays)
STANDUP_BACKFILL_DAYS = 7
HISTORY_LIMIT_DAYS = 370
MAX_ABS_VALUE = Decimal("1e13")
TEXT_LIMIT = 2000
WEBHOOK_TIMEOUT = 10
SLICE_PREFERENCE = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER)


def bulk_limit() -> int:
    return int(settings.TRACKING_BULK_LIMIT)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook that answers with a redirect has failed: following it could lead anywhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _blocked_address(url: str) -> str:
    """Why the sender may not call the webhook's host ("" when it may): the check channel_save
    makes, made again before each delivery, since a name may resolve elsewhere by then."""
    address = channels.blocked_address(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS)
    if not address:
        return ""
    host = urllib.parse.urlsplit(url).hostname or address
    return f"blocked: {host} is a private address" + (f" ({address})" if host != address else "")


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
        lookups = cls(org=org, actor=actor, today=org_today(org))
        goal_ids = {i for i in (_as_int(r.goal_id) for r in rows) if i is not None}
        metric_ids = {i for i in (_as_int(r.supporting_metric_id) for r in rows) if i is not None}
        member_ids = {i for i in (_as_int(r.member_id) for r in rows) if i is not None}
        lookups.goals = {g.pk: g for g in Goal.objects.filter(org=org, pk__in=goal_ids)}
        lookups.metrics = {m.pk: m for m in SupportingMetric.objects.filter(goal__org=org, pk__in=metric_ids)}
        lookups.members = {m.pk: m for m in Membership.objects.filter(org=org, pk__in=member_ids)}
        allowed = selectors.enterable_goal_ids(member=actor, goals=list(lookups.goals.values()))
        lookups.allowed = {pk: pk in allowed for pk in lookups.goals}
        return lookups


MAX_ID = 2**63 - 1


def _as_int(value: Any) -> int | None:
    """An id (1 … 2⁶³−1), or None for anything else."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


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
    elif value < 0 and goal is not None and "supporting_metric" not in errors:
        measured = metric if metric is not None else goal
        if not measured.allows_negative:
            name = metric.name if metric is not None else (goal.metric_name or goal.title)
            errors["value"] = _("“%(metric)s” cannot be negative: enter 0 or more.") % {"metric": name}
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
        elif not selectors.may_attribute_value(actor=lookups.actor, person=member):
            errors["member"] = (
                _("A value counts for a manager or a member.")
                if member.role not in selectors.WORKER_ROLES
                else _("You can only enter your own values.")
            )
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


def entries_validate(
    *,
    org: Organization,
    actor: Membership,
    rows: Sequence[EntryInput],
    seen: dict[str, tuple[int, Decimal]] | None = None,
    first_number: int = 1,
) -> tuple[list[CleanEntry], dict[int, dict[str, str]]]:
    """Check values without storing them: the clean ones, and {row number: {field: message}}.
    `seen` carries external ids across calls, so a file checked in chunks still finds the same
    external id given twice with different values."""
    lookups = _Lookups.load(org=org, actor=actor, rows=rows)
    default_day = lookups.today or timezone.localdate()
    clean: list[CleanEntry] = []
    row_errors: dict[int, dict[str, str]] = {}
    seen = {} if seen is None else seen
    for number, row in enumerate(rows, start=first_number):
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
    _check_replaced(
        org=org, actor=actor, clean=clean, row_errors=row_errors, first_number=first_number, rows=rows
    )
    return clean, row_errors


def _check_replaced(
    *, org: Organization, actor: Membership, clean: list[CleanEntry], row_errors: dict[int, dict[str, str]],
    first_number: int, rows: Sequence[EntryInput],
) -> None:  # fmt: skip
    """A value with an external id that is already stored replaces it: only someone who may change
    that stored value (its goal, still active) may do so."""
    keyed = [e for e in clean if e.external_id]
    if not keyed:
        return
    stored: dict[str | None, int] = {}
    ids = [e.external_id for e in keyed if e.external_id]
    for start in range(0, len(ids), 900):  # SQLite allows 999 variables per statement
        stored.update(
            MetricEntry.objects.filter(org=org, external_id__in=ids[start : start + 900]).values_list(
                "external_id", "goal_id"
            )
        )
    goals = {g.pk: g for g in Goal.objects.filter(org=org, pk__in=set(stored.values()))}
    allowed = selectors.enterable_goal_ids(member=actor, goals=list(goals.values()))
    refused = {
        external_id for external_id, goal_id in stored.items()
        if goal_id not in goals or goals[goal_id].status != Status.ACTIVE or goal_id not in allowed
    }  # fmt: skip
    if not refused:
        return
    for number, row in enumerate(rows, start=first_number):
        external_id = (row.external_id or "").strip()
        if external_id in refused and number not in row_errors:
            row_errors[number] = {"external_id": _("This external id belongs to a value you cannot change.")}
    clean[:] = [e for e in clean if e.external_id not in refused]


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
    clean, row_errors = entries_validate(org=org, actor=actor, rows=rows)
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
        existing: dict[str | None, MetricEntry] = {}
        keys = list(unique)
        for start in range(0, len(keys), 900):  # SQLite allows 999 variables per statement
            existing.update(
                (e.external_id, e)
                for e in MetricEntry.objects.filter(org=org, external_id__in=keys[start : start + 900]).only(
                    "external_id", "value", "day", "goal_id", "supporting_metric_id", "member_id", "note"
                )
            )
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


def require_value_entry(*, goal: Goal, actor: Membership) -> None:
    """Refuse (403) unless `actor` enters values for this goal (selectors.can_enter_values)."""
    if not selectors.can_enter_values(member=actor, goal=goal):
        raise NotAllowed(_("You cannot enter values for this goal."))


def require_entry_delete(*, entry: MetricEntry, actor: Membership) -> None:
    """Refuse (403) unless `actor` may delete this value (selectors.deletable_entry_ids); a value
    that came with a stand-up is refused as input (edit the stand-up) by entry_delete."""
    require_value_entry(goal=entry.goal, actor=actor)
    own = entry.created_by_id == actor.user_id or entry.member_id == actor.pk
    if not own and not can_change_goal(member=actor, goal=entry.goal):
        raise NotAllowed(_("You can only delete values you entered, or the values of goals you manage."))


def entry_delete(*, entry: MetricEntry, actor: Membership) -> None:
    require_entry_delete(entry=entry, actor=actor)
    if entry.standup_id is not None:
        raise ValidationError({"goal": [_("This value came with a stand-up: edit the stand-up instead.")]})
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
    today = org_today(member.org)
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
    for index, row in enumerate(data.values):
        entry, problems = _clean(row, lookups, default_day=data.day)
        for name, problem in problems.items():  # "values.0.value": which value, and what about it
            errors.setdefault(f"values.{index}.{name}", []).append(problem)
        if not problems and entry is not None:
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


def blocker_resolution_refusal(*, standup: Standup, actor: Membership) -> dict[str, list[str]]:
    """Why `actor` may not mark the stand-up's blockers resolved ({} when they may): a teammate of
    the organisation who logs stand-ups, never the author, and only a stand-up with blockers."""
    if actor.org_id != standup.org_id or not actor.is_active or actor.role not in CONTRIBUTORS:
        return {"__all__": [_("Only a teammate in this organisation can resolve a blocker.")]}
    if actor.pk == standup.member_id:
        return {"__all__": [_("You cannot resolve your own blocker: a teammate who helped marks it.")]}
    if not standup.has_blockers:
        return {"blockers": [_("This stand-up has no blockers.")]}
    return {}


@transaction.atomic
def standup_blocker_resolve(*, standup: Standup, actor: Membership) -> Standup:
    """A teammate says they cleared the stand-up's blockers (see blocker_resolution_refusal);
    recorded once, so help given to others counts (月度之星)."""
    errors = blocker_resolution_refusal(standup=standup, actor=actor)
    if errors:
        raise ValidationError(errors)
    locked = Standup.objects.select_for_update().get(pk=standup.pk)
    if locked.blocker_resolved_by_id is not None:
        raise ValidationError({"blockers": [_("This blocker has already been resolved.")]})
    locked.blocker_resolved_by, locked.blocker_resolved_at = actor, timezone.now()
    locked.full_clean()
    locked.save(update_fields=["blocker_resolved_by", "blocker_resolved_at", "updated_at"])
    return locked


# --- Indicators -----------------------------------------------------------------------------------
def schedule_recompute(*, org: Organization, goal_ids: Iterable[int], since: date | None = None) -> None:
    """Recompute the goals' indicators once the current transaction has committed."""
    from tracking.tasks import recompute_goals

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


def plan_risk(*, org: Organization, goal_ids: list[int], day: date) -> dict[int, dict[str, object]]:
    """{goal id: why its plan is at risk} for the goals whose critical path has slipped (from the
    plans app)."""
    from plans.selectors import plan_risks

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


# --- Alerts (预警) ----------------------------------------------------------------------------------
@dataclass
class AlertSpec:
    kind: str
    key: str
    goal: Goal | None = None
    metric: SupportingMetric | None = None
    member: Membership | None = None
    team_id: int | None = None
    measured: Decimal | None = None
    expected: Decimal | None = None
    deviation_pct: Decimal | None = None
    since: date | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class EvaluateResult:
    raised: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


def _period(goal: Goal) -> str:
    return f"{goal.start_date.isoformat()}..{goal.end_date.isoformat()}"


def _behind_since(history: list[IndicatorSnapshot], limit: Decimal) -> date | None:
    """First day of the current run of snapshots behind the limit (history is newest first)."""
    since = None
    for snap in history:
        if snap.pace is None or snap.pace > limit:
            break
        since = snap.day
    return since


def _goal_specs(
    *, org: Organization, goals: list[Goal], rules: dict[str, selectors.RuleSetting], day: date
) -> list[AlertSpec]:
    specs: list[AlertSpec] = []
    by_id = {g.pk: g for g in goals}
    newest = selectors.latest_snapshots(org=org, goal_ids=list(by_id))
    lag_rule = rules[RuleKind.LAGGING_BEHIND]
    limit = Decimal(100) - lag_rule.threshold
    behind_ids = [
        goal_id for (goal_id, key), snap in newest.items()
        if key == 0 and snap.pace is not None and snap.pace <= limit
    ]  # fmt: skip
    history: dict[int, list[IndicatorSnapshot]] = {}
    if lag_rule.enabled and behind_ids:
        for snap in IndicatorSnapshot.objects.filter(
            goal_id__in=behind_ids, metric_key=0, day__gte=day - timedelta(days=HISTORY_LIMIT_DAYS)
        ).order_by("goal_id", "-day"):
            history.setdefault(snap.goal_id, []).append(snap)
    for (goal_id, key), snap in newest.items():
        goal = by_id[goal_id]
        if key == 0 and lag_rule.enabled and goal_id in behind_ids and snap.pace is not None:
            specs.append(AlertSpec(
                kind=RuleKind.LAGGING_BEHIND, key=f"lagging_behind:g{goal_id}:{_period(goal)}", goal=goal,
                team_id=goal.team_id, measured=snap.actual, expected=snap.expected,
                deviation_pct=Decimal(100) - snap.pace, since=_behind_since(history.get(goal_id, []), limit),
                detail={"pace": str(snap.pace), "day": snap.day.isoformat(), "forecast": str(snap.forecast),
                        "tier_projected": snap.tier_projected},
            ))  # fmt: skip
        elif snap.kind == IndicatorKind.LEADING and rules[RuleKind.LEADING_BELOW].enabled:
            running = int(snap.detail.get("weeks_below_running", 0))
            if running >= rules[RuleKind.LEADING_BELOW].threshold:
                weeks = [w for w in snap.detail.get("weeks", []) if w.get("complete")]
                since = date.fromisoformat(weeks[-running]["start"]) if len(weeks) >= running else None
                last = weeks[-1] if weeks else {}
                completion = Decimal(str(last.get("completion") or 0))
                specs.append(AlertSpec(
                    kind=RuleKind.LEADING_BELOW, key=f"leading_below:m{key}:{_period(goal)}", goal=goal,
                    metric=snap.supporting_metric, team_id=goal.team_id,
                    measured=Decimal(str(last.get("actual", 0))), expected=Decimal(str(last.get("target", 0))),
                    deviation_pct=Decimal(100) - completion, since=since, detail={"weeks_below": running},
                ))  # fmt: skip
        elif (
            snap.kind == IndicatorKind.RISK and rules[RuleKind.RISK_BREACHED].enabled and snap.status == "off_track"
            and snap.actual is not None and snap.target is not None
        ):  # fmt: skip
            since_text = snap.detail.get("breached_since")
            deviation = (
                ((snap.actual - snap.target) / snap.target * 100).copy_abs().quantize(Decimal("0.1"))
                if snap.target else None
            )  # fmt: skip
            specs.append(AlertSpec(
                kind=RuleKind.RISK_BREACHED, key=f"risk_breached:m{key}:{_period(goal)}", goal=goal,
                metric=snap.supporting_metric, team_id=goal.team_id, measured=snap.actual,
                expected=snap.target, deviation_pct=deviation,
                since=date.fromisoformat(since_text) if since_text else None,
            ))  # fmt: skip
    if rules[RuleKind.PLAN_SLIP].enabled:
        for goal_id in sorted(plan_risk(org=org, goal_ids=list(by_id), day=day)):
            goal = by_id[goal_id]
            specs.append(AlertSpec(kind=RuleKind.PLAN_SLIP, key=f"plan_slip:g{goal_id}:{_period(goal)}", goal=goal,
                                   team_id=goal.team_id, since=day))  # fmt: skip
    return specs


def working_days_before(day: date, count: int, *, days: str = DEFAULT_WORKING_DAYS) -> list[date]:
    """The `count` working days (ISO weekdays in `days`, Monday = 1) before `day`, oldest first."""
    found: list[date] = []
    cursor = day - timedelta(days=1)
    while len(found) < count and cursor > day - timedelta(days=400):
        if str(cursor.isoweekday()) in days:
            found.append(cursor)
        cursor -= timedelta(days=1)
    return sorted(found)


def _standup_specs(*, org: Organization, rule: selectors.RuleSetting, day: date) -> list[AlertSpec]:
    """Members (managers run the stand-up) with no stand-up on their teams' last N working days.
    The alert is keyed on the first working day missed after the last stand-up, so it stays one
    alert, growing, until the member logs again."""
    if not rule.enabled or rule.threshold < 1:
        return []
    needed = int(rule.threshold)
    members = list(
        Membership.objects.filter(org=org, is_active=True, role="member", teams__isnull=False)
        .distinct()
        .prefetch_related("teams")
    )
    rhythms = {r.team_id: r.working_days for r in TeamRhythm.objects.filter(team__org=org)}
    last = dict(
        Standup.objects.filter(org=org, day__lt=day)
        .values_list("member_id")
        .annotate(last=Max("day"))
        .order_by()
    )
    specs = []
    for member in members:
        teams = list(member.teams.all())
        workdays = (
            "".join(sorted({d for t in teams for d in rhythms.get(t.pk, DEFAULT_WORKING_DAYS)}))
            or DEFAULT_WORKING_DAYS
        )
        window = working_days_before(day, needed, days=workdays)
        joined = timezone.localdate(member.joined_at)
        previous = last.get(member.pk)
        if len(window) < needed or joined > window[0] or (previous is not None and previous >= window[0]):
            continue
        # The first working day missed: the one after the last stand-up (or after joining).
        start_from = (
            max(previous or joined, joined - timedelta(days=1)) if previous else joined - timedelta(days=1)
        )
        missed = [d for d in working_days_before(day, 260, days=workdays) if d > start_from]
        first = missed[0] if missed else window[0]
        specs.append(AlertSpec(
            kind=RuleKind.STANDUP_MISSED, key=f"standup_missed:p{member.pk}:{first.isoformat()}", member=member,
            team_id=teams[0].pk if teams else None, measured=Decimal(len(missed) or needed), since=first,
            detail={"days": [d.isoformat() for d in missed[-20:]]},
        ))  # fmt: skip
    return specs


def _recipients(alert: Alert) -> list[Membership]:
    people: dict[int, Membership] = {}
    if alert.goal is not None:
        people[alert.goal.owner_id] = alert.goal.owner
    if alert.member is not None:
        people[alert.member.pk] = alert.member
    if alert.team is not None:
        for manager in alert.team.managers.filter(is_active=True):
            people[manager.pk] = manager
    return list(people.values())


def _notify(*, alert: Alert, people: Iterable[Membership], kind: str, event: str) -> None:
    Notification.objects.bulk_create(
        [Notification(org_id=alert.org_id, recipient=p, kind=kind, alert=alert, dedupe_key=f"alert:{alert.pk}:{event}")
         for p in people],
        ignore_conflicts=True,
    )  # fmt: skip


def alerts_evaluate(
    *, org: Organization, day: date | None = None, goal_ids: Iterable[int] | None = None
) -> EvaluateResult:
    """Raise, update, reopen, resolve and escalate the organisation's alerts from the newest
    snapshots (and stand-ups). Idempotent: keys are unique per goal, rule and period, so a retried
    or duplicated run changes nothing more."""
    day = day or org_today(org)
    rules = selectors.rule_settings(org=org)
    qs = Goal.objects.filter(org=org, status=Status.ACTIVE, start_date__lte=day).select_related(
        "owner", "team"
    )
    full = goal_ids is None
    if goal_ids is not None:
        qs = qs.filter(pk__in=list(goal_ids))
    goals = list(qs)
    specs = _goal_specs(org=org, goals=goals, rules=rules, day=day)
    if full:
        specs += _standup_specs(org=org, rule=rules[RuleKind.STANDUP_MISSED], day=day)
    result = EvaluateResult()
    firing = {s.key: s for s in specs}
    existing = {a.dedupe_key: a for a in Alert.objects.filter(org=org, dedupe_key__in=list(firing))}
    for key, spec in firing.items():
        values = {
            "measured": spec.measured, "expected": spec.expected, "deviation_pct": spec.deviation_pct,
            "since": spec.since, "detail": spec.detail,
        }  # fmt: skip
        alert = existing.get(key)
        if alert is None:
            try:
                with transaction.atomic():
                    alert = Alert.objects.create(
                        org=org, kind=spec.kind, dedupe_key=key, goal=spec.goal, supporting_metric=spec.metric,
                        member=spec.member, team_id=spec.team_id, raised_on=day, **values,
                    )  # fmt: skip
            except IntegrityError:
                continue  # another run raised it a moment ago
            result.raised.append(alert.pk)
            _notify(alert=alert, people=_recipients(alert), kind=Notification.Kind.ALERT, event="raised")
            _deliver(alert)
            continue
        if alert.state == AlertState.RESOLVED and alert.resolved_by_id is not None:
            continue  # resolved by hand: it stays so until its condition has cleared once
        if alert.state == AlertState.RESOLVED:
            Alert.objects.filter(pk=alert.pk, state=AlertState.RESOLVED).update(
                state=AlertState.OPEN, resolved_at=None, resolved_by=None, resolution="", raised_on=day,
                escalated_at=None, **values,
            )  # fmt: skip
            alert.refresh_from_db()
            result.reopened.append(alert.pk)
            _notify(
                alert=alert, people=_recipients(alert), kind=Notification.Kind.ALERT, event=f"reopened:{day}"
            )
            _deliver(alert)
        else:
            if spec.kind == RuleKind.PLAN_SLIP:
                values.pop("since")  # the slip began when the alert was raised, not today
            Alert.objects.filter(pk=alert.pk).update(**values)
    # What no longer fires is back on track.
    scope = (
        Alert.objects.filter(org=org).exclude(state=AlertState.RESOLVED).exclude(dedupe_key__in=list(firing))
    )
    if not full:
        scope = scope.filter(goal_id__in=[g.pk for g in goals])
    # A hand-resolved alert whose condition has cleared may fire again later in the period.
    cleared = Alert.objects.filter(org=org, state=AlertState.RESOLVED, resolved_by__isnull=False).exclude(
        dedupe_key__in=list(firing)
    )
    if not full:
        cleared = cleared.filter(goal_id__in=[g.pk for g in goals])
    cleared.update(resolved_by=None)
    stale = list(scope.values_list("pk", flat=True))
    if stale:
        Alert.objects.filter(pk__in=stale).update(
            state=AlertState.RESOLVED, resolved_at=timezone.now(), resolution=Alert.BACK_ON_TRACK
        )
        result.resolved = stale
    if full:
        result.escalated = _escalate(org=org, rules=rules, day=day)
    return result


def _escalate(*, org: Organization, rules: dict[str, selectors.RuleSetting], day: date) -> list[int]:
    """An alert nobody acknowledged within the rule's days goes to the managers of the parent
    team (the organisation's admins when the team has no parent)."""
    escalated = []
    candidates = Alert.objects.filter(
        org=org, state=AlertState.OPEN, escalated_at__isnull=True
    ).select_related("team__parent")
    admins = None
    for alert in candidates:
        if alert.raised_on > day - timedelta(days=rules[alert.kind].escalate_after_days):
            continue
        parent = alert.team.parent if alert.team is not None else None
        people = list(parent.managers.filter(is_active=True)) if parent is not None else []
        if not people:
            if admins is None:
                admins = list(Membership.objects.filter(org=org, role="admin", is_active=True))
            people = admins
        updated = Alert.objects.filter(pk=alert.pk, escalated_at__isnull=True).update(
            escalated_at=timezone.now()
        )
        if not updated:
            continue  # escalated by a concurrent run
        alert.escalated_to.set(people)
        _notify(alert=alert, people=people, kind=Notification.Kind.ESCALATION, event="escalated")
        _deliver(alert, event=f"escalated:{day.isoformat()}")
        escalated.append(alert.pk)
    return escalated


def _deliver(alert: Alert, event: str = "") -> None:
    """Hand the alert to the outgoing channels (e-mail, webhooks) after commit."""
    from tracking.tasks import deliver_alert

    alert_id = alert.pk
    transaction.on_commit(lambda: deliver_alert.delay(alert_id=alert_id, event=event))


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: Membership | None
    due_date: date | None


def require_alert_action(*, alert: Alert, actor: Membership) -> None:
    """Refuse (403) unless `actor` acknowledges and resolves this alert (selectors.can_act_on)."""
    if not selectors.can_act_on(alert=alert, member=actor):
        raise NotAllowed(
            _("Only the goal's owner, or an admin or a manager of its team, acts on this alert.")
        )


def require_action_update(*, action: CorrectiveAction, actor: Membership) -> None:
    if not selectors.can_update_action(action=action, member=actor):
        raise NotAllowed(_("Only the action's owner, or an admin or a manager of its team, updates it."))


def _validate_action(org: Organization, data: ActionInput, errors: dict[str, list[str]]) -> None:
    if not data.description.strip():
        errors["action"] = [_("Describe the corrective action.")]
    elif len(data.description) > TEXT_LIMIT:
        errors["action"] = [_("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}]
    if data.owner is None or data.owner.org_id != org.pk or not data.owner.is_active:
        errors["owner"] = [_("Choose who owns the action, from this organisation.")]
    elif not selectors.may_own_action(org=org, person=data.owner):
        errors["owner"] = [_("Choose a manager or a member to own the action.")]
    if data.due_date is None:
        errors["due_date"] = [_("Give the action a due date.")]
    elif data.due_date < org_today(org):
        errors["due_date"] = [_("The due date cannot be in the past.")]


def alert_acknowledge(
    *, alert: Alert, actor: Membership, cause: str, cause_note: str, action: ActionInput
) -> CorrectiveAction:
    """纠偏: name the cause and commit to a corrective action with an owner and a due date."""
    require_alert_action(alert=alert, actor=actor)
    errors: dict[str, list[str]] = {}
    if cause not in Cause.values:
        errors["cause"] = [_("Choose a cause.")]
    elif cause == Cause.OTHER and not cause_note.strip():
        errors["cause_note"] = [_("Say what the cause is.")]
    if len(cause_note) > TEXT_LIMIT:
        errors["cause_note"] = [_("At most %(limit)s characters.") % {"limit": TEXT_LIMIT}]
    _validate_action(alert.org, action, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Alert.objects.select_for_update(of=("self",)).get(pk=alert.pk)
        if locked.state == AlertState.RESOLVED:
            raise ValidationError(_("This alert is already resolved."))
        locked.state = AlertState.ACKNOWLEDGED
        locked.cause, locked.cause_note = cause, cause_note.strip()
        locked.acknowledged_by, locked.acknowledged_at = actor, timezone.now()
        locked.save(
            update_fields=["state", "cause", "cause_note", "acknowledged_by", "acknowledged_at", "updated_at"]
        )
        assert action.owner is not None and action.due_date is not None  # noqa: S101 - validated above
        twin = CorrectiveAction.objects.filter(
            alert=locked, description=action.description.strip(), owner=action.owner, due_date=action.due_date
        ).first()
        if twin is not None:  # the same form sent twice
            return twin
        created = CorrectiveAction.objects.create(
            org=alert.org, alert=locked, goal=locked.goal, description=action.description.strip(),
            owner=action.owner, due_date=action.due_date, created_by=actor,
        )  # fmt: skip
    alert.refresh_from_db()
    return created


def action_add(
    *, org: Organization, actor: Membership, goal: Goal | None, alert: Alert | None, data: ActionInput,
    review: Review | None = None,
) -> CorrectiveAction:  # fmt: skip
    """A corrective action recorded outside an alert (e.g. decided at the weekly review): by the
    goal's owner, or whoever changes the goal (or, without a goal, the review's team)."""
    allowed = (
        goal is not None and (goal.owner_id == actor.pk or can_change_goal(member=actor, goal=goal))
    ) or (goal is None and review is not None and can_manage_team(member=actor, team_id=review.team_id))
    if not allowed:
        raise NotAllowed(
            _("Only the goal's owner, or an admin or a manager of its team, adds a corrective action.")
        )
    errors: dict[str, list[str]] = {}
    _validate_action(org, data, errors)
    if errors:
        raise ValidationError(errors)
    assert data.owner is not None and data.due_date is not None  # noqa: S101 - validated above
    return CorrectiveAction.objects.create(
        org=org, alert=alert, goal=goal, description=data.description.strip(), owner=data.owner,
        due_date=data.due_date, created_by=actor, review=review,
    )  # fmt: skip


def action_update(
    *, action: CorrectiveAction, actor: Membership, done: bool, worked: bool | None = None
) -> CorrectiveAction:
    require_action_update(action=action, actor=actor)
    action.state = ActionState.DONE if done else ActionState.OPEN
    action.done_at = timezone.now() if done else None
    action.worked = worked
    action.save(update_fields=["state", "done_at", "worked"])
    return action


def alert_resolve(*, alert: Alert, actor: Membership, note: str) -> Alert:
    require_alert_action(alert=alert, actor=actor)
    if not note.strip():
        raise ValidationError({"note": [_("Say why the alert is resolved.")]})
    Alert.objects.filter(pk=alert.pk).exclude(state=AlertState.RESOLVED).update(
        state=AlertState.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=actor,
        resolution=note.strip()[:200],
    )
    alert.refresh_from_db()
    return alert


def notifications_mark_read(*, member: Membership, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- Alert wording and delivery -------------------------------------------------------------------
class DeliveryError(Exception):
    """A webhook did not accept the message; the task tries again in `retry_in` seconds."""

    def __init__(self, message: str, *, retry_in: int) -> None:
        super().__init__(message)
        self.retry_in = retry_in


WEBHOOK_ATTEMPTS = 6  # the first try and five retries
MESSAGE_KEY_LIMIT = 40  # Delivery.event


def webhook_backoff(attempt: int) -> int:
    return int(min(30 * 2 ** (attempt - 1), 1800))


def alert_message(alert: Alert) -> str:
    """What deviates, by how much and since when, in the active language."""
    since = alert.since.isoformat() if alert.since else alert.raised_on.isoformat()
    goal = alert.goal.title if alert.goal else ""
    metric = alert.supporting_metric.name if alert.supporting_metric else ""

    figure = alert.supporting_metric or alert.goal
    places = figure.number_places if figure is not None else 0

    def num(value: Decimal | None) -> str:
        """At the precision of the goal or metric, grouped, as on the pages (teams/numbers.py)."""
        return format_number(value, places)

    if alert.kind == RuleKind.LAGGING_BEHIND:
        return _("%(goal)s is %(pct)s%% behind where it should be: %(actual)s against %(expected)s expected by now (since %(since)s).") % {
            "goal": goal, "pct": format_number(alert.deviation_pct, 1), "actual": num(alert.measured),
            "expected": num(alert.expected), "since": since}  # fmt: skip
    if alert.kind == RuleKind.LEADING_BELOW:
        return _("%(goal)s · %(metric)s has been below its weekly target %(weeks)s weeks running: %(actual)s of %(target)s last week (since %(since)s).") % {
            "goal": goal, "metric": metric, "weeks": alert.detail.get("weeks_below", "?"), "actual": num(alert.measured),
            "target": num(alert.expected), "since": since}  # fmt: skip
    if alert.kind == RuleKind.RISK_BREACHED:
        return _("%(goal)s · %(metric)s is past its threshold: %(actual)s against %(threshold)s (since %(since)s).") % {
            "goal": goal, "metric": metric, "actual": num(alert.measured), "threshold": num(alert.expected),
            "since": since}  # fmt: skip
    if alert.kind == RuleKind.STANDUP_MISSED:
        name = alert.member.user.get_full_name() if alert.member else ""
        return _("%(name)s has not logged a stand-up for %(days)s working days (since %(since)s).") % {
            "name": name, "days": format_number(alert.measured, 0), "since": since}  # fmt: skip
    return _("%(goal)s: an initiative on the critical path has slipped, which puts the goal at risk (since %(since)s).") % {
        "goal": goal, "since": since}  # fmt: skip


def alert_text(alert: Alert, *, language: str) -> str:
    with translation.override(language):
        link = f"{settings.SITE_URL.rstrip('/')}{reverse('alert_detail', args=[alert.org.slug, alert.pk])}"
        return f"{_('Stretch alert')} · {alert.org.name}\n{alert_message(alert)}\n{link}"


def alert_deliver(*, alert_id: int, event: str = "") -> int:
    """Queue one delivery per enabled channel of the alert's team (and organisation-wide ones),
    and the e-mails of its in-app notifications. Unique rows make a repeat a no-op."""
    from tracking.tasks import email_notification

    alert = Alert.objects.select_related("org").filter(pk=alert_id).first()
    if alert is None:
        return 0
    event = event or f"{alert.state}:{alert.raised_on.isoformat()}"
    queued = _fan_out(org_id=alert.org_id, team_id=alert.team_id, alert=alert, event=event, now=True)
    for notification_id in Notification.objects.filter(alert=alert, emailed_at__isnull=True).values_list(
        "pk", flat=True
    ):
        email_notification.delay(notification_id=notification_id)
        queued += 1
    return queued


@transaction.atomic
def team_message_deliver(*, team: Team, key: str, text: str, event: dict[str, Any]) -> int:
    """Post a message of a higher app (e.g. an earned instant reward) to the team's enabled
    channels and the organisation-wide ones, through the same deliveries as alerts (retries,
    backoff, failing channels). `key` names the message: one delivery per channel and key, so a
    repeated call posts nothing twice. Returns the number of deliveries queued."""

    if not text.strip() or not 0 < len(key) <= MESSAGE_KEY_LIMIT:
        raise ValueError(f"A message needs a text and a key of 1 to {MESSAGE_KEY_LIMIT} characters.")
    return _fan_out(
        org_id=team.org_id, team_id=team.pk, alert=None, event=key, defaults={"text": text, "payload": event}
    )


def _fan_out(
    *, org_id: int, team_id: int | None, alert: Alert | None, event: str, defaults: dict[str, Any] | None = None,
    now: bool = False,
) -> int:  # fmt: skip
    """One delivery per enabled channel of the team and of the whole organisation, each sent once
    (the unique rows make a repeat a no-op); queued now, or after commit. Returns how many."""
    from tracking.tasks import send_delivery

    channels = NotificationChannel.objects.filter(org_id=org_id, enabled=True).filter(
        Q(team__isnull=True) | Q(team_id=team_id)
    )
    queued = 0
    for channel in channels:
        delivery, created = Delivery.objects.get_or_create(channel=channel, alert=alert, event=event,
                                                           defaults={"max_attempts": WEBHOOK_ATTEMPTS, **(defaults or {})})  # fmt: skip
        if created:
            if now:
                send_delivery.delay(delivery_id=delivery.pk)
            else:
                transaction.on_commit(partial(send_delivery.delay, delivery_id=delivery.pk))
            queued += 1
    return queued


def _response_ok(kind: str, status: int, body: bytes) -> tuple[bool, str]:
    if not 200 <= status < 300:
        return False, f"HTTP {status}"
    if kind in ("feishu", "dingtalk", "wecom"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return False, "not JSON"
        code = data.get("code", data.get("errcode", 0)) if isinstance(data, dict) else 0
        if code not in (0, "0", None):
            return False, f"platform error {code}: {str(data.get('msg') or data.get('errmsg') or '')[:200]}"
    return True, ""


def delivery_send(*, delivery_id: int) -> bool:
    """POST one alert to one webhook. On failure the task retries with backoff; after the last
    attempt the delivery is marked failed and the channel failing (shown to the admin)."""
    delivery = Delivery.objects.select_related("channel", "alert__org", "alert__goal", "alert__member__user",
                                               "alert__supporting_metric").filter(pk=delivery_id).first()  # fmt: skip
    if delivery is None or delivery.state != Delivery.State.PENDING:
        return delivery is not None and delivery.state == Delivery.State.SENT
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + timedelta(seconds=WEBHOOK_TIMEOUT * 6))
    )
    if not claimed:
        return False  # another worker is posting it right now (a redelivered job)
    final = delivery.attempts + 1 >= delivery.max_attempts
    channel, alert = delivery.channel, delivery.alert
    if not channel.enabled:  # switched off since it was queued: a switched-off channel gets nothing
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED, last_error="not sent: the channel is switched off", lease_until=None,
            updated_at=now,
        )  # fmt: skip
        return False
    if alert is None:  # a message of a higher app: its text and event were stored with it
        text, event = delivery.text, dict(delivery.payload)
    else:
        text = alert_text(alert, language=alert.org.default_language)
        event = {"event": "alert." + delivery.event.split(":")[0], "alert": {
            "id": alert.pk, "kind": alert.kind, "goal": alert.goal_id, "member": alert.member_id, "state": alert.state,
            "measured": None if alert.measured is None else str(alert.measured),
            "expected": None if alert.expected is None else str(alert.expected),
            "deviation_pct": None if alert.deviation_pct is None else str(alert.deviation_pct),
            "since": alert.since.isoformat() if alert.since else None, "organization": alert.org.slug}}  # fmt: skip
    request = channels.build(
        kind=channel.kind, url=channel.url, secret=channel.secret, text=text, event=event,
        now_seconds=int(timezone.now().timestamp()),
    )  # fmt: skip
    error = _blocked_address(request.url)
    if error:
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=F("attempts") + 1, last_error=error, state=Delivery.State.FAILED, lease_until=None,
            updated_at=timezone.now(),
        )  # fmt: skip
        NotificationChannel.objects.filter(pk=channel.pk).update(
            failing_since=timezone.now(), last_error=error
        )
        return False
    try:
        # The URL is an admin's http(s) webhook (channel_save refuses any other scheme).
        outgoing = urllib.request.Request(  # noqa: S310
            request.url, data=request.body, headers=request.headers, method="POST"
        )
        with urllib.request.build_opener(_NoRedirect).open(outgoing, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 - admin-configured URL
            ok, error = _response_ok(channel.kind, response.status, response.read(65536))
    except urllib.error.HTTPError as failure:
        ok, error = False, f"HTTP {failure.code}"
    except (OSError, ValueError) as failure:
        ok, error = False, str(failure)[:300] or failure.__class__.__name__
    now = timezone.now()
    if ok:
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.SENT, sent_at=now, attempts=F("attempts") + 1,
                                                       last_error="", lease_until=None, updated_at=now)  # fmt: skip
        NotificationChannel.objects.filter(pk=channel.pk).update(failing_since=None, last_error="")
        return True
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=None,
        attempts=F("attempts") + 1,
        last_error=error[:300],
        state=Delivery.State.FAILED if final else Delivery.State.PENDING,
        updated_at=now,
    )
    if final:
        NotificationChannel.objects.filter(pk=channel.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        NotificationChannel.objects.filter(pk=channel.pk).update(last_error=error[:300])
        return False
    raise DeliveryError(error, retry_in=webhook_backoff(delivery.attempts + 1))


def notification_email(*, notification_id: int) -> bool:
    """E-mail one in-app notification to its recipient, once (claimed before sending)."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient__user", "recipient__org", "alert__org", "alert__goal",
                                                       "alert__member__user", "alert__supporting_metric").get(pk=notification_id)  # fmt: skip
    user = notification.recipient.user
    if not user.email:
        return False
    org = notification.recipient.org
    language = user.language or org.default_language
    if notification.alert is not None:
        body = alert_text(notification.alert, language=language)
        with translation.override(language):
            subject = _("Stretch alert") + " · " + org.name
    else:
        with translation.override(language):
            subject = _("Stand-up reminder") + " · " + org.name
            link = f"{settings.SITE_URL.rstrip('/')}{reverse('standup', args=[org.slug])}"
            body = _("You have not logged today's stand-up yet. It takes 30 seconds:") + f"\n{link}"
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)  # the task retries
        raise
    return True


# --- Channels (Settings → Integrations) ---------------------------------------------------------
def _check_integrations_admin(*, org: Organization, actor: Membership) -> None:
    if actor.role != "admin" or actor.org_id != org.pk:
        raise ValidationError(_("Only admins configure integrations."))


def _url_errors(url: str) -> list[str]:
    """What is wrong with a webhook address: not a full http(s) address, or one on a private
    network (the same check the sender makes before each delivery)."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
    except ValueError:
        parsed, host = urllib.parse.urlsplit(""), None
    if parsed.scheme not in ("http", "https") or not host or len(url) > 500:
        return [_("Enter the webhook's full http(s) address.")]
    address = channels.blocked_address(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS)
    if not address:
        return []
    if address == host:
        return [_("%(address)s is a private network address: a webhook must call a public address.")
                % {"address": address}]  # fmt: skip
    return [_("%(host)s points to a private network address (%(address)s): a webhook must call a public address.")
            % {"host": host, "address": address}]  # fmt: skip


def channel_save(
    *, org: Organization, actor: Membership, name: str, kind: str, url: str | None, secret: str | None = "",
    team_id: int | None = None, enabled: bool = True, channel: NotificationChannel | None = None,
) -> NotificationChannel:  # fmt: skip
    """Add a webhook, or change `channel`: a `url` or `secret` of None keeps the current one (the
    address carries the platform's token and is never shown again in full). The address must be
    http(s) and, unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on, resolve to public addresses only."""
    _check_integrations_admin(org=org, actor=actor)
    errors: dict[str, list[str]] = {}
    if channel is not None and channel.org_id != org.pk:
        raise ValidationError(_("No such channel in this organisation."))
    if not name.strip():
        errors["name"] = [_("Name the channel.")]
    if kind not in ChannelKind.values:
        errors["kind"] = [_("Choose Feishu, DingTalk, WeCom, Slack or plain JSON.")]
    if url is None and channel is None:
        errors["url"] = [_("Enter the webhook's full http(s) address.")]
    elif url is not None and (url_errors := _url_errors(url.strip())):
        errors["url"] = url_errors
    team = None
    if team_id is not None:
        team = Team.objects.filter(org=org, pk=team_id).first()
        if team is None:
            errors["team"] = [_("No such team in this organisation.")]
    if errors:
        raise ValidationError(errors)
    target = channel or NotificationChannel(org=org)
    target.name, target.kind, target.team, target.enabled = name.strip(), kind, team, enabled
    if url is not None:
        target.url = url.strip()
    if secret is not None:
        target.secret = secret.strip()
    target.full_clean()
    target.save()
    return target


def channel_set_enabled(
    *, channel: NotificationChannel, actor: Membership, enabled: bool
) -> NotificationChannel:
    """Switch a channel on or off. A switched-off channel receives nothing: no new deliveries,
    and the ones still queued for it are not sent."""
    _check_integrations_admin(org=channel.org, actor=actor)
    NotificationChannel.objects.filter(pk=channel.pk).update(enabled=enabled)
    channel.enabled = enabled
    return channel


def channel_delete(*, channel: NotificationChannel, actor: Membership) -> None:
    """Remove a channel and its deliveries."""
    _check_integrations_admin(org=channel.org, actor=actor)
    channel.delete()


def channel_test(*, channel: NotificationChannel, actor: Membership) -> Delivery:
    """Queue a test message to the channel: a real delivery (the last one on the page), posted by
    the same job as alerts, once — its result is shown to the admin who is waiting for it."""
    from tracking.tasks import send_delivery

    _check_integrations_admin(org=channel.org, actor=actor)
    if not channel.enabled:
        raise ValidationError(_("Switch the channel on to send it a test message."))
    org = channel.org
    with translation.override(org.default_language):
        text = "\n".join([
            _("Stretch test message · %(org)s") % {"org": org.name},
            _("%(name)s sent this from Settings → Integrations. Alerts for %(scope)s will arrive here.") % {
                "name": actor.user.get_full_name(), "scope": channel.team.name if channel.team else _("every team")},
        ])  # fmt: skip
    delivery = Delivery.objects.create(
        channel=channel, alert=None, event=f"{Delivery.TEST_PREFIX}{uuid4().hex[:24]}", text=text,
        payload={"event": "test", "organization": org.slug, "channel": channel.name}, max_attempts=1,
    )  # fmt: skip
    transaction.on_commit(partial(send_delivery.delay, delivery_id=delivery.pk))
    return delivery


def delivery_retry(*, delivery: Delivery, actor: Membership) -> Delivery:
    """Send a failed delivery again, once, now (the automatic retries are over)."""
    from tracking.tasks import send_delivery

    _check_integrations_admin(org=delivery.channel.org, actor=actor)
    if not delivery.channel.enabled:
        raise ValidationError(_("Switch the channel on to send to it again."))
    now = timezone.now()
    reopened = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
        state=Delivery.State.PENDING,
        max_attempts=F("attempts") + 1,
        last_error="",
        lease_until=None,
        updated_at=now,
    )
    if not reopened:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    transaction.on_commit(partial(send_delivery.delay, delivery_id=delivery.pk))
    delivery.refresh_from_db()
    return delivery


# --- Reviews --------------------------------------------------------------------------------------
def review_save(
    *, org: Organization, team: Team, actor: Membership, kind: str, start: date, decisions: str
) -> Review:
    """Record the decisions of a weekly review or the lessons of a monthly one (managers)."""
    _check_review(org=org, team=team, actor=actor, kind=kind, start=start)
    limit = Review._meta.get_field("decisions").max_length or 0
    if len(decisions) > limit:
        raise ValidationError({"decisions": [_("At most %(limit)s characters.") % {"limit": limit}]})
    review, _created = Review.objects.update_or_create(
        team=team,
        kind=kind,
        start=start,
        defaults={"org": org, "decisions": decisions.strip(), "updated_by": actor},
    )
    return review


def require_team_change(*, team: Team, actor: Membership) -> None:
    """Refuse (403) unless `actor` changes what belongs to this team: its reviews, its stand-up
    rhythm (an admin, or a manager of the team or of a team above it)."""
    if team.org_id != actor.org_id or not can_manage_team(member=actor, team_id=team.pk):
        raise NotAllowed(
            _("Only an admin, or a manager of “%(team)s” or of a team above it, changes this.")
            % {"team": team.name}
        )


def _check_review(*, org: Organization, team: Team, actor: Membership, kind: str, start: date) -> None:
    require_team_change(team=team, actor=actor)
    if kind not in Review.Kind.values:
        raise ValidationError({"kind": [_("Choose a weekly or a monthly review.")]})
    expected = week_start(start) if kind == Review.Kind.WEEK else start.replace(day=1)
    if start != expected or team.org_id != org.pk or parse_day(start) is None:
        raise ValidationError({"start": [_("A review starts on a Monday (weekly) or the 1st (monthly).")]})


@transaction.atomic
def review_action_add(
    *,
    org: Organization,
    team: Team,
    actor: Membership,
    kind: str,
    start: date,
    goal: Goal | None,
    data: ActionInput,
) -> CorrectiveAction:
    """A corrective action decided at a review, tracked with the others (the review's record is
    created if the decisions have not been written yet)."""
    _check_review(org=org, team=team, actor=actor, kind=kind, start=start)
    if goal is not None and (goal.org_id != org.pk or goal.team_id != team.pk):
        raise ValidationError({"goal": [_("Choose one of this team's goals.")]})
    review, _created = Review.objects.get_or_create(
        team=team, kind=kind, start=start, defaults={"org": org, "updated_by": actor}
    )
    return action_add(org=org, actor=actor, goal=goal, alert=None, data=data, review=review)


# --- Stand-up reminders ---------------------------------------------------------------------------
DEFAULT_STANDUP_TIME = dt_time(10, 0)


def rhythm_save(
    *, team: Team, actor: Membership, standup_time: dt_time, working_days: str, reminders: bool
) -> TeamRhythm:
    require_team_change(team=team, actor=actor)
    days = "".join(sorted(set(working_days)))
    if not days or any(d not in "1234567" for d in days):
        raise ValidationError({"working_days": [_("Choose at least one working day.")]})
    rhythm, _created = TeamRhythm.objects.update_or_create(
        team=team, defaults={"standup_time": standup_time, "working_days": days, "reminders": reminders}
    )
    return rhythm


def preference_save(*, member: Membership, reminder_channel: str) -> TrackingPreference:
    if reminder_channel not in ReminderChannel.values:
        raise ValidationError({"reminder_channel": [_("Choose how to be reminded.")]})
    preference, _created = TrackingPreference.objects.update_or_create(
        membership=member, defaults={"reminder_channel": reminder_channel}
    )
    return preference


def standup_reminders(*, org: Organization, now: Any = None) -> list[int]:
    """Remind the members who have not checked in by their team's stand-up time, on the team's
    working days: one in-app reminder per person and day (unique), and an e-mail for those who
    chose it. Run by beat every quarter of an hour; repeats change nothing."""
    from tracking.tasks import email_notification

    local = timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(org.timezone))
    today = local.date()
    rhythms = {r.team_id: r for r in TeamRhythm.objects.filter(team__org=org)}
    due_teams = []
    for team in Team.objects.filter(org=org).order_by("pk"):
        rhythm = rhythms.get(team.pk)
        by, days, on = (
            (rhythm.standup_time, rhythm.working_days, rhythm.reminders) if rhythm
            else (DEFAULT_STANDUP_TIME, DEFAULT_WORKING_DAYS, True)
        )  # fmt: skip
        if on and str(today.isoweekday()) in days and local.time() >= by:
            due_teams.append(team.pk)
    if not due_teams:
        return []
    checked_in = Standup.objects.filter(org=org, day=today).values("member_id")
    people = list(
        Membership.objects.filter(org=org, is_active=True, role="member", teams__in=due_teams)
        .exclude(pk__in=checked_in)
        .distinct()
        .select_related("tracking_preference")
    )
    key = f"reminder:{today.isoformat()}"
    Notification.objects.bulk_create(
        [Notification(org=org, recipient=p, kind=Notification.Kind.REMINDER, dedupe_key=key) for p in people],
        ignore_conflicts=True,
    )
    wanted_email = [
        p.pk
        for p in people
        if getattr(getattr(p, "tracking_preference", None), "reminder_channel", "") == ReminderChannel.EMAIL
    ]
    to_email = list(
        Notification.objects.filter(
            recipient_id__in=wanted_email, dedupe_key=key, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )

    def send() -> None:
        for notification_id in to_email:
            email_notification.delay(notification_id=notification_id)

    if to_email:
        transaction.on_commit(send)
    return [p.pk for p in people]


# --- File import ----------------------------------------------------------------------------------
IMPORT_COLUMNS = ["goal", "metric", "day", "value", "person", "external_id", "note"]
IMPORT_OPTIONAL = {"metric", "person", "external_id", "note"}
IMPORT_MAX_ROWS = 200_000
IMPORT_CHUNK = 5_000
# The service's field names → the file's columns.
IMPORT_FIELDS = {"goal": "goal", "supporting_metric": "metric", "member": "person", "day": "day", "value": "value",
                 "external_id": "external_id", "note": "note"}  # fmt: skip
ERRORS_KEPT = 500


def _read_values_file(content: bytes, filename: str) -> Rows:
    return read_table(
        content, filename, columns=IMPORT_COLUMNS, optional=IMPORT_OPTIONAL, max_rows=IMPORT_MAX_ROWS
    )


def import_start(*, org: Organization, actor: Membership, filename: str, content: bytes) -> ImportJob:
    """Check the file's shape now (wrong columns are refused at once), then check and store its
    rows in the background."""
    from tracking.tasks import import_values

    if actor.role not in ("admin", "manager", "member"):
        raise ValidationError(_("You cannot enter values."))
    rows = _read_values_file(content, filename)
    if not rows:
        raise ValidationError({"file": [_("The file has no values.")]})
    job = ImportJob.objects.create(
        org=org, created_by=actor, filename=filename[:200], content=content, total=len(rows)
    )
    transaction.on_commit(lambda: import_values.delay(job_id=job.pk))
    return job


def import_run(*, job_id: int) -> ImportJob | None:
    """Check every row (chunk by chunk, saving the progress), then store all of them in one
    transaction — or none, with each bad cell named by row and column."""
    if not ImportJob.objects.filter(pk=job_id, state=ImportJob.State.PENDING).update(
        state=ImportJob.State.RUNNING
    ):
        return ImportJob.objects.filter(pk=job_id).first()  # already run (a duplicated job)
    job = ImportJob.objects.select_related("org", "created_by__user", "created_by__org").get(pk=job_id)
    org, actor = job.org, job.created_by
    rows = _read_values_file(bytes(job.content), job.filename)
    goal_ids = {
        int(r["goal"]) for _n, r in rows if r.get("goal", "").isascii() and r.get("goal", "").isdigit()
    }
    metric_ids = {
        (goal_id, name.lower()): pk
        for goal_id, name, pk in SupportingMetric.objects.filter(
            goal__org=org, goal_id__in=goal_ids
        ).values_list("goal_id", "name", "pk")
    }
    emails = sorted({r.get("person", "").lower() for _n, r in rows if r.get("person")})
    people: dict[str, int] = dict(
        Membership.objects.filter(org=org)
        .annotate(email=Lower("user__email"))
        .filter(email__in=emails)
        .values_list("email", "pk")
    )
    errors: list[dict[str, Any]] = []
    clean: list[CleanEntry] = []
    seen: dict[str, tuple[int, Decimal]] = {}
    for start in range(0, len(rows), IMPORT_CHUNK):
        chunk = rows[start : start + IMPORT_CHUNK]
        inputs = []
        numbers = {}
        for index, (number, row) in enumerate(chunk, start=start + 1):
            numbers[index] = number
            metric_id: Any = None
            if row.get("metric"):
                goal_id = int(row["goal"]) if row.get("goal", "").isdigit() else None
                metric_id = (
                    metric_ids.get((goal_id, row["metric"].lower()), "unknown") if goal_id else "unknown"
                )
            member_id: Any = None
            if row.get("person"):
                member_id = people.get(row["person"].lower(), "unknown")
            inputs.append(EntryInput(
                goal_id=row.get("goal"), value=row.get("value"), day=row.get("day") or "missing",
                supporting_metric_id=metric_id, member_id=member_id, external_id=row.get("external_id", ""),
                note=row.get("note", ""),
            ))  # fmt: skip
        good, bad = entries_validate(org=org, actor=actor, rows=inputs, seen=seen, first_number=start + 1)
        clean.extend(good)
        for index, fields in sorted(bad.items()):
            for field_name, message in fields.items():
                errors.append({"row": numbers[index], "column": IMPORT_FIELDS.get(field_name, field_name),
                               "message": str(message)})  # fmt: skip
        ImportJob.objects.filter(pk=job.pk).update(processed=min(start + IMPORT_CHUNK, len(rows)))
    now = timezone.now()
    if errors:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, errors=errors[:ERRORS_KEPT], error_count=len(errors), finished_at=now,
            content=b"",
        )  # fmt: skip
    else:
        result = _store(org=org, actor=actor, entries=clean, source=Source.IMPORT)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.DONE, created=result.created, updated=result.updated, unchanged=result.unchanged,
            finished_at=now, content=b"",
        )  # fmt: skip
    return ImportJob.objects.get(pk=job.pk)


def values_template_csv() -> bytes:
    """A template for the import: the columns and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS)
    writer.writerow(
        ["3", "", "2026-11-23", "1850", "member@stretch.demo", "crm-2026-11-23-1", "Referral campaign 2"]
    )
    return ("\ufeff" + out.getvalue()).encode()


# --- Alert rules ----------------------------------------------------------------------------------
RULE_LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    RuleKind.LAGGING_BEHIND: (Decimal(1), Decimal(100)),  # % behind the expected pace
    RuleKind.LEADING_BELOW: (Decimal(1), Decimal(12)),  # completed weeks below target, running
    RuleKind.STANDUP_MISSED: (Decimal(1), Decimal(20)),  # working days without a stand-up
}


def rule_save(
    *,
    org: Organization,
    actor: Membership,
    kind: str,
    enabled: bool,
    threshold: Decimal | None,
    escalate_after_days: int,
) -> AlertRule:
    """An organisation's setting for one alert rule (admins)."""
    errors: dict[str, list[str]] = {}
    if actor.role != "admin" or actor.org_id != org.pk:
        errors["__all__"] = [_("Only admins change the alert rules.")]
    if kind not in RuleKind.values:
        raise ValidationError({"kind": [_("No such rule.")]})

    def named(problem: str) -> str:  # the page lists every rule: say which one is refused
        return _("%(rule)s: %(problem)s") % {"rule": RuleKind(kind).label, "problem": problem}

    default_threshold, _days = selectors.RULE_DEFAULTS.get(kind, (Decimal(0), 3))
    limits = RULE_LIMITS.get(kind)
    value = default_threshold if threshold is None or limits is None else threshold
    if limits is not None and (not value.is_finite() or not limits[0] <= value <= limits[1]):
        errors["threshold"] = [
            named(_("Between %(low)s and %(high)s.") % {"low": limits[0], "high": limits[1]})
        ]
    elif limits is not None and kind != RuleKind.LAGGING_BEHIND and value != value.to_integral_value():
        errors["threshold"] = [named(_("A whole number."))]
    elif limits is not None and value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["threshold"] = [named(_("Use at most 2 decimal places."))]
    if not 1 <= escalate_after_days <= 60:
        errors["escalate_after_days"] = [named(_("Between %(low)s and %(high)s.") % {"low": 1, "high": 60})]
    if errors:
        raise ValidationError(errors)
    rule, _created = AlertRule.objects.update_or_create(
        org=org, kind=kind,
        defaults={"enabled": enabled, "threshold": value, "escalate_after_days": escalate_after_days},
    )  # fmt: skip
    return rule


def recompute_on_target_change(sender: Any, *, goal: Goal, since: date | None, **kwargs: Any) -> None:
    """A goal's targets (an approved revision) or status changed: its indicators and alerts follow
    after the change commits, from the date it applies."""
    schedule_recompute(org=goal.org, goal_ids=[goal.pk], since=since)


def import_failed(*, job_id: int) -> None:
    """An import that crashed is marked failed (the page stops waiting); nothing was stored."""
    ImportJob.objects.filter(pk=job_id).exclude(state=ImportJob.State.DONE).update(
        state=ImportJob.State.FAILED, finished_at=timezone.now(), content=b"",
        errors=[{"row": 0, "column": "", "message": _("The import stopped unexpectedly; nothing was imported. Try again.")}],
        error_count=1,
    )  # fmt: skip
