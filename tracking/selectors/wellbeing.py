"""Reads the people app needs about load and small wins, published through
`tracking.selectors.results`: blockers people resolved for a colleague, the teams' working days,
the days people logged values, their open alerts and overdue corrective actions. Each is one query
whatever the number of people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Q

from teams.models import Organization

from ..models import ActionState, Alert, AlertState, CorrectiveAction, MetricEntry, Standup, TeamRhythm

DEFAULT_WORKING_DAYS = "12345"  # Monday to Friday (ISO weekdays), TeamRhythm's default


@dataclass(frozen=True)
class ResolvedBlocker:
    standup_id: int
    day: date  # the stand-up's day
    member_id: int  # whose blocker it was
    resolved_by_id: int  # the colleague who resolved it
    resolved_at: datetime


def resolved_blockers(*, org: Organization, since: datetime, limit: int = 500) -> list[ResolvedBlocker]:
    """Stand-up blockers resolved by someone other than their author since a moment, oldest first
    (one query): a small win of the colleague who helped."""
    rows = (
        Standup.objects.filter(org=org, blocker_resolved_at__gte=since, blocker_resolved_by__isnull=False)
        .exclude(member_id=F("blocker_resolved_by_id"))
        .order_by("blocker_resolved_at", "pk")
        .values_list("pk", "day", "member_id", "blocker_resolved_by_id", "blocker_resolved_at")[:limit]
    )
    return [ResolvedBlocker(standup_id=pk, day=day, member_id=member_id, resolved_by_id=by, resolved_at=at)
            for pk, day, member_id, by, at in rows if by is not None and at is not None]  # fmt: skip


def working_days(*, team_ids: Iterable[int]) -> dict[int, str]:
    """{team id: its working days as ISO weekday digits ("12345" = Monday to Friday)}: the team's
    stand-up rhythm, the default for a team without one (one query)."""
    ids = list(team_ids)
    found = dict(TeamRhythm.objects.filter(team_id__in=ids).values_list("team_id", "working_days"))
    return {pk: found.get(pk) or DEFAULT_WORKING_DAYS for pk in ids}


def value_days(*, org: Organization, member_ids: list[int], since: date) -> dict[int, set[date]]:
    """{person id: the days values were logged for them since a day} (one query)."""
    days: dict[int, set[date]] = defaultdict(set)
    for member_id, day in (
        MetricEntry.objects.filter(org=org, member_id__in=member_ids, day__gte=since)
        .values_list("member_id", "day")
        .distinct()
    ):
        days[member_id].add(day)
    return dict(days)


def open_alert_counts(*, org: Organization, member_ids: list[int]) -> dict[int, int]:
    """{person id: open alerts on the goals they own or about them} (one query)."""
    counts: dict[int, int] = defaultdict(int)
    for goal_owner, member_id in (
        Alert.objects.filter(org=org)
        .exclude(state=AlertState.RESOLVED)
        .filter(Q(goal__owner_id__in=member_ids) | Q(member_id__in=member_ids))
        .values_list("goal__owner_id", "member_id")[:5000]
    ):
        person = member_id if member_id in member_ids else goal_owner
        if person is not None:
            counts[person] += 1
    return dict(counts)


def overdue_corrective_actions(*, org: Organization, member_ids: list[int], today: date) -> dict[int, int]:
    """{person id: their open corrective actions past their due date} (one query)."""
    rows = (
        CorrectiveAction.objects.filter(org=org, owner_id__in=member_ids, due_date__lt=today)
        .exclude(state=ActionState.DONE)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def standup_log(
    *, org: Organization, member_ids: list[int], since: date
) -> dict[int, list[tuple[date, int | None]]]:
    """{person id: [(day, mood or None)] of their stand-ups since a day, oldest first} (one query):
    the days they checked in and the mood they gave, for many people at once."""
    log: dict[int, list[tuple[date, int | None]]] = defaultdict(list)
    for member_id, day, mood in (
        Standup.objects.filter(org=org, member_id__in=member_ids, day__gte=since)
        .order_by("day", "pk")
        .values_list("member_id", "day", "mood")
    ):
        log[member_id].append((day, mood))
    return dict(log)
