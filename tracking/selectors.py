"""Every read of the tracking app, always scoped to an organisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, pgettext

from goals.models import Goal, Scope, Status, SupportingMetric, TargetVersion
from goals.periods import month_span
from goals.progress import Attainment, Measure, attainment, goal_attainment
from goals.selectors import can_change_goal, changeable_goal_ids
from goals.selectors import goal_get as goal_get  # the one way to fetch a goal (404 otherwise)
from teams.access import MANAGERS
from teams.models import Membership, Organization, Role, Team
from teams.selectors import can_manage_team, managed_team_ids, member_team_ids
from teams.selectors import team_get as team_get  # the one way to fetch a team (404 otherwise)

from .models import (
    Alert,
    AlertRule,
    CorrectiveAction,
    Delivery,
    ImportJob,
    IndicatorKind,
    IndicatorSnapshot,
    IndicatorStatus,
    MetricEntry,
    Notification,
    NotificationChannel,
    Review,
    RuleKind,
    Standup,
    TeamRhythm,
    TrackingPreference,
)

# How many goals a stand-up form offers values for (the ones a member contributes to).
STANDUP_GOAL_LIMIT = 12
MANAGING_ROLES = MANAGERS  # admins and managers


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


# --- Who changes what in tracking (the team rule: goals.selectors.can_change_goal) ---------------
# The people a value can be attributed to, and who can own a corrective action: those who do the
# work. Admins, HR and viewers are never chosen (the pickers list exactly these roles).
WORKER_ROLES = (Role.MANAGER, Role.MEMBER)
VALUE_ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER)  # who enters values at all


def can_enter_values(*, member: Membership, goal: Goal) -> bool:
    """Admins for every goal; managers and members for goals they own and their teams' goals;
    managers also for the goals they change (the teams they manage and below)."""
    if goal.org_id != member.org_id or not member.is_active or member.role not in VALUE_ROLES:
        return False
    if member.role == Role.ADMIN or goal.owner_id == member.pk:
        return True
    if goal.team_id is not None and goal.team_id in member_team_ids(member=member):
        return True
    return bool(can_change_goal(member=member, goal=goal))


def enterable_goal_ids(*, member: Membership, goals: list[Goal]) -> set[int]:
    """`can_enter_values` for many goals at once (a bulk push, a file), in a fixed number of queries."""
    if not member.is_active or member.role not in VALUE_ROLES:
        return set()
    own = member_team_ids(member=member)
    mine = {
        g.pk
        for g in goals
        if g.org_id == member.org_id
        and (
            member.role == Role.ADMIN
            or g.owner_id == member.pk
            or (g.team_id is not None and g.team_id in own)
        )
    }
    rest = [g for g in goals if g.pk not in mine]
    return mine | (changeable_goal_ids(member=member, goals=rest) if rest else set())


def may_attribute_value(*, actor: Membership, person: Membership) -> bool:
    """A value may name the person it counts for: someone who does the work (a manager or a
    member), active in the organisation — oneself, or anyone for an admin or a manager."""
    if person.org_id != actor.org_id or not person.is_active or person.role not in WORKER_ROLES:
        return False
    return person.pk == actor.pk or actor.role in MANAGING_ROLES


def value_people(*, actor: Membership) -> QuerySet[Membership]:
    """The people the value form offers (may_attribute_value), by name."""
    people = Membership.objects.filter(org_id=actor.org_id, is_active=True, role__in=WORKER_ROLES)
    if actor.role not in MANAGING_ROLES:
        people = people.filter(pk=actor.pk)
    return people.select_related("user").order_by("user__display_name")


def may_own_action(*, org: Organization, person: Membership) -> bool:
    """A corrective action is owned by someone who does the work, active in the organisation."""
    return person.org_id == org.pk and person.is_active and person.role in WORKER_ROLES


def action_owners(*, org: Organization) -> QuerySet[Membership]:
    """The people the corrective-action forms offer as owners (may_own_action), by name."""
    return (
        Membership.objects.filter(org=org, is_active=True, role__in=WORKER_ROLES)
        .select_related("user")
        .order_by("user__display_name")
    )


def deletable_entry_ids(*, member: Membership, goal: Goal, entries: list[MetricEntry]) -> set[int]:
    """The values of one goal that `member` may delete: their own (entered by them or counting for
    them), or any value of a goal they change — never a stand-up's values (edit the stand-up)."""
    if not can_enter_values(member=member, goal=goal):
        return set()
    any_value = can_change_goal(member=member, goal=goal)
    return {
        e.pk
        for e in entries
        if e.standup_id is None
        and (any_value or e.created_by_id == member.user_id or e.member_id == member.pk)
    }


