"""Stand-ups (每日站会), with the values logged in them, and the blockers a teammate resolves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.selectors import org_today
from teams.sync import data_changed, record_deletions
from tracking import selectors
from tracking.dashboard_cache import dashboards_invalidate
from tracking.models import MetricEntry, Mood, Source, Standup

from ._common import TEXT_LIMIT
from .indicators import schedule_recompute
from .values import CleanEntry, EntryInput, _clean, _Lookups

STANDUP_BACKFILL_DAYS = 7


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
        standup, created = _lock_or_create(member=member, day=data.day, fields={
            "yesterday": data.yesterday.strip(), "today": data.today.strip(), "blockers": data.blockers.strip(),
            "mood": data.mood,
        })  # fmt: skip
        standup.member = member  # the response names the person: no query for them
        entries, touched_teams = _replace_values(standup=standup, member=member, clean=clean, created=created)
        if touched_teams is not None:
            schedule_recompute(org=member.org, goal_ids=sorted(touched_teams), since=data.day)
            # The burn-up charts read the values themselves: no wait for the recompute.
            dashboards_invalidate(org_id=member.org_id, team_ids={t for t in touched_teams.values() if t})
    _carry_entries(standup, entries)
    return standup


def _carry_entries(standup: Standup, entries: list[MetricEntry]) -> None:
    """Hand the stand-up its values as prefetch_related("entries") would (in the model's order):
    `standup.entries.all()` — the API's answer — reads them without a query."""
    prefetched = MetricEntry.objects.filter(standup=standup)
    prefetched._result_cache = sorted(entries, key=lambda e: (e.day, e.pk), reverse=True)
    prefetched._prefetch_done = True  # type: ignore[attr-defined]
    standup._prefetched_objects_cache = {"entries": prefetched}  # type: ignore[attr-defined]


def _lock_or_create(*, member: Membership, day: date, fields: dict[str, object]) -> tuple[Standup, bool]:
    """The member's stand-up of the day, locked and updated with `fields`, or created with them:
    (stand-up, created). The update — the usual case, a stand-up edited during the day — is one
    locked read and one UPDATE of the changed columns. Two first posts at once: the second finds
    the first's row (the unique constraint) and updates it."""
    standup = Standup.objects.select_for_update().filter(member=member, day=day).order_by().first()
    created = standup is None
    if standup is None:
        standup = Standup(org=member.org, member=member, day=day, **fields)
        # The organisation and person are the caller's own membership, and one stand-up per person
        # and day is the constraint's (created below, or updated under the row lock): no query
        # checks them again.
        standup.full_clean(exclude=["org", "member", "blocker_resolved_by"])
        try:
            with transaction.atomic():
                standup.save(force_insert=True)
            return standup, True
        except IntegrityError:  # posted twice at once: the other request created it meanwhile
            standup = Standup.objects.select_for_update().filter(member=member, day=day).order_by().first()
            if standup is None:
                raise
    for name, value in fields.items():
        setattr(standup, name, value)
    standup.full_clean(exclude=["org", "member", "blocker_resolved_by"])
    standup.save(update_fields=[*fields, "updated_at"])
    return standup, created


def _replace_values(
    *, standup: Standup, member: Membership, clean: list[CleanEntry], created: bool
) -> tuple[list[MetricEntry], dict[int, int | None] | None]:
    """Make the stand-up's values the `clean` ones: a value of the same goal (and supporting
    metric) as one already stored updates it in place (same id, its updated_at moved for
    ?updated_since=; left alone when equal), a new one is inserted, and only the values no longer
    sent are deleted, with their tombstones. Returns the values now stored, and {goal id: team id}
    of the goals whose values changed (None when none did: nothing to recompute)."""
    old: dict[tuple[int, int | None], list[MetricEntry]] = {}
    if not created:
        for entry in (
            MetricEntry.objects.filter(standup=standup)
            .select_related("goal")
            .only("pk", "goal_id", "supporting_metric_id", "day", "value", "standup_id", "goal__team_id")
            .order_by("pk")
        ):
            old.setdefault((entry.goal_id, entry.supporting_metric_id), []).append(entry)
    kept: list[MetricEntry] = []
    changed: list[MetricEntry] = []
    added: list[MetricEntry] = []
    touched: dict[int, int | None] = {}
    now = timezone.now()
    for e in clean:
        metric_id = e.supporting_metric.pk if e.supporting_metric else None
        value = abs(e.value) if e.value == 0 else e.value  # as stored: no "-0"
        same_key = old.get((e.goal.pk, metric_id))
        if same_key:
            entry = same_key.pop(0)
            if entry.value != value or entry.day != e.day:
                entry.value, entry.day, entry.updated_at = value, e.day, now
                changed.append(entry)
                touched[entry.goal_id] = e.goal.team_id
            kept.append(entry)
            continue
        added.append(
            MetricEntry(
                org=member.org, goal=e.goal, supporting_metric=e.supporting_metric, day=e.day, value=value,
                member=member, source=Source.STANDUP, standup=standup, created_by=member.user,
            )
        )  # fmt: skip
        touched[e.goal.pk] = e.goal.team_id
    removed = [entry for rest in old.values() for entry in rest]
    if changed:
        MetricEntry.objects.bulk_update(changed, ["value", "day", "updated_at"])
    if added:
        MetricEntry.objects.bulk_create(added)
    if removed:
        MetricEntry.objects.filter(pk__in=[e.pk for e in removed]).delete()
        record_deletions(org_id=member.org_id, resource="metric-entries", ids=[e.pk for e in removed])
        touched.update((e.goal_id, e.goal.team_id) for e in removed)
    if changed or added:  # bulk writes send no post_save: move the data version ourselves
        data_changed(org_id=member.org_id)
    return kept + added, (touched or None)


@transaction.atomic
def standup_blocker_resolve(*, standup: Standup, actor: Membership) -> Standup:
    """A teammate says they cleared the stand-up's blockers (selectors.can_resolve_blocker);
    recorded once, so help given to others counts (月度之星)."""
    verdict = selectors.can_resolve_blocker(member=actor, standup=standup)
    if not verdict:
        raise ValidationError({verdict.field: [verdict.reason]})
    locked = Standup.objects.select_for_update().get(pk=standup.pk)
    if locked.blocker_resolved_by_id is not None:
        raise ValidationError({"blockers": [_("This blocker has already been resolved.")]})
    locked.blocker_resolved_by, locked.blocker_resolved_at = actor, timezone.now()
    locked.full_clean()
    locked.save(update_fields=["blocker_resolved_by", "blocker_resolved_at", "updated_at"])
    return locked
