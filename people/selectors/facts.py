"""The prepared facts of a one-on-one, seen by both participants: the member's goals with their
attainment and tier (through `tracking.selectors.results`, the one read of how goals did), their
late and at-risk initiatives, the blockers of the last weeks, the stand-up mood trend, the
recognition they received (through `teams.hooks.recognition_received`: the recognition app is
never imported) and their error-tolerance allowance left this quarter with their failed
experiments.

Loaded once into plain dataclasses, in a fixed number of queries whatever the member's history."""

from __future__ import annotations

import pickle  # noqa: S403 - our own entries, in our own cache
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from goals.models import OPEN_STATUSES, Goal
from goals.progress_cache import progress_version
from plans.models import FINISHED, Initiative
from plans.selectors import plan_risks
from plans.selectors.experiments import PersonAllowance, person_allowance
from teams.hooks import RecognitionReceived, recognition_received
from teams.models import Membership, Organization, Team
from teams.selectors import org_today
from tracking.selectors.results import (
    TierReached,
    goal_period_results,
    open_alert_counts,
    overdue_corrective_actions,
    recent_blockers,
    standup_log,
    value_days,
    working_days,
)

from ..burnout import BurnoutSignal, burnout_signal
from ..models import ActionItem

FACT_WEEKS = 6  # blockers and mood over the last six weeks
GOAL_LIMIT = 20
RECOGNITION_DAYS = 183  # recognition received over the last six months


@dataclass(frozen=True)
class GoalFact:
    goal_id: int
    title: str
    attainment: Decimal | None  # percent of the base target so far
    tier: str  # TierReached reached so far
    projected: str  # TierReached the latest indicator projects ("" without one)
    pace: Decimal | None

    @property
    def tier_label(self) -> str:
        return str(TierReached(self.tier).label)

    @property
    def projected_label(self) -> str:
        return str(TierReached(self.projected).label) if self.projected else ""


@dataclass(frozen=True)
class InitiativeFact:
    initiative_id: int
    title: str
    goal_title: str
    goal_id: int
    due: date | None
    late_days: int  # 0 when not late
    at_risk: bool  # its goal's plan is at risk


@dataclass(frozen=True)
class BlockerFact:
    day: date
    text: str
    resolved: bool


@dataclass(frozen=True)
class MoodWeek:
    week: date
    mood: Decimal
    count: int


@dataclass(frozen=True)
class PreparedFacts:
    today: date
    goals: list[GoalFact]
    initiatives: list[InitiativeFact]
    blockers: list[BlockerFact]
    mood: list[MoodWeek]
    burnout: BurnoutSignal
    recognition: list[RecognitionReceived]
    experiments: PersonAllowance

    @property
    def mood_falling(self) -> bool:
        """The last week's mood is at least half a point below the first week's."""
        return len(self.mood) >= 2 and self.mood[-1].mood <= self.mood[0].mood - Decimal("0.5")