def can_act_on(*, alert: Alert, member: Membership) -> bool:
    """Who acknowledges or resolves an alert: admins; the goal's owner; the person whose missed
    stand-ups it is about; a manager whose reach covers it (the goal's team, the alert's team or
    the person's teams)."""
    if member.org_id != alert.org_id or not member.is_active:
        return False
    if member.role == Role.ADMIN:
        return True
    if member.role not in (Role.MANAGER, Role.MEMBER):
        return False
    if (alert.goal is not None and alert.goal.owner_id == member.pk) or alert.member_id == member.pk:
        return True
    if member.role != Role.MANAGER:
        return False
    if alert.goal is not None:
        return bool(can_change_goal(member=member, goal=alert.goal))
    managed = managed_team_ids(member=member)
    if alert.team_id is not None and alert.team_id in managed:
        return True
    return alert.member is not None and bool(member_team_ids(member=alert.member) & managed)


def can_update_action(*, action: CorrectiveAction, member: Membership) -> bool:
    """A corrective action is marked done (and whether it worked) by its owner, and by whoever may
    act on what it corrects: its alert, its goal, or its review's team."""
    if member.org_id != action.org_id or not member.is_active:
        return False
    if action.owner_id == member.pk or member.role == Role.ADMIN:
        return True
    if action.alert is not None:
        return can_act_on(alert=action.alert, member=member)
    if action.goal is not None:
        return member.role == Role.MANAGER and bool(can_change_goal(member=member, goal=action.goal))
    return action.review is not None and can_manage_team(member=member, team_id=action.review.team_id)


def updatable_action_ids(*, member: Membership, alert: Alert, actions: list[CorrectiveAction]) -> set[int]:
    """Of one alert's actions, those `member` marks done (can_update_action, deciding the alert once)."""
    if can_act_on(alert=alert, member=member):
        return {a.pk for a in actions}
    return {a.pk for a in actions if a.owner_id == member.pk}


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


