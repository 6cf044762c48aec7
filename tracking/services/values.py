"""Metric values: one, or thousands at once and idempotently (a row with an external id that is
already stored updates it), and the checks every value goes through — also the values of a
stand-up and of an imported file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Goal, Status, SupportingMetric
from goals.selectors import can_change_goal
from teams.errors import NotAllowed
from teams.models import Membership, Organization
from teams.page_forms import parse_day
from teams.selectors import org_today
from teams.sync import data_changed, record_deletions, writes_for
from tracking import selectors
from tracking.dashboard_cache import dashboards_invalidate
from tracking.models import MetricEntry, Source

from .indicators import schedule_recompute

MAX_ABS_VALUE = Decimal("1e13")


def bulk_limit() -> int:
    return int(settings.TRACKING_BULK_LIMIT)


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
        elif not (counts_for := selectors.can_attribute_value(member=lookups.actor, person=member)):
            errors["member"] = counts_for.reason
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
    with transaction.atomic(), writes_for(org.pk):  # an import job's writes move this org's ETags only
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
                # updated_at too: a replaced value is a change an incremental sync must see.
                update_fields=[
                    "goal",
                    "supporting_metric",
                    "day",
                    "value",
                    "member",
                    "note",
                    "source",
                    "updated_at",
                ],
            )
        if objects:  # bulk writes send no post_save: move the data version (every ETag) on ourselves
            data_changed(org_id=org.pk)
        result.goal_ids = sorted(touched)
        if touched:
            schedule_recompute(org=org, goal_ids=result.goal_ids, since=since)
            # The burn-up charts read the values themselves: no wait for the recompute.
            dashboards_invalidate(org_id=org.pk, team_ids={e.goal.team_id for e in entries if e.goal.team_id})
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
    selectors.can_enter_values(member=actor, goal=goal).require()


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
        entry_id = entry.pk
        entry.delete()
        record_deletions(org_id=org.pk, resource="metric-entries", ids=[entry_id])
        schedule_recompute(org=org, goal_ids=[goal_id], since=day)
        dashboards_invalidate(org_id=org.pk, team_ids=[entry.goal.team_id] if entry.goal.team_id else [])
