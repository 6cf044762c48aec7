"""The teams' burnout signal (load and wellbeing), aggregated: everything each team's people carry,
loaded once for many teams in a fixed number of queries (the members, their goals and paces through
`tracking.selectors.results`, late initiatives, overdue actions, open alerts, stand-ups, values,
working days, the pulse trend), then added up by `people.burnout.team_signal`.

Who sees what: a team's managers (and the managers above it), HR and admins read the team's signal
— aggregated, never one person's pulse answer nor one person's signal. A manager also sees, among
the team's people, those whose own signal is worth a talk *and* with whom they hold one-on-ones
(`can_see_burnout`'s rule), with a link to the series."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from goals.models import OPEN_STATUSES, Goal
from plans.models import FINISHED, Initiative
from teams.errors import Verdict, allow, refuse
from teams.models import Membership, Organization, Role, Team
from teams.selectors import managed_team_ids, org_today
from tracking.selectors.results import (
    goal_period_results,
    open_alert_counts,
    overdue_corrective_actions,
    standup_log,
    value_days,
    working_days,
)

from ..burnout import BurnoutSignal, PersonLoad, burnout_signal, team_signal
from ..models import ActionItem, Pulse, Series
from .pulses import _suppressed
from .spreads import pulse_spreads

WEEKS = 6
PULSES = 6
LOAD_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER})
PULSE_TOPICS = ("workload", "stress")


@dataclass(frozen=True)
class TalkTo:
    member: Membership
    series_id: int
    signal: BurnoutSignal


@dataclass(frozen=True)
class TeamLoad:
    team: Team
    size: int
    signal: BurnoutSignal
    talk_to: list[TalkTo]  # the viewer's own one-on-ones whose signal is worth a talk


def can_see_team_load(*, viewer: Membership, team: Team) -> Verdict:
    """HR and admins for every team; a manager for the teams they manage (and those below)."""
    if viewer.is_active and viewer.org_id == team.org_id:
        if viewer.role in (Role.ADMIN, Role.HR):
            return allow()
        if viewer.role == Role.MANAGER and team.pk in managed_team_ids(member=viewer):
            return allow()
    return refuse(_("A team's load is for its managers, HR and admins."))


def load_teams(*, org: Organization, viewer: Membership) -> list[Team]:
    """The teams whose load the viewer reads, by name."""
    teams = Team.objects.filter(org=org).order_by("name", "pk")
    if viewer.role in (Role.ADMIN, Role.HR):
        return list(teams[:500])
    if viewer.role == Role.MANAGER:
        return list(teams.filter(pk__in=managed_team_ids(member=viewer))[:500])
    return []


def _weekly(moods: Iterable[tuple[date, int | None]]) -> list[Decimal]:
    weeks: dict[date, list[int]] = defaultdict(list)
    for day, mood in moods:
        if mood is not None:
            weeks[day - timedelta(days=day.weekday())].append(mood)
    return [(Decimal(sum(v)) / len(v)).quantize(Decimal("0.1")) for _w, v in sorted(weeks.items())]


def pulse_trends(
    *, org: Organization, team_ids: list[int], today: date
) -> dict[int, dict[str, tuple[Decimal, Decimal, int]]]:
    """{team: {topic: (first, last, pulses)}} for workload and stress over the team's last closed
    pulses, only where the anonymity rule shows the team's group (as `team_trend`): two queries (one
    once the closed pulses' spreads are cached, `spreads`)."""
    pulses = list(
        Pulse.objects.filter(org=org, closes_on__lt=today)
        .filter(Q(team__isnull=True) | Q(team_id__in=team_ids))
        .order_by("-closes_on", "-pk")
        .values_list("pk", "team_id", "threshold", "closes_on", "created_at")[: PULSES * (len(team_ids) + 1)]
    )
    if not pulses:
        return {}
    rows = pulse_spreads(org=org, pulses=[(p, c, at) for p, _t, _h, c, at in pulses])
    series: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for team_id in team_ids:
        mine = [(p, h) for p, t, h, _c, _at in pulses if t is None or t == team_id][:PULSES]
        for pulse_id, threshold in reversed(mine):
            groups = rows.get(pulse_id, {})
            counts = {
                g: max((sum(s.values()) for _t, s in qs.values()), default=0) for g, qs in groups.items()
            }
            if (
                sum(counts.values()) < threshold
                or team_id not in counts
                or team_id in _suppressed(counts, threshold)
            ):
                continue
            for topic, spread in groups[team_id].values():
                if topic in PULSE_TOPICS and (n := sum(spread.values())):
                    mean = (Decimal(sum(s * c for s, c in spread.items())) / n).quantize(Decimal("0.1"))
                    series[team_id][topic].append(mean)
    return {t: {topic: (v[0], v[-1], len(v)) for topic, v in topics.items()} for t, topics in series.items()}