def entry_list(
    *,
    org: Organization,
    goal: Goal | None = None,
    supporting_metric: SupportingMetric | None = None,
    member: Membership | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[MetricEntry]:
    qs = MetricEntry.objects.filter(org=org).select_related("goal", "supporting_metric", "member__user")
    if goal is not None:
        qs = qs.filter(goal=goal)
    if supporting_metric is not None:
        qs = qs.filter(supporting_metric=supporting_metric)
    if member is not None:
        qs = qs.filter(member=member)
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs.order_by("-day", "-id")


def daily_totals(
    *,
    goal_ids: list[int],
    until: date,
    averaged: set[tuple[int, int]] | None = None,
    since: date | None = None,
) -> dict[tuple[int, int], dict[date, Decimal]]:
    """{(goal id, supporting metric id or 0): {day: that day's value}}, from each goal's start (or
    `since`, when later) to `until`, in one aggregate query. A day's value is the sum of its values (new users, deals), or
    their mean for the series in `averaged` (rates such as a collection rate, where two people
    reporting 90 % mean 90 %, not 180 %)."""
    rows = (
        MetricEntry.objects.filter(goal_id__in=goal_ids, day__lte=until, day__gte=F("goal__start_date"))
        .filter(**({"day__gte": since} if since else {}))
        .values_list("goal_id", "supporting_metric_id", "day")
        .annotate(total=Sum("value"), mean=Avg("value"))
        .order_by()
    )
    averaged = averaged or set()
    series: dict[tuple[int, int], dict[date, Decimal]] = defaultdict(dict)
    for goal_id, metric_id, day, total, mean in rows:
        key = (goal_id, metric_id or 0)
        series[key][day] = Decimal(mean).quantize(Decimal("0.0001")) if key in averaged else total
    return series


def averaged_series(goals: list[Goal]) -> set[tuple[int, int]]:
    """The series whose daily values are means: average goals and risk metrics (rates)."""
    keys = {(g.pk, 0) for g in goals if g.aggregation == "average"}
    for goal in goals:
        keys |= {(goal.pk, m.pk) for m in goal.supporting_metrics.all() if m.kind == "risk"}
    return keys


def snapshot_list(
    *,
    org: Organization,
    goal: Goal | None = None,
    kind: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[IndicatorSnapshot]:
    qs = IndicatorSnapshot.objects.filter(org=org).select_related("goal", "supporting_metric")
    if goal is not None:
        qs = qs.filter(goal=goal)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs.order_by("goal_id", "metric_key", "day")


def newest_snapshot_day(*, on_or_before: date | None = None) -> Subquery:
    """For a snapshot query: the day of the newest snapshot of the same goal and metric (on or
    before a day), so `.filter(day=newest_snapshot_day())` keeps each series' newest row."""
    qs = IndicatorSnapshot.objects.filter(goal_id=OuterRef("goal_id"), metric_key=OuterRef("metric_key"))
    if on_or_before is not None:
        qs = qs.filter(day__lte=on_or_before)
    return Subquery(qs.order_by("-day").values("day")[:1])


def latest_snapshots(*, org: Organization, goal_ids: list[int]) -> dict[tuple[int, int], IndicatorSnapshot]:
    """The most recent snapshot of each goal and supporting metric, in one query."""
    qs = (
        IndicatorSnapshot.objects.filter(org=org, goal_id__in=goal_ids, day=newest_snapshot_day())
        .select_related("supporting_metric")
        .order_by("goal_id", "metric_key")
    )
    return {(s.goal_id, s.metric_key): s for s in qs}


def _versions_of(goals: list[Goal]) -> dict[int, list[TargetVersion]]:
    """Each goal's target versions, oldest first: from the prefetch when the goals carry one,
    else one query for all of them."""
    if all("versions" in getattr(g, "_prefetched_objects_cache", {}) for g in goals):
        return {g.pk: sorted(g.versions.all(), key=lambda v: v.number) for g in goals}
    found: dict[int, list[TargetVersion]] = defaultdict(list)
    for version in TargetVersion.objects.filter(goal_id__in=[g.pk for g in goals]).order_by("number"):
        found[version.goal_id].append(version)
    return found


def _in_force(versions: list[TargetVersion], day: date) -> TargetVersion | None:
    """The newest approved version effective on the day (the first one before the period)."""
    current = versions[0] if versions else None
    for version in versions:
        if version.effective_from <= day:
            current = version
    return current


def latest_measures(goals: list[Goal]) -> dict[int, Measure]:
    """Measure provider for `goals.progress`: each open goal's newest lagging snapshot, with its
    attainment computed against the challenge target in force on the snapshot's day (so an approved
    revision counts even before the recompute it triggers has run), its status and why."""
    open_goals = [g for g in goals if g.is_open]
    if not open_goals:
        return {}
    snapshots = list(
        IndicatorSnapshot.objects.filter(
            goal_id__in=[g.pk for g in open_goals], metric_key=0, kind=IndicatorKind.LAGGING,
            day=newest_snapshot_day(),
        )
    )  # fmt: skip
    by_id = {g.pk: g for g in open_goals}
    versions = _versions_of(open_goals)
    measures: dict[int, Measure] = {}
    for snapshot in snapshots:
        goal = by_id[snapshot.goal_id]
        version = _in_force(versions.get(goal.pk, []), snapshot.day)
        target = version.challenge if version is not None else snapshot.target
        value = snapshot.attainment
        if snapshot.actual is not None and target is not None:
            value = attainment(actual=snapshot.actual, target=target, direction=goal.direction)
        measures[goal.pk] = Measure(
            attainment=value, status=snapshot.status, status_label=str(snapshot.get_status_display()),
            reason=snapshot.status_reason, target=target, version=version.number if version else None,
            day=snapshot.day,
        )  # fmt: skip
    return measures


def latest_attainment(goals: list[Goal]) -> dict[int, Decimal]:
    """Attainment of the challenge target in force from the newest lagging snapshot of each open goal."""
    return {pk: m.attainment for pk, m in latest_measures(goals).items() if m.attainment is not None}


def last_entry_day(*, org: Organization) -> date | None:
    return MetricEntry.objects.filter(org=org).aggregate(last=Max("day"))["last"]


@dataclass
class IndicatorRow:
    goal: Goal
    lagging: IndicatorSnapshot | None
    supporting: list[IndicatorSnapshot]
    progress: Attainment | None = None  # against the targets in force, or rolled up from sub-goals

    @property
    def has_own_status(self) -> bool:
        return self.lagging is not None and self.lagging.status != IndicatorStatus.NO_DATA


def indicator_overview(
    *, org: Organization, team: Team | None = None, limit: int = 500
) -> list[IndicatorRow]:
    """Active goals with their newest lagging, leading and risk snapshots, and their progress as
    the goals app shows it (rolled up for goals without values of their own): a fixed number of
    queries."""
    qs = Goal.objects.filter(org=org, status=Status.ACTIVE).select_related("team", "owner__user")
    if team is not None:
        qs = qs.filter(team=team)
    goals = list(qs.order_by("team__name", "end_date", "title")[:limit])
    newest = latest_snapshots(org=org, goal_ids=[g.pk for g in goals])
    progress = goal_attainment(org=org, goals=goals)
    rows = []
    for goal in goals:
        supporting = sorted(
            (s for (goal_id, key), s in newest.items() if goal_id == goal.pk and key != 0),
            key=lambda s: (s.kind, s.metric_key),
        )
        rows.append(IndicatorRow(goal=goal, lagging=newest.get((goal.pk, 0)), supporting=supporting,
                                 progress=progress.get(goal.pk)))  # fmt: skip
    return rows


def entry_get(*, org: Organization, entry_id: int) -> MetricEntry:
    try:
        return MetricEntry.objects.select_related("goal", "goal__org").get(org=org, pk=entry_id)
    except MetricEntry.DoesNotExist:
        raise Http404("No value found.") from None


def member_teams(*, member: Membership) -> list[Team]:
    return list(member.teams.order_by("name"))


def org_teams(*, org: Organization) -> list[Team]:
    return list(Team.objects.filter(org=org).order_by("name"))


# --- Alerts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSetting:
    kind: str
    enabled: bool
    threshold: Decimal
    escalate_after_days: int


RULE_DEFAULTS: dict[str, tuple[Decimal, int]] = {
    # kind: (threshold, escalate after days). Lagging: % behind expected (the article's 10 %);
    # leading: completed weeks below target running; stand-ups: working days missed running.
    "lagging_behind": (Decimal(10), 3),
    "leading_below": (Decimal(2), 3),
    "risk_breached": (Decimal(0), 2),
    "standup_missed": (Decimal(3), 3),
    "plan_slip": (Decimal(0), 3),
}


def rule_settings(*, org: Organization) -> dict[str, RuleSetting]:
    saved = {r.kind: r for r in AlertRule.objects.filter(org=org)}
    settings_by_kind = {}
    for kind, (threshold, escalate) in RULE_DEFAULTS.items():
        rule = saved.get(kind)
        settings_by_kind[kind] = RuleSetting(
            kind=kind,
            enabled=rule.enabled if rule else True,
            threshold=rule.threshold if rule else threshold,
            escalate_after_days=rule.escalate_after_days if rule else escalate,
        )
    return settings_by_kind


def alert_list(*, org: Organization, state: str | None = None, team: Team | None = None) -> QuerySet[Alert]:
    qs = Alert.objects.filter(org=org).select_related(
        "goal", "supporting_metric", "member__user", "team", "acknowledged_by__user"
    )
    if state == "unresolved":
        qs = qs.exclude(state="resolved")
    elif state:
        qs = qs.filter(state=state)
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by("-raised_on", "-id")


def alert_get(*, org: Organization, alert_id: int) -> Alert:
    try:
        return alert_list(org=org).get(pk=alert_id)
    except Alert.DoesNotExist:
        raise Http404("No alert found.") from None


def action_list(
    *, org: Organization, alert: Alert | None = None, open_only: bool = False
) -> QuerySet[CorrectiveAction]:
    qs = CorrectiveAction.objects.filter(org=org).select_related("owner__user", "goal", "alert")
    if alert is not None:
        qs = qs.filter(alert=alert)
    if open_only:
        qs = qs.filter(state="open")
    return qs.order_by("state", "due_date", "id")


def action_get(*, org: Organization, action_id: int) -> CorrectiveAction:
    try:
        return action_list(org=org).get(pk=action_id)
    except CorrectiveAction.DoesNotExist:
        raise Http404("No corrective action found.") from None


def unread_count(*, member: Membership) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notification_list(*, member: Membership) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=member)
        .select_related("alert__goal", "alert__member__user", "alert__supporting_metric")
        .order_by("-created_at", "-id")
    )