def prepared_facts(
    *, org: Organization, member: Membership, team: Team | None = None, today: date | None = None
) -> PreparedFacts:
    """The facts about `member`; `team` (the one-on-one's) gives the working days (else their
    first team's, else Monday to Friday)."""
    today = today or org_today(org)
    since = today - timedelta(weeks=FACT_WEEKS)
    goals = list(
        Goal.objects.filter(org=org, owner=member, status__in=OPEN_STATUSES)
        .order_by("end_date", "pk")
        .values_list("pk", "start_date", "end_date")[:GOAL_LIMIT]
    )
    facts: list[GoalFact] = []
    if goals:
        results = goal_period_results(org=org, goal_ids=[pk for pk, _s, _e in goals],
                                      start=min(s for _pk, s, _e in goals), end=max(e for _pk, _s, e in goals))  # fmt: skip
        for pk, _start, _end in goals:
            if (r := results.get(pk)) is None:
                continue
            facts.append(GoalFact(goal_id=pk, title=r.title, attainment=r.attainment, tier=r.tier,
                                  projected=r.latest.tier if r.latest else "",
                                  pace=r.pace.pace if r.pace else None))  # fmt: skip
    open_work = list(
        Initiative.objects.filter(org=org, owner=member, goal__status__in=OPEN_STATUSES)
        .exclude(status__in=FINISHED)
        .select_related("goal")
        .order_by("due_date", "pk")[:200]
    )
    risks = plan_risks(org=org, today=today, goal_ids={i.goal_id for i in open_work}) if open_work else {}
    initiatives = [
        InitiativeFact(
            initiative_id=i.pk,
            title=i.title,
            goal_title=i.goal.title,
            goal_id=i.goal_id,
            due=i.due_date,
            late_days=(today - i.due_date).days if i.due_date and i.due_date < today else 0,
            at_risk=i.goal_id in risks,
        )  # fmt: skip
        for i in open_work
        if (i.due_date and i.due_date < today) or i.goal_id in risks
    ]
    blockers = [
        BlockerFact(day=s.day, text=s.blockers, resolved=s.blocker_resolved_by_id is not None)
        for s in recent_blockers(org=org, member=member, since=since)[:20]
    ]
    log = standup_log(org=org, member_ids=[member.pk], since=since).get(
        member.pk, []
    )  # days and moods at once
    weeks: dict[date, list[int]] = defaultdict(list)
    for day, value in log:
        if value is not None:
            weeks[day - timedelta(days=day.weekday())].append(value)
    mood = [
        MoodWeek(
            week=week, mood=(Decimal(sum(values)) / len(values)).quantize(Decimal("0.1")), count=len(values)
        )
        for week, values in sorted(weeks.items())
    ]
    overdue_actions = ActionItem.objects.filter(
        org=org, owner=member, done_at__isnull=True, due__lt=today
    ).count() + overdue_corrective_actions(org=org, member_ids=[member.pk], today=today).get(member.pk, 0)
    team_id = (
        team.pk if team is not None else member.teams.order_by("pk").values_list("pk", flat=True).first()
    )
    working = working_days(team_ids=[team_id])[team_id] if team_id is not None else "12345"
    signal = burnout_signal(
        today=today, moods=[w.mood for w in mood], paces=[g.pace for g in facts],
        late_initiatives=sum(1 for i in initiatives if i.late_days), overdue_actions=overdue_actions,
        standup_days=[day for day, _mood in log], since=since,
        open_alerts=open_alert_counts(org=org, member_ids=[member.pk]).get(member.pk, 0),
        value_days=sorted(value_days(org=org, member_ids=[member.pk], since=since).get(member.pk, set())),
        working=working,
    )  # fmt: skip
    return PreparedFacts(today=today, goals=facts, initiatives=initiatives, blockers=blockers, mood=mood,
                         burnout=signal,
                         recognition=recognition_received(org=org, member=member,
                                                          since=today - timedelta(days=RECOGNITION_DAYS)),
                         experiments=person_allowance(org=org, owner_id=member.pk, day=today))  # fmt: skip


FACTS_TIMEOUT = 5 * 60  # a safety net for a deletion no version announces (a stand-up deleted)
FACTS_LAYOUT = (
    1  # of a cached PreparedFacts: a release that changes the dataclasses reads none of the old ones
)


def prepared_facts_cached(
    *, org: Organization, member: Membership, team: Team | None = None
) -> PreparedFacts:
    """`prepared_facts`, kept in the shared cache (Redis; never process memory) under a key that
    carries the organisation's progress version (`goals.progress_cache`: its own tokens and the
    data version that every save of any app's rows moves on, at once and again at commit), the
    member, the team, the day and the language (the burnout factors are worded when computed).
    Any write to the organisation changes the key, so the next read computes the facts again; a
    reload, or the other participant opening the page, reads them back in no query."""
    today = org_today(org)
    version = progress_version(org_id=org.pk)
    key = (f"people:facts:{FACTS_LAYOUT}:{connection.settings_dict['NAME']}:{org.pk}:{version}:"
           f"{member.pk}:{team.pk if team is not None else '-'}:{today.isoformat()}:{get_language()}")  # fmt: skip
    try:
        found = cache.get(key)
    except (
        AttributeError,
        ImportError,
        EOFError,
        pickle.UnpicklingError,
    ):  # an old layout's class moved away
        found = None
    if isinstance(found, PreparedFacts):
        return found
    facts = prepared_facts(org=org, member=member, team=team, today=today)
    cache.set(key, facts, FACTS_TIMEOUT)
    return facts
