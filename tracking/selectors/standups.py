"""Stand-ups: the goals a member reports on, the day's board, blockers resolved, the rhythm."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from goals.models import Goal, Scope, Status
from teams.models import Membership, Organization, Team

from ..models import (
    MetricEntry,
    Standup,
    TeamRhythm,
    TrackingPreference,
)

# How many goals a stand-up form offers values for (the ones a member contributes to).
STANDUP_GOAL_LIMIT = 12


def contributing_goals(*, member: Membership, limit: int = STANDUP_GOAL_LIMIT) -> list[Goal]:
    """Active goals the member works on: their own, and their teams' — with supporting metrics."""
    teams = member.teams.values("pk")
    qs = (
        Goal.objects.filter(org_id=member.org_id, status=Status.ACTIVE)
        .filter(Q(owner=member) | Q(team__in=teams, scope__in=(Scope.TEAM, Scope.STRATEGY)))
        .prefetch_related("supporting_metrics")
        .order_by("scope", "end_date", "title")
        .distinct()
    )
    return list(qs[:limit])


def standup_get(*, member: Membership, day: date) -> Standup | None:
    return Standup.objects.filter(member=member, day=day).prefetch_related("entries").first()


def standup_list(
    *,
    org: Organization,
    team: Team | None = None,
    member: Membership | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Standup]:
    qs = Standup.objects.filter(org=org).select_related("member__user").order_by("-day", "member_id")
    if team is not None:
        qs = qs.filter(member__teams=team)
    if member is not None:
        qs = qs.filter(member=member)
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs


def standup_get_in_org(*, org: Organization, standup_id: int) -> Standup:
    """The one way to fetch a stand-up by id: 404 when missing or another organisation's."""
    try:
        return Standup.objects.select_related("member__user", "org").get(org=org, pk=standup_id)
    except Standup.DoesNotExist:
        raise Http404("No stand-up found.") from None


def blockers_resolved(
    *, org: Organization, member_ids: list[int], since: datetime, until: datetime
) -> dict[int, int]:
    """{person id: stand-up blockers of others they resolved in [since, until)}, in one query."""
    rows = (
        Standup.objects.filter(
            org=org,
            blocker_resolved_by_id__in=member_ids,
            blocker_resolved_at__gte=since,
            blocker_resolved_at__lt=until,
        )  # fmt: skip
        .exclude(member_id=F("blocker_resolved_by_id"))
        .values_list("blocker_resolved_by_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def unresolved_blockers(*, org: Organization, member: Membership) -> list[Standup]:
    """A person's stand-ups whose blockers nobody has marked resolved yet, newest first."""
    return list(
        Standup.objects.filter(org=org, member=member, blocker_resolved_by__isnull=True)
        .exclude(blockers="")
        .order_by("-day")
    )


def recent_blockers(*, org: Organization, member: Membership, since: date) -> list[Standup]:
    """A person's stand-ups with blockers since a day (resolved or not), newest first."""
    return list(
        Standup.objects.filter(org=org, member=member, day__gte=since)
        .exclude(blockers="")
        .select_related("blocker_resolved_by__user")
        .order_by("-day")
    )


def standup_days(*, org: Organization, member_ids: list[int], since: date) -> dict[int, list[date]]:
    """{person id: the days they logged a stand-up since a day, oldest first}, in one query."""
    days: dict[int, list[date]] = defaultdict(list)
    for member_id, day in (
        Standup.objects.filter(org=org, member_id__in=member_ids, day__gte=since)
        .order_by("day")
        .values_list("member_id", "day")
    ):
        days[member_id].append(day)
    return dict(days)


def mood_by_week(*, org: Organization, member_ids: list[int], since: date) -> dict[date, tuple[Decimal, int]]:
    """{Monday: (mean stand-up mood, stand-ups with a mood)} of these people since a day, in one
    query: the stand-up mood trend."""
    weeks: dict[date, list[int]] = defaultdict(list)
    for day, mood in Standup.objects.filter(
        org=org, member_id__in=member_ids, day__gte=since, mood__isnull=False
    ).values_list("day", "mood"):
        if mood is not None:
            weeks[day - timedelta(days=day.weekday())].append(mood)
    return {
        monday: ((Decimal(sum(moods)) / len(moods)).quantize(Decimal("0.1")), len(moods))
        for monday, moods in sorted(weeks.items())
    }


@dataclass
class BoardRow:
    member: Membership
    standup: Standup | None
    values: list[MetricEntry] = field(default_factory=list)


@dataclass
class TeamBoard:
    team: Team
    day: date
    rows: list[BoardRow]
    entries: list[MetricEntry]

    @property
    def checked_in(self) -> int:
        return sum(1 for r in self.rows if r.standup is not None)

    @property
    def blockers(self) -> list[BoardRow]:
        return [r for r in self.rows if r.standup is not None and r.standup.has_blockers]


def team_board(*, org: Organization, team: Team, day: date) -> TeamBoard:
    """Who has checked in on a day, their blockers, and the day's values for the team's goals
    (a fixed number of queries whatever the team's size)."""
    members = list(
        Membership.objects.filter(org=org, teams=team, is_active=True)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )
    standups = {
        s.member_id: s
        for s in Standup.objects.filter(org=org, day=day, member__in=[m.pk for m in members]).select_related(
            "blocker_resolved_by__user"
        )
    }
    entries = list(
        MetricEntry.objects.filter(org=org, day=day, goal__team=team)
        .select_related("goal", "supporting_metric", "member__user")
        .order_by("goal__title", "supporting_metric__position", "id")
    )
    by_member: dict[int, list[MetricEntry]] = defaultdict(list)
    for entry in entries:
        if entry.member_id is not None:
            by_member[entry.member_id].append(entry)
    rows = [BoardRow(member=m, standup=standups.get(m.pk), values=by_member.get(m.pk, [])) for m in members]
    return TeamBoard(team=team, day=day, rows=rows, entries=entries)


def team_rhythm(*, team: Team) -> TeamRhythm:
    """The team's stand-up rhythm (the defaults, unsaved, when none is set)."""
    return TeamRhythm.objects.filter(team=team).first() or TeamRhythm(team=team)


def reminder_channel(*, member: Membership) -> str:
    preference = TrackingPreference.objects.filter(membership=member).first()
    return preference.reminder_channel if preference else "in_app"