def alert_history(*, alert: Alert) -> list[IndicatorSnapshot]:
    """The data behind a goal's alert: its snapshots since the deviation began (at most 60)."""
    if alert.goal_id is None:
        return []
    key = alert.supporting_metric_id or 0
    since = alert.since or alert.raised_on
    return list(
        IndicatorSnapshot.objects.filter(goal_id=alert.goal_id, metric_key=key, day__gte=since).order_by(
            "-day"
        )[:60]
    )


# --- Channels (Settings → Integrations) -----------------------------------------------------------
CHANNEL_NEVER_USED, CHANNEL_WORKING, CHANNEL_FAILING = "never_used", "working", "failing"
RECENT_DELIVERIES = 20


def channel_queryset(*, org: Organization) -> QuerySet[NotificationChannel]:
    """The organisation's webhooks, each with whether anything was ever delivered (`has_sent`)
    and its last delivery (`last_delivery_id`, `last_delivery_at`): the one that was queued,
    retried or tried last."""
    latest = Delivery.objects.filter(channel=OuterRef("pk")).order_by("-updated_at", "-pk")
    return (
        NotificationChannel.objects.filter(org=org)
        .select_related("team")
        .annotate(
            has_sent=Exists(Delivery.objects.filter(channel=OuterRef("pk"), state=Delivery.State.SENT)),
            last_delivery_id=Subquery(latest.values("pk")[:1]),
            last_delivery_at=Subquery(latest.values("updated_at")[:1]),
        )
        .order_by("name", "id")
    )