def team_loads(
    *, org: Organization, teams: list[Team], viewer: Membership, today: date | None = None
) -> list[TeamLoad]:
    """The burnout signal of each team, in a fixed number of queries whatever the number of teams
    and people (about fifteen, plus `goal_period_results`' own)."""
    if not teams:
        return []
    today = today or org_today(org)
    since = today - timedelta(weeks=WEEKS)
    team_ids = [t.pk for t in teams]
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, member_id in Membership.teams.through.objects.filter(
        team_id__in=team_ids, membership__is_active=True, membership__is_service=False
    ).values_list("team_id", "membership_id"):
        members[team_id].append(member_id)
    ids = sorted({m for ms in members.values() for m in ms})
    goals = list(Goal.objects.filter(org=org, owner_id__in=ids, status__in=OPEN_STATUSES)
                 .values_list("pk", "owner_id", "start_date", "end_date")[:5000])  # fmt: skip
    paces: dict[int, list[Decimal | None]] = defaultdict(list)
    if goals:
        results = goal_period_results(org=org, goal_ids=[g[0] for g in goals], start=min(g[2] for g in goals),
                                      end=max(g[3] for g in goals))  # fmt: skip
        for pk, owner_id, _s, _e in goals:
            if (r := results.get(pk)) is not None:
                paces[owner_id].append(r.pace.pace if r.pace else None)
    late = dict(Initiative.objects.filter(org=org, owner_id__in=ids, goal__status__in=OPEN_STATUSES, due_date__lt=today)
                .exclude(status__in=FINISHED).values_list("owner_id").annotate(n=Count("pk")).order_by())  # fmt: skip
    actions = dict(ActionItem.objects.filter(org=org, owner_id__in=ids, done_at__isnull=True, due__lt=today)
                   .values_list("owner_id").annotate(n=Count("pk")).order_by())  # fmt: skip
    corrective = overdue_corrective_actions(org=org, member_ids=ids, today=today)
    alerts = open_alert_counts(org=org, member_ids=ids)
    log = standup_log(org=org, member_ids=ids, since=since)
    values = value_days(org=org, member_ids=ids, since=since)
    working = working_days(team_ids=team_ids)
    pulse = pulse_trends(org=org, team_ids=team_ids, today=today)
    mine = list(Series.objects.filter(org=org, manager=viewer, member_id__in=ids, active=True)
                .select_related("member__user"))  # fmt: skip
    series = {s.member_id: s.pk for s in mine}
    people = {s.member_id: s.member for s in mine}

    def load(member_id: int) -> PersonLoad:
        return PersonLoad(paces=paces.get(member_id, []), late_initiatives=late.get(member_id, 0),
                          overdue_actions=actions.get(member_id, 0) + corrective.get(member_id, 0),
                          open_alerts=alerts.get(member_id, 0), standup_days=[d for d, _m in log.get(member_id, [])],
                          value_days=sorted(values.get(member_id, set())))  # fmt: skip

    out = []
    for team in teams:
        team_members = members.get(team.pk, [])
        loads = [load(m) for m in team_members]
        signal = team_signal(today=today, since=since, people=loads, working=working[team.pk], pulse=pulse.get(team.pk, {}),
                             moods=_weekly(e for m in team_members for e in log.get(m, [])))  # fmt: skip
        talk_to = []
        for member_id, person in zip(team_members, loads, strict=True):
            if member_id not in people:
                continue
            own = burnout_signal(today=today, since=since, moods=_weekly(log.get(member_id, [])), paces=person.paces,
                                 late_initiatives=person.late_initiatives, overdue_actions=person.overdue_actions,
                                 open_alerts=person.open_alerts, standup_days=person.standup_days,
                                 value_days=person.value_days, working=working[team.pk])  # fmt: skip
            if own.level != "low":
                talk_to.append(TalkTo(member=people[member_id], series_id=series[member_id], signal=own))
        out.append(TeamLoad(team=team, size=len(team_members), signal=signal, talk_to=talk_to))
    return out
