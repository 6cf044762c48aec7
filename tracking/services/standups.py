"""Stand-ups (每日站会), with the values logged in them, and the blockers a teammate resolves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import Membership
from teams.selectors import org_today
from teams.sync import record_deletions
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
        standup, _created = Standup.objects.select_for_update().update_or_create(
            member=member,
            day=data.day,
            defaults={
                "org": member.org, "yesterday": data.yesterday.strip(), "today": data.today.strip(),
                "blockers": data.blockers.strip(), "mood": data.mood,
            },
        )  # fmt: skip
        standup.full_clean()
        old = list(MetricEntry.objects.filter(standup=standup).values_list("pk", "goal_id"))
        old_goals = {goal_id for _pk, goal_id in old}
        MetricEntry.objects.filter(standup=standup).delete()
        record_deletions(org_id=member.org_id, resource="metric-entries", ids=[pk for pk, _goal in old])
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
            # The burn-up charts read the values themselves: no wait for the recompute.
            dashboards_invalidate(
                org_id=member.org_id, team_ids={e.goal.team_id for e in clean if e.goal.team_id}
            )
    return standup


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