def channel_status(channel: NotificationChannel) -> str:
    """The honest status: failing after a delivery failed for good (until one succeeds again),
    working once one succeeded, never used before anything was sent."""
    if channel.failing_since:
        return CHANNEL_FAILING
    return CHANNEL_WORKING if getattr(channel, "has_sent", False) else CHANNEL_NEVER_USED


def channel_get(*, org: Organization, channel_id: int) -> NotificationChannel:
    channel = channel_queryset(org=org).filter(pk=channel_id).first()
    if channel is None:
        raise Http404
    channel.org = org
    return channel


def channel_list(*, org: Organization) -> list[NotificationChannel]:
    return list(channel_queryset(org=org))


@dataclass(frozen=True)
class DeliveryRow:
    delivery: Delivery
    what: str  # a test message, which alert, or which message, in words


@dataclass(frozen=True)
class ChannelRow:
    channel: NotificationChannel
    status: str  # CHANNEL_NEVER_USED, CHANNEL_WORKING or CHANNEL_FAILING
    last: DeliveryRow | None


def delivery_what(delivery: Delivery) -> str:
    if delivery.is_test:
        return gettext("Test message")
    alert = delivery.alert
    if alert is None:
        return delivery.text.splitlines()[0][:120] if delivery.text else delivery.event
    subject = alert.goal.title if alert.goal else (alert.member.user.get_full_name() if alert.member else "")
    what = f"{RuleKind(alert.kind).label} · {subject}" if subject else str(RuleKind(alert.kind).label)
    if delivery.event.startswith("escalated"):
        what += " (" + pgettext("alert delivery", "escalated") + ")"
    return what


def delivery_queryset(*, org: Organization) -> QuerySet[Delivery]:
    """Every delivery to the organisation's webhooks, newest activity first."""
    return (
        Delivery.objects.filter(channel__org=org)
        .select_related("channel", "alert__goal", "alert__member__user")
        .order_by("-updated_at", "-pk")
    )


def delivery_get(*, org: Organization, delivery_id: int) -> Delivery:
    delivery = delivery_queryset(org=org).filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    delivery.channel.org = org
    return delivery


def channel_rows(*, org: Organization) -> list[ChannelRow]:
    """The Integrations page: every channel with its status and last delivery (two queries)."""
    channels = channel_list(org=org)
    ids = [c.last_delivery_id for c in channels if c.last_delivery_id]  # type: ignore[attr-defined]
    last = {d.pk: d for d in delivery_queryset(org=org).filter(pk__in=ids)} if ids else {}
    rows = []
    for channel in channels:
        delivery = last.get(channel.last_delivery_id)  # type: ignore[attr-defined]
        rows.append(ChannelRow(channel=channel, status=channel_status(channel),
                               last=DeliveryRow(delivery, delivery_what(delivery)) if delivery else None))  # fmt: skip
    return rows


def delivery_rows(*, channel: NotificationChannel, limit: int = RECENT_DELIVERIES) -> list[DeliveryRow]:
    """A channel's recent deliveries, newest activity first."""
    deliveries = delivery_queryset(org=channel.org).filter(channel=channel)[:limit]
    return [DeliveryRow(d, delivery_what(d)) for d in deliveries]


def inbox_context(request: Any) -> dict[str, Any]:
    """The unread count for the inbox badge in the page header (one query, only when shown)."""
    member = getattr(request, "membership", None)
    if member is None:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(member=member))}


# --- Team dashboard -------------------------------------------------------------------------------
CHART_LIMIT = 12  # burn-up charts drawn on a team dashboard (cards and the table show every goal)


@dataclass
class GoalCard:
    goal: Goal
    lagging: IndicatorSnapshot | None
    supporting: list[IndicatorSnapshot]
    chart: dict[str, Any] | None = None
    progress: Attainment | None = None  # against the targets in force, or rolled up from sub-goals

    @property
    def target(self) -> Decimal | None:
        """The challenge target in force (the snapshot's until a revision is recomputed)."""
        own = self.progress.own if self.progress is not None else None
        if own is not None and own.target is not None:
            return own.target
        return self.lagging.target if self.lagging is not None else None

    @property
    def attainment(self) -> Decimal | None:
        if self.progress is not None and self.progress.source == "measured":
            return self.progress.percent
        return self.lagging.attainment if self.lagging is not None else None

    @property
    def expected_pct(self) -> Decimal | None:
        s, target = self.lagging, self.target
        if s is None or s.expected is None or not target:
            return None
        return min(Decimal(100), (s.expected / target * 100).quantize(Decimal("0.1")))

    @property
    def actual_pct(self) -> Decimal | None:
        value = self.attainment
        if value is None:
            return None
        return min(Decimal(100), max(Decimal(0), value))


@dataclass
class TeamDashboard:
    team: Team
    today: date
    cards: list[GoalCard]
    alerts: list[Alert]

    @property
    def charts(self) -> dict[str, dict[str, Any]]:
        return {str(c.goal.pk): c.chart for c in self.cards if c.chart is not None}


def _tier_paths(goal: Goal, version: Any) -> dict[str, list[tuple[str, float]]]:
    """Where each tier says the goal should be over its period: cumulative for sum goals (from the
    decomposition when there is one), the level for the others."""
    tiers = version.tiers()
    pieces = sorted(
        version.period_targets.all(), key=lambda p: (p.kind != "week", p.kind != "month", p.start_date)
    )
    finest = [p for p in pieces if pieces and p.kind == pieces[0].kind]
    paths: dict[str, list[tuple[str, float]]] = {}
    for tier in ("base", "challenge", "stretch"):
        if goal.aggregation == "sum":
            points = [(goal.start_date.isoformat(), 0.0)]
            if finest:
                total = Decimal(0)
                for piece in finest:
                    total += getattr(piece, tier)
                    points.append((piece.end_date.isoformat(), float(total)))
            else:
                points.append((goal.end_date.isoformat(), float(tiers[tier])))
        else:
            points = [
                (goal.start_date.isoformat(), float(tiers[tier])),
                (goal.end_date.isoformat(), float(tiers[tier])),
            ]
        paths[tier] = points
    return paths


def burnup_chart(goal: Goal, version: Any, daily: dict[date, Decimal], snapshot: IndicatorSnapshot | None,
                 today: date) -> dict[str, Any]:  # fmt: skip
    """Actual (cumulative for sum goals) against the three tier lines, with the forecast."""
    asof = min(today, goal.end_date)
    points = sorted((d, v) for d, v in daily.items() if goal.start_date <= d <= asof)
    actual: list[tuple[str, float]] = []
    running = Decimal(0)
    for count, (day, value) in enumerate(points, start=1):
        running += value
        if goal.aggregation == "sum":
            shown = running
        elif goal.aggregation == "average":
            shown = running / count
        else:
            shown = value
        actual.append((day.isoformat(), float(shown)))
    forecast = []
    if (
        snapshot is not None
        and snapshot.forecast is not None
        and snapshot.actual is not None
        and asof < goal.end_date
    ):
        forecast = [
            (asof.isoformat(), float(snapshot.actual)),
            (goal.end_date.isoformat(), float(snapshot.forecast)),
        ]
    return {
        "title": goal.title, "unit": goal.unit, "today": today.isoformat(), "actual": actual, "forecast": forecast,
        "tiers": _tier_paths(goal, version), "start": goal.start_date.isoformat(), "end": goal.end_date.isoformat(),
    }  # fmt: skip


def team_dashboard(*, org: Organization, team: Team, today: date) -> TeamDashboard:
    """Goal cards with progress against the expected pace, burn-up charts, the traffic-light rows
    and open alerts, in a fixed number of queries whatever the number of goals."""
    goals = list(
        Goal.objects.filter(org=org, team=team, status=Status.ACTIVE)
        .select_related("owner__user")
        .prefetch_related("versions__period_targets")
        .order_by("end_date", "title")
    )
    newest = latest_snapshots(org=org, goal_ids=[g.pk for g in goals])
    progress = goal_attainment(org=org, goals=goals)
    charted = [g.pk for g in goals[:CHART_LIMIT]]
    series = (
        daily_totals(
            goal_ids=charted, until=today, averaged={(g.pk, 0) for g in goals if g.aggregation == "average"}
        )
        if charted
        else {}
    )
    cards = []
    for goal in goals:
        snapshot = newest.get((goal.pk, 0))
        supporting = sorted(
            (s for (g, k), s in newest.items() if g == goal.pk and k != 0), key=lambda s: s.metric_key
        )
        card = GoalCard(goal=goal, lagging=snapshot, supporting=supporting, progress=progress.get(goal.pk))
        version = _in_force(sorted(goal.versions.all(), key=lambda v: v.number), today)
        if goal.pk in charted and version is not None:
            card.chart = burnup_chart(goal, version, series.get((goal.pk, 0), {}), snapshot, today)
        cards.append(card)
    alerts = list(alert_list(org=org, state="unresolved", team=team)[:50])
    return TeamDashboard(team=team, today=today, cards=cards, alerts=alerts)


# --- Weekly and monthly reviews -------------------------------------------------------------------
def snapshots_as_of(
    *, org: Organization, goal_ids: list[int], day: date
) -> dict[tuple[int, int], IndicatorSnapshot]:
    """Each goal's and supporting metric's newest snapshot on or before a day (one query)."""
    qs = IndicatorSnapshot.objects.filter(
        org=org, goal_id__in=goal_ids, day=newest_snapshot_day(on_or_before=day)
    ).select_related("supporting_metric")
    return {(s.goal_id, s.metric_key): s for s in qs}


@dataclass
class ReviewGoal:
    goal: Goal
    lagging: IndicatorSnapshot | None
    leading: list[tuple[IndicatorSnapshot, dict[str, Any] | None]]
    risks: list[IndicatorSnapshot]
    trend: list[tuple[str, float | None]] = field(default_factory=list)


@dataclass
class ReviewPage:
    team: Team
    kind: str
    start: date
    end: date
    asof: date
    goals: list[ReviewGoal]
    alerts: list[Alert]
    blockers: list[Standup]
    initiatives: list[Any]
    actions: list[CorrectiveAction]
    record: Review | None

    @property
    def trends(self) -> dict[str, Any]:
        return {str(g.goal.pk): {"title": g.goal.title, "points": g.trend} for g in self.goals if g.trend}


def _week_row(snapshot: IndicatorSnapshot, start: date, end: date) -> dict[str, Any] | None:
    for row in snapshot.detail.get("weeks", []):
        if date.fromisoformat(row["start"]) <= end and date.fromisoformat(row["end"]) >= start:
            return dict(row)
    return None


def review_page(*, org: Organization, team: Team, kind: str, start: date, today: date) -> ReviewPage:
    """Everything a weekly (or monthly) review needs, prepared from the data: each goal's actual
    against expected, leading metrics against the week's target, risk states, open alerts, the
    period's blockers and the initiatives in flight — a fixed number of queries."""
    from plans.models import FINISHED, Initiative

    end = start + timedelta(days=6) if kind == Review.Kind.WEEK else month_span(start)[1]
    asof = min(end, today)
    goals = list(
        Goal.objects.filter(org=org, team=team, status__in=(Status.ACTIVE, Status.ACHIEVED, Status.MISSED),
                            start_date__lte=end, end_date__gte=start)
        .select_related("owner__user")
        .order_by("end_date", "title")
    )  # fmt: skip
    ids = [g.pk for g in goals]
    as_of = snapshots_as_of(org=org, goal_ids=ids, day=asof)
    trends: dict[int, list[tuple[str, float | None]]] = defaultdict(list)
    if kind == Review.Kind.MONTH and ids:
        for goal_id, day, attainment_value in (
            IndicatorSnapshot.objects.filter(goal_id__in=ids, metric_key=0, day__gte=start, day__lte=asof)
            .order_by("goal_id", "day")
            .values_list("goal_id", "day", "attainment")
        ):
            trends[goal_id].append(
                (day.isoformat(), float(attainment_value) if attainment_value is not None else None)
            )
    rows = []
    for goal in goals:
        mine = sorted(
            ((k, s) for (g, k), s in as_of.items() if g == goal.pk and k != 0), key=lambda pair: pair[0]
        )
        rows.append(ReviewGoal(
            goal=goal, lagging=as_of.get((goal.pk, 0)),
            leading=[(s, _week_row(s, start, end)) for _k, s in mine if s.kind == IndicatorKind.LEADING],
            risks=[s for _k, s in mine if s.kind == IndicatorKind.RISK], trend=trends.get(goal.pk, []),
        ))  # fmt: skip
    member_ids = Membership.objects.filter(org=org, teams=team).values("pk")
    blockers = list(
        Standup.objects.filter(org=org, member__in=member_ids, day__gte=start, day__lte=asof)
        .exclude(blockers="")
        .select_related("member__user")
        .order_by("day", "member_id")
    )
    initiatives = list(
        Initiative.objects.filter(org=org, goal__in=ids)
        .exclude(status__in=FINISHED)
        .select_related("owner__user", "goal")
        .order_by("due_date", "id")[:100]
    )
    actions = list(
        CorrectiveAction.objects.filter(org=org, goal__in=ids, created_at__date__lte=end)
        .filter(Q(state="open") | Q(done_at__date__gte=start))
        .select_related("owner__user", "goal", "alert")
        .order_by("state", "due_date", "id")
    )
    record = (
        Review.objects.filter(team=team, kind=kind, start=start).select_related("updated_by__user").first()
    )
    return ReviewPage(
        team=team, kind=kind, start=start, end=end, asof=asof, goals=rows,
        alerts=list(alert_list(org=org, state="unresolved", team=team)[:50]), blockers=blockers,
        initiatives=initiatives, actions=actions, record=record,
    )  # fmt: skip


def team_rhythm(*, team: Team) -> TeamRhythm:
    """The team's stand-up rhythm (the defaults, unsaved, when none is set)."""
    return TeamRhythm.objects.filter(team=team).first() or TeamRhythm(team=team)


def reminder_channel(*, member: Membership) -> str:
    preference = TrackingPreference.objects.filter(membership=member).first()
    return preference.reminder_channel if preference else "in_app"


def import_jobs(*, org: Organization, member: Membership, limit: int = 10) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(org=org, created_by=member).defer("content").order_by("-created_at")[:limit]
    )


def import_job_get(*, org: Organization, job_id: int) -> ImportJob:
    try:
        return ImportJob.objects.defer("content").select_related("created_by__user").get(org=org, pk=job_id)
    except ImportJob.DoesNotExist:
        raise Http404("No import found.") from None


# --- My work and the organisation overview --------------------------------------------------------
@dataclass
class Contribution:
    goal: Goal
    mine: Decimal
    total: Decimal | None
    status: str

    @property
    def status_label(self) -> str:
        return str(IndicatorStatus(self.status).label)

    @property
    def share(self) -> Decimal | None:
        if self.total is None or self.total <= 0 or self.goal.aggregation != "sum":
            return None
        return (self.mine / self.total * 100).quantize(Decimal("0.1"))


def my_work(*, member: Membership, today: date) -> dict[str, Any]:
    """A member's page: today's stand-up, their initiatives, their open corrective actions and what
    their own values add to each goal they work on."""
    from plans.models import FINISHED, Initiative

    goals = contributing_goals(member=member)
    ids = [g.pk for g in goals]
    mine = dict(
        MetricEntry.objects.filter(goal_id__in=ids, member=member, supporting_metric__isnull=True, day__lte=today,
                                   day__gte=F("goal__start_date"))
        .values_list("goal_id")
        .annotate(total=Sum("value"))
        .order_by()
    )  # fmt: skip
    newest = latest_snapshots(org=member.org, goal_ids=ids)
    contributions = []
    for goal in goals:
        snapshot = newest.get((goal.pk, 0))
        contributions.append(Contribution(goal=goal, mine=mine.get(goal.pk) or Decimal(0),
                                          total=snapshot.actual if snapshot else None,
                                          status=snapshot.status if snapshot else "no_data"))  # fmt: skip
    return {
        "standup": standup_get(member=member, day=today),
        "initiatives": list(
            Initiative.objects.filter(org=member.org, owner=member).exclude(status__in=FINISHED)
            .select_related("goal").order_by("due_date", "id")[:50]
        ),
        "actions": list(action_list(org=member.org).filter(owner=member, state="open")[:50]),
        "contributions": contributions,
    }  # fmt: skip


@dataclass
class TeamSummary:
    team: Team
    goals: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    no_data: int = 0
    open_alerts: int = 0
    members: int = 0
    checked_in: int = 0

    @property
    def check_in_pct(self) -> int | None:
        return None if not self.members else round(self.checked_in * 100 / self.members)


def org_overview(*, org: Organization, today: date) -> list[TeamSummary]:
    """Per team: active goals by status (a goal without values of its own counts with the status
    rolled up from its sub-goals), open alerts and today's check-ins: a fixed number of queries."""
    from django.db.models import Count

    teams = {t.pk: TeamSummary(team=t) for t in Team.objects.filter(org=org).order_by("name")}
    goals = list(
        Goal.objects.filter(org=org, status=Status.ACTIVE, team__isnull=False).values_list("pk", "team_id")
    )
    lagging: dict[int, str] = dict(
        IndicatorSnapshot.objects.filter(
            org=org, metric_key=0, goal_id__in=[pk for pk, _t in goals], day=newest_snapshot_day()
        ).values_list("goal_id", "status")
    )
    # A goal without values of its own takes the status rolled up from its sub-goals.
    silent = [pk for pk, _t in goals if lagging.get(pk, "no_data") == "no_data"]
    rolled = {pk: a.status for pk, a in goal_attainment(org=org, goal_ids=silent).items() if a.status}
    for goal_id, team_id in goals:
        summary = teams.get(team_id)
        if summary is None:
            continue
        summary.goals += 1
        status = rolled.get(goal_id) or lagging.get(goal_id, "no_data")
        setattr(summary, status, getattr(summary, status) + 1)
    for team_id, count in (
        Alert.objects.filter(org=org, team__isnull=False).exclude(state="resolved").values_list("team_id")
        .annotate(n=Count("id")).order_by()
    ):  # fmt: skip
        if team_id in teams:
            teams[team_id].open_alerts = count
    through = Membership.teams.through
    members = through.objects.filter(team__org=org, membership__is_active=True, membership__role="member")
    for team_id, count in members.values_list("team_id").annotate(n=Count("membership_id")).order_by():
        teams[team_id].members = count
    checked = members.filter(membership__standups__day=today)
    for team_id, count in (
        checked.values_list("team_id").annotate(n=Count("membership_id", distinct=True)).order_by()
    ):
        teams[team_id].checked_in = count
    return list(teams.values())
